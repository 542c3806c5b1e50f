# The calendar of days per period and the cases open per period (equality joins for the aggregates).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial'),
        ('reporting', '0002_progress_engine'),
    ]

    operations = [
        migrations.CreateModel(
            name='CasePeriod',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('open_at_end', models.BooleanField(default=False)),
                ('monitoring', models.BooleanField(default=False)),
            ],
        ),
        migrations.CreateModel(
            name='ReportDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
            ],
        ),
        migrations.RemoveIndex(
            model_name='aggregatecell',
            name='reporting_cell_idx',
        ),
        migrations.AddField(
            model_name='reportperiod',
            name='seq',
            field=models.IntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name='reportperiod',
            index=models.Index(fields=['kind', 'seq'], name='reporting_period_seq_idx'),
        ),
        migrations.AddField(
            model_name='caseperiod',
            name='case',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.case'),
        ),
        migrations.AddField(
            model_name='caseperiod',
            name='period',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reporting.reportperiod'),
        ),
        migrations.AddField(
            model_name='caseperiod',
            name='regisseur',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.staffmembership'),
        ),
        migrations.AddField(
            model_name='reportday',
            name='period',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='days', to='reporting.reportperiod'),
        ),
        migrations.AddIndex(
            model_name='caseperiod',
            index=models.Index(fields=['period', 'open_at_end'], name='reporting_caseperiod_idx'),
        ),
        migrations.AddConstraint(
            model_name='caseperiod',
            constraint=models.UniqueConstraint(fields=('case', 'period'), name='reporting_caseperiod_unique'),
        ),
        migrations.AddConstraint(
            model_name='reportday',
            constraint=models.UniqueConstraint(fields=('day', 'period'), name='reporting_day_unique'),
        ),
    ]
