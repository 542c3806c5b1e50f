"""The audit rows of functioneel beheer carry their change (issue 15): AuditEvent.changes, field -> before/after
in ids and codes. Null on every other row, so the rows already in the log keep their hash (common.audit).

Adding a nullable column updates no row: the audit log's append-only trigger is not involved.
"""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("common", "0005_audit_legacy_chain_removed"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="changes",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
    ]
