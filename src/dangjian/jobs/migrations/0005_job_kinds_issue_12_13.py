# Job kinds of issues 12 and 13 (closing pack, certificates), added up front.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0004_job_kinds_issue_10_11'),
    ]

    operations = [
        migrations.AlterField(
            model_name='backgroundjob',
            name='kind',
            field=models.CharField(choices=[('registry_import', 'Spreadsheet import'), ('outbox_send', 'Sending messages'), ('ledger_import', 'Training records import'), ('admission_notices', 'Preparing admission notices'), ('allocation', 'Placing participants'), ('closing_pack', 'Making the closing pack'), ('certificates', 'Issuing certificates')], max_length=40, verbose_name='kind'),
        ),
    ]
