# Issue 10 performance: the partial index of induction records (compliance: who is credited by a day) and the
# records' lists in their order (latest first).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0003_record_year_days_audited'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='trainingrecord',
            index=models.Index(condition=models.Q(('counts_as_induction', True)), fields=['person', 'starts_on'], name='ledger_record_induction_on'),
        ),
        migrations.AddIndex(
            model_name='trainingrecord',
            index=models.Index(fields=['-ends_on', '-id'], name='ledger_record_latest'),
        ),
    ]
