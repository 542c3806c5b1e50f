"""Four eyes on access to personal data (issue 15): AccessGrantRequest, requested by one beheerder and decided
by another (a check constraint), final once decided (a trigger)."""

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('common', '0006_auditevent_changes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessGrantRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=40, verbose_name='soort')),
                ('target_type', models.CharField(max_length=50)),
                ('target_id', models.CharField(blank=True, help_text='Leeg voor iets nieuws tot de goedkeuring.', max_length=64)),
                ('before', models.JSONField(blank=True, null=True)),
                ('after', models.JSONField()),
                ('requested_at', models.DateTimeField(verbose_name='aangevraagd op')),
                ('decision', models.CharField(choices=[('aangevraagd', 'Wacht op beoordeling'), ('goedgekeurd', 'Goedgekeurd'), ('afgewezen', 'Afgewezen')], default='aangevraagd', max_length=20, verbose_name='beslissing')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='beoordeeld op')),
                ('reason', models.TextField(blank=True, verbose_name='toelichting bij de beslissing')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='beoordeeld door')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='aangevraagd door')),
            ],
            options={
                'verbose_name': 'toegangsaanvraag',
                'verbose_name_plural': 'toegangsaanvragen (vier ogen)',
                'ordering': ['-requested_at', '-pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('decided_by', models.F('requested_by')), _negated=True), name='grant_decided_by_another'), models.CheckConstraint(condition=models.Q(models.Q(('decided_at__isnull', True), ('decided_by__isnull', True), ('decision', 'aangevraagd')), models.Q(models.Q(('decision', 'aangevraagd'), _negated=True), ('decided_at__isnull', False), ('decided_by__isnull', False)), _connector='OR'), name='grant_decision_complete')],
            },
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='accessgrantrequest',
            trigger=pgtrigger.compiler.Trigger(name='grant_decided_is_final', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD."decision" IN (\'goedgekeurd\', \'afgewezen\'))', func="RAISE EXCEPTION 'grant_decided_is_final: a decided access request never changes' USING ERRCODE = 'check_violation';", hash='47e7c24707d02015746e3935d2a3819f9f1eb397', operation='UPDATE OR DELETE', pgid='pgtrigger_grant_decided_is_final_5e0fc', table='common_accessgrantrequest', when='BEFORE')),
        ),
    ]
