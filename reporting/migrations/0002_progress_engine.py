# The progress engine's tables (reporting/models.py).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial'),
        ('reporting', '0001_initial'),
        ('zrm', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='AggregateCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope_kind', models.CharField(choices=[('team', 'Team'), ('wijk', 'Wijk'), ('all', 'Alle teams')], max_length=5)),
                ('scope_key', models.CharField(blank=True, max_length=100)),
                ('period_kind', models.CharField(choices=[('month', 'Maand'), ('quarter', 'Kwartaal'), ('year', 'Jaar')], max_length=10)),
                ('period_start', models.DateField()),
                ('indicator', models.CharField(max_length=40)),
                ('key1', models.CharField(blank=True, default='', max_length=100)),
                ('key2', models.CharField(blank=True, default='', max_length=100)),
                ('key3', models.CharField(blank=True, default='', max_length=100)),
                ('count', models.IntegerField(null=True)),
                ('value', models.FloatField(null=True)),
                ('base', models.IntegerField(help_text='the number of persons or cases a value is computed over', null=True)),
            ],
            options={
                'indexes': [models.Index(fields=['scope_kind', 'scope_key', 'period_kind', 'period_start'], name='reporting_cell_idx'), models.Index(fields=['period_kind', 'period_start', 'scope_kind'], name='reporting_cell_period_idx')],
                'constraints': [models.UniqueConstraint(fields=('scope_kind', 'scope_key', 'period_kind', 'period_start', 'indicator', 'key1', 'key2', 'key3'), name='reporting_cell_unique')],
            },
        ),
        migrations.CreateModel(
            name='RebuildRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('full', 'Volledig (nachtelijk)'), ('incremental', 'Bijwerken na wijziging')], max_length=12, verbose_name='soort')),
                ('status', models.CharField(choices=[('running', 'Bezig'), ('success', 'Gelukt'), ('failed', 'Mislukt')], default='running', max_length=10, verbose_name='status')),
                ('trigger', models.CharField(blank=True, max_length=100, verbose_name='aanleiding')),
                ('scope', models.CharField(blank=True, max_length=500, verbose_name='bereik')),
                ('started_at', models.DateTimeField(auto_now_add=True, verbose_name='gestart')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='klaar')),
                ('duration_ms', models.PositiveIntegerField(blank=True, null=True, verbose_name='duur (ms)')),
                ('cells_written', models.PositiveIntegerField(blank=True, null=True, verbose_name='cellen')),
                ('attempt', models.PositiveSmallIntegerField(default=1, verbose_name='poging')),
                ('error', models.TextField(blank=True, verbose_name='fout')),
                ('task_id', models.CharField(blank=True, max_length=64)),
            ],
            options={
                'verbose_name': 'herberekening rapportage',
                'verbose_name_plural': 'herberekeningen rapportage',
                'ordering': ['-started_at', '-pk'],
                'indexes': [models.Index(fields=['status', 'kind'], name='reporting_run_status_idx')],
            },
        ),
        migrations.CreateModel(
            name='ReportPeriod',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('month', 'Maand'), ('quarter', 'Kwartaal'), ('year', 'Jaar')], max_length=10)),
                ('start_date', models.DateField()),
                ('end_date', models.DateField(help_text='exclusive')),
                ('last_day', models.DateField()),
            ],
            options={
                'ordering': ['kind', '-start_date'],
                'constraints': [models.UniqueConstraint(fields=('kind', 'start_date'), name='reporting_period_unique')],
            },
        ),
        migrations.CreateModel(
            name='CaseFact',
            fields=[
                ('case', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='cases.case')),
                ('wijk', models.CharField(blank=True, max_length=100)),
                ('status', models.CharField(max_length=20)),
                ('melding_date', models.DateField()),
                ('first_contact_date', models.DateField(null=True)),
                ('contact_days', models.IntegerField(null=True)),
                ('closed_on', models.DateField(null=True)),
                ('reopened', models.BooleanField(default=False)),
                ('days_since_previous_closure', models.IntegerField(null=True)),
                ('household_type', models.CharField(max_length=10)),
                ('first_plan_date', models.DateField(null=True)),
                ('nulmeting_date', models.DateField(null=True)),
                ('household_category', models.CharField(blank=True, max_length=30)),
                ('closure_reason', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.closurereason')),
                ('household', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.household')),
                ('melding_source', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.meldingsource')),
                ('regisseur', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.staffmembership')),
                ('team', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.team')),
            ],
            options={
                'indexes': [models.Index(fields=['team', 'melding_date'], name='reporting_fact_team_idx'), models.Index(fields=['wijk', 'melding_date'], name='reporting_fact_wijk_idx'), models.Index(fields=['regisseur'], name='reporting_fact_regisseur_idx')],
            },
        ),
        migrations.CreateModel(
            name='DomainProgress',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('baseline_score', models.PositiveSmallIntegerField(null=True)),
                ('latest_score', models.PositiveSmallIntegerField(null=True)),
                ('delta', models.SmallIntegerField(null=True)),
                ('case', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.case')),
                ('domain', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='zrm.domain')),
                ('person', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.person')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('case', 'person', 'domain'), name='reporting_domain_unique')],
            },
        ),
        migrations.CreateModel(
            name='PersonProgress',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('wijk', models.CharField(blank=True, max_length=100)),
                ('household_type', models.CharField(max_length=10)),
                ('age_group', models.CharField(max_length=12)),
                ('baseline_date', models.DateField()),
                ('latest_date', models.DateField()),
                ('measurement_count', models.PositiveIntegerField()),
                ('crossed_versions', models.BooleanField(default=False)),
                ('has_followup', models.BooleanField(default=False)),
                ('domains_improved', models.PositiveSmallIntegerField(default=0)),
                ('domains_equal', models.PositiveSmallIntegerField(default=0)),
                ('domains_worse', models.PositiveSmallIntegerField(default=0)),
                ('baseline_problem_domains', models.PositiveSmallIntegerField()),
                ('latest_problem_domains', models.PositiveSmallIntegerField()),
                ('baseline_acute_domains', models.PositiveSmallIntegerField()),
                ('latest_acute_domains', models.PositiveSmallIntegerField()),
                ('baseline_bucket', models.CharField(max_length=5)),
                ('latest_bucket', models.CharField(max_length=5)),
                ('baseline_category', models.CharField(max_length=30)),
                ('latest_category', models.CharField(max_length=30)),
                ('baseline_measurement', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='zrm.measurement')),
                ('basis_version', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='zrm.instrumentversion')),
                ('case', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.case')),
                ('latest_measurement', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='zrm.measurement')),
                ('person', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.person')),
                ('regisseur', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.staffmembership')),
                ('team', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.team')),
            ],
            options={
                'indexes': [models.Index(fields=['case', 'person'], name='reporting_progress_case_idx'), models.Index(fields=['team', 'latest_date'], name='reporting_progress_team_idx'), models.Index(fields=['regisseur'], name='reporting_progress_dir_idx')],
                'constraints': [models.UniqueConstraint(fields=('person', 'case'), name='reporting_progress_unique')],
            },
        ),
    ]
