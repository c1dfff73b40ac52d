# Closing packs are kept in a private folder (settings.CLOSING_PACK_ROOT), never served.

import dangjian.completion.storage
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('completion', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='closingpack',
            name='archive',
            field=models.FileField(blank=True, storage=dangjian.completion.storage.closing_pack_storage, upload_to='%Y/', verbose_name='ZIP of the parts'),
        ),
        migrations.AlterField(
            model_name='closingpack',
            name='pdf',
            field=models.FileField(blank=True, storage=dangjian.completion.storage.closing_pack_storage, upload_to='%Y/', verbose_name='PDF'),
        ),
    ]
