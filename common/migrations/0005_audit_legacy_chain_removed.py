"""The SHA-256 chain columns of the audit rows go: the rows are chained by their seals (0002)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("common", "0004_audit_seals"),
    ]

    operations = [
        migrations.RemoveField(model_name="auditevent", name="prev_hash"),
        migrations.RemoveField(model_name="auditevent", name="row_hash"),
    ]
