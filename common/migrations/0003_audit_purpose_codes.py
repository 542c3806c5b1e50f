"""The audit purpose becomes a code from a fixed list (issue 15, finding 3): choices and a check constraint.

The constraint goes in NOT VALID: PostgreSQL checks every new row, and leaves the rows written before the
list alone. The audit log is append-only (an UPDATE trigger refuses changes), so rows whose purpose holds
free text (a break-the-glass reason) cannot be rewritten; new rows never carry free text.
A migration that changes the list drops the constraint and adds the new one NOT VALID the same way.
"""
from django.db import migrations, models

PURPOSES = [
    ("uitvoering wijkteamtaak", "uitvoering wijkteamtaak"),
    ("break-the-glass", "break-the-glass (inzage in de casus van een ander team)"),
    ("toezicht op break-the-glass", "toezicht op break-the-glass"),
    ("regiecheck", "regiecheck"),
    ("regiecheck: samenvatting gedeeld", "regiecheck: samenvatting gedeeld"),
    ("regiecheck: persoon gekoppeld", "regiecheck: persoon aan een huishouden gekoppeld"),
    ("inzageverzoek (AVG art. 15)", "inzageverzoek (AVG art. 15)"),
    ("registratie-import (koppeling of migratie)", "registratie-import (koppeling of migratie)"),
    ("ZRM-meting vastgesteld", "ZRM-meting vastgesteld"),
    ("ZRM-correctie", "ZRM-correctie"),
    ("ZRM-meting gecorrigeerd", "ZRM-meting gecorrigeerd"),
    ("ZRM-historie inzien", "ZRM-historie inzien"),
    ("ZRM-historie huishouden inzien", "ZRM-historie huishouden inzien"),
    ("sturingsinformatie", "sturingsinformatie"),
    ("export sturingsinformatie", "export sturingsinformatie"),
    ("sturingsinformatie gemeente (API)", "sturingsinformatie gemeente (API)"),
    ("maatschappelijke kosten-batenanalyse", "maatschappelijke kosten-batenanalyse"),
    ("onderzoek", "onderzoek (gepseudonimiseerd onderzoeksbestand)"),
    ("bewaartermijn verstreken: anonimiseren en vrije tekst verwijderen",
     "bewaartermijn verstreken: anonimiseren en vrije tekst verwijderen"),
    ("functioneel beheer", "functioneel beheer"),
    ("demogegevens aanmaken", "demogegevens aanmaken"),
]

CONSTRAINT = models.CheckConstraint(condition=models.Q(purpose__in=[code for code, _ in PURPOSES]),
                                    name="audit_purpose_in_code_list")


def add_not_valid(apps, schema_editor):
    model = apps.get_model("common", "AuditEvent")
    schema_editor.execute(f"{CONSTRAINT.create_sql(model, schema_editor)} NOT VALID")


def drop(apps, schema_editor):
    model = apps.get_model("common", "AuditEvent")
    schema_editor.execute(str(CONSTRAINT.remove_sql(model, schema_editor)))


class Migration(migrations.Migration):

    dependencies = [
        ("common", "0002_enrolment_code"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="auditevent", name="purpose",
                                      field=models.CharField(choices=PURPOSES, max_length=200)),
                migrations.AddConstraint(model_name="auditevent", constraint=CONSTRAINT),
            ],
            database_operations=[migrations.RunPython(add_not_valid, drop)],
        ),
    ]
