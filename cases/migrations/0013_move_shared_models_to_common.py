"""AuditEvent and ApiClient moved to the common app (common/migrations/0001_initial.py).

State only: the tables (cases_auditevent with its append-only trigger, cases_apiclient,
cases_apiclient_teams) stay as they are; the common models name them in db_table.
"""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0012_case_triggers_from_the_model"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ApiClient"),
                migrations.DeleteModel(name="AuditEvent"),
            ],
            database_operations=[],
        ),
    ]
