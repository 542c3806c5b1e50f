"""The LPBL intervention/trajectory types (DOMAIN.md §4) as stable codes shared with the MKBA price book."""
from django.db import migrations

INTERVENTION_TYPES = [
    ("uitkering", "Uitkering"),
    ("armoedevoorziening", "Armoedevoorziening"),
    ("schuldhulpverlening", "Schuldhulpverlening"),
    ("re_integratie", "Re-integratie"),
    ("activerende_dagbesteding", "Activerende dagbesteding"),
    ("maatschappelijke_dienstverlening", "Maatschappelijke dienstverlening (incl. algemeen maatschappelijk werk)"),
    ("wmo_huishoudelijke_hulp", "Wmo huishoudelijke hulp"),
    ("wmo_overig", "Wmo overig"),
    ("jeugd_opvoedhulp_ambulant", "Jeugd: opvoedhulp ambulant"),
    ("jeugd_ggz_ambulant", "Jeugd: GGZ ambulant"),
    ("ggz_ambulant", "GGZ ambulant"),
    ("verslavingszorg", "Verslavingszorg"),
    ("maatschappelijke_opvang", "Maatschappelijke opvang"),
    ("begeleiding", "Begeleiding (AWBZ/Wlz)"),
    ("ots", "Ondertoezichtstelling (OTS)"),
    ("uhp", "Uithuisplaatsing (UHP)"),
    ("anders", "Anders"),
]


def load(apps, schema_editor):
    model = apps.get_model("cases", "InterventionType")
    for order, (code, label) in enumerate(INTERVENTION_TYPES, start=1):
        model.objects.update_or_create(code=code, defaults={"label": label, "order": order})


def unload(apps, schema_editor):
    apps.get_model("cases", "InterventionType").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_plans_interventions")]
    operations = [migrations.RunPython(load, unload)]
