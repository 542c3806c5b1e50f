"""Start values of the code lists (DOMAIN.md §4). Administrators can extend them."""
from django.db import migrations

MELDING_SOURCES = [
    ("zelfmelder", "Zelfmelder"),
    ("huisarts_poh", "Huisarts/POH"),
    ("school", "School"),
    ("wijkagent_politie", "Wijkagent/politie"),
    ("woningcorporatie", "Woningcorporatie"),
    ("moederorganisatie", "Moederorganisatie"),
    ("wijkverpleegkundige", "Wijkverpleegkundige"),
    ("meldpunt_zorg_overlast", "Meldpunt zorg en overlast"),
    ("vroegsignalering_schulden", "Vroegsignalering schulden"),
    ("veilig_thuis_jeugdbescherming", "Veilig Thuis/jeugdbescherming"),
    ("ggz_tweede_lijn", "GGZ/tweede lijn"),
    ("buurtwelzijn_opbouwwerk", "Buurtwelzijn/opbouwwerk"),
    ("familie_buren", "Familie/buren"),
    ("overig", "Overig"),
]

CLOSURE_REASONS = [
    ("doelen_behaald", "Doelen behaald"),
    ("redt_het_zelf", "Cliënt/netwerk redt het zelf"),
    ("overgedragen_nulde_lijn", "Overgedragen nulde lijn"),
    ("overgedragen_eerste_lijn", "Overgedragen eerste lijn"),
    ("overgedragen_tweede_lijn", "Overgedragen tweede lijn"),
    ("overgedragen_veiligheid", "Overgedragen veiligheid"),
    ("wmo_maatwerkvoorziening", "Wmo-maatwerkvoorziening"),
    ("verhuisd", "Verhuisd"),
    ("client_gestopt", "Cliënt gestopt"),
    ("overleden", "Overleden"),
    ("overig", "Overig"),
]


def load(apps, schema_editor):
    for model_name, rows in (("MeldingSource", MELDING_SOURCES), ("ClosureReason", CLOSURE_REASONS)):
        model = apps.get_model("cases", model_name)
        for order, (code, label) in enumerate(rows, start=1):
            model.objects.update_or_create(code=code, defaults={"label": label, "order": order})


def unload(apps, schema_editor):
    apps.get_model("cases", "MeldingSource").objects.all().delete()
    apps.get_model("cases", "ClosureReason").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
