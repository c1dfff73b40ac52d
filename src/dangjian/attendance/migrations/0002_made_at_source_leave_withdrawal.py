# The fields and records of issue 12 in one migration (QR source, offline made_at, leave, withdrawal), made
# before the work was split so that parallel branches did not collide.

import django.db.models.deletion
import django.db.models.manager
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def made_at_from_marked_at(apps, schema_editor):
    Attendance = apps.get_model("attendance", "Attendance")
    Attendance._default_manager.update(made_at=models.F("marked_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('attendance', '0001_initial_attendance'),
        ('enrollment', '0005_calendar_feed'),
        ('training', '0005_english_names_of_classrooms_and_groups'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='attendance',
            name='made_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='made at'),
        ),
        migrations.RunPython(made_at_from_marked_at, migrations.RunPython.noop),
        migrations.AddField(
            model_name='attendance',
            name='source',
            field=models.CharField(choices=[('roll_call', 'Roll call'), ('qr', 'QR check-in'), ('sheet', 'Paper sign-in sheet'), ('leave', 'Approved leave')], default='roll_call', max_length=10, verbose_name='taken by'),
        ),
        migrations.CreateModel(
            name='LeaveRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(max_length=500, verbose_name='reason')),
                ('status', models.CharField(choices=[('pending', 'Awaiting approval'), ('approved', 'Approved'), ('refused', 'Refused'), ('cancelled', 'Cancelled')], default='pending', max_length=10, verbose_name='status')),
                ('filed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='filed at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('decision_note', models.CharField(blank=True, max_length=200, verbose_name='note on the decision')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                ('filed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='filed by')),
                ('nomination', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='leave_requests', to='enrollment.nomination', verbose_name='participant')),
                ('sessions', models.ManyToManyField(related_name='leave_requests', to='training.session', verbose_name='sessions')),
            ],
            options={
                'verbose_name': 'leave request',
                'verbose_name_plural': 'leave requests',
                'ordering': ['-filed_at', '-id'],
                'default_manager_name': 'unscoped',
                'indexes': [models.Index(fields=['nomination', 'status'], name='attendance__nominat_37133f_idx')],
            },
            managers=[
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='Withdrawal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('flagged', 'Flagged for withdrawal'), ('confirmed', 'Withdrawn from the class'), ('cleared', 'Kept in the class')], default='flagged', max_length=10, verbose_name='status')),
                ('reason', models.CharField(max_length=300, verbose_name='reason')),
                ('flagged_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='flagged at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('decision_note', models.CharField(blank=True, max_length=200, verbose_name='note on the decision')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                ('nomination', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='withdrawal', to='enrollment.nomination', verbose_name='participant')),
            ],
            options={
                'verbose_name': 'withdrawal',
                'verbose_name_plural': 'withdrawals',
                'ordering': ['-flagged_at', '-id'],
                'default_manager_name': 'unscoped',
                'indexes': [models.Index(fields=['status'], name='attendance__status_c19cf9_idx')],
            },
            managers=[
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
    ]
