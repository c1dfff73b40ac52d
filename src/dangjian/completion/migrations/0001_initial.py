# Completion (issue 12): rules per program, assessments, reflections, results, closing packs.

import dangjian.completion.models
import django.core.validators
import django.db.models.deletion
import django.db.models.manager
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('enrollment', '0005_calendar_feed'),
        ('ledger', '0004_record_indexes'),
        ('training', '0005_english_names_of_classrooms_and_groups'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Assessment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('score', models.DecimalField(decimal_places=1, max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('100'))], verbose_name='score')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded at')),
                ('nomination', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='assessment', to='enrollment.nomination', verbose_name='participant')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
            ],
            options={
                'verbose_name': 'assessment',
                'verbose_name_plural': 'assessments',
                'default_manager_name': 'unscoped',
            },
            managers=[
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='CompletionRules',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('min_attendance_share', models.DecimalField(blank=True, decimal_places=3, help_text="Share of the class's hours attended (present or late), e.g. 0.9; empty: no minimum.", max_digits=4, null=True, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('1'))], verbose_name='minimum attendance share')),
                ('leave_within_limit', models.BooleanField(default=True, verbose_name='leave within the limit')),
                ('max_leave_ratio', models.DecimalField(decimal_places=5, default=dangjian.completion.models.default_max_leave_ratio, help_text="Share of the class's hours; 1/7 ≈ 0.14286 (cadre education regulation).", max_digits=6, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('1'))], verbose_name='leave limit')),
                ('require_reflection', models.BooleanField(default=False, verbose_name='reflection submitted')),
                ('require_assessment', models.BooleanField(default=False, verbose_name='assessment passed')),
                ('assessment_pass_mark', models.DecimalField(decimal_places=1, default=Decimal('60'), max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('100'))], verbose_name='pass mark')),
                ('crediting', models.CharField(choices=[('per_day', 'Days attended × hours per day'), ('per_session', 'Sum of the hours of the sessions attended')], default='per_day', max_length=12, verbose_name='hours credited')),
                ('program', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='completion_rules', to='training.program', verbose_name='program')),
            ],
            options={
                'verbose_name': 'completion rules',
                'verbose_name_plural': 'completion rules',
            },
        ),
        migrations.CreateModel(
            name='Reflection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField(max_length=20000, verbose_name='text')),
                ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted at')),
                ('nomination', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='reflection', to='enrollment.nomination', verbose_name='participant')),
            ],
            options={
                'verbose_name': 'reflection',
                'verbose_name_plural': 'reflections',
                'default_manager_name': 'unscoped',
            },
            managers=[
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='ClosingPack',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('made_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='made at')),
                ('pdf', models.FileField(blank=True, upload_to='closing-packs/%Y/', verbose_name='PDF')),
                ('archive', models.FileField(blank=True, upload_to='closing-packs/%Y/', verbose_name='ZIP of the parts')),
                ('page_count', models.PositiveIntegerField(default=0, verbose_name='number of pages')),
                ('made_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='made by')),
                ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='closing_packs', to='training.program', verbose_name='program')),
            ],
            options={
                'verbose_name': 'closing pack',
                'verbose_name_plural': 'closing packs',
                'ordering': ['-made_at', '-id'],
                'default_manager_name': 'unscoped',
                'indexes': [models.Index(fields=['program', 'made_at'], name='completion__program_9c3c80_idx')],
            },
            managers=[
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='CompletionResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('completed', models.BooleanField(verbose_name='completed')),
                ('reasons', models.JSONField(blank=True, default=list, verbose_name='reasons')),
                ('class_hours', models.DecimalField(decimal_places=1, default=Decimal('0'), max_digits=6, verbose_name='class hours')),
                ('attended_hours', models.DecimalField(decimal_places=1, default=Decimal('0'), max_digits=6, verbose_name='hours attended')),
                ('leave_hours', models.DecimalField(decimal_places=1, default=Decimal('0'), max_digits=6, verbose_name='hours on leave')),
                ('days_attended', models.PositiveSmallIntegerField(default=0, verbose_name='days attended')),
                ('credited_hours', models.DecimalField(decimal_places=1, default=Decimal('0'), max_digits=6, verbose_name='hours credited')),
                ('decided_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='decided at')),
                ('ledger_record', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ledger.trainingrecord', verbose_name='training record')),
                ('nomination', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='completion_result', to='enrollment.nomination', verbose_name='participant')),
                ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='completion_results', to='training.program', verbose_name='program')),
            ],
            options={
                'verbose_name': 'completion result',
                'verbose_name_plural': 'completion results',
                'default_manager_name': 'unscoped',
                'indexes': [models.Index(fields=['program', 'completed'], name='completion__program_d45ea7_idx')],
            },
            managers=[
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
    ]
