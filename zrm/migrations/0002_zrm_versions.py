"""ZRM 2013 (11 domains + the 4-domain child module) and ZRM 2017 (13 domains), their public level
labels, and the 2013 -> 2017 domain mapping (DOMAIN.md §2). ZRM 2017 starts as the active version.

Anchor texts (© GGD Amsterdam) are not shipped: `manage.py import_zrm_anchors FILE.csv`.
The cluster of a ZRM 2017 domain is the Groningen cluster of its 2013 parent.
"""
from django.db import migrations

LEVELS = [
    (1, "Acute problematiek"),
    (2, "Niet zelfredzaam"),
    (3, "Beperkt zelfredzaam"),
    (4, "Voldoende zelfredzaam"),
    (5, "Volledig zelfredzaam"),
]

# code, name, aliases, cluster, child module
ZRM_2013 = [
    ("financien", "Financiën", ["Inkomen"], "financien", False),
    ("dagbesteding", "Dagbesteding", [], "participatie", False),
    ("huisvesting", "Huisvesting", [], "financien", False),
    ("huiselijke_relaties", "Huiselijke relaties", ["Gezinsrelaties"], "opvoeding", False),
    ("geestelijke_gezondheid", "Geestelijke gezondheid", [], "geestelijk", False),
    ("lichamelijke_gezondheid", "Lichamelijke gezondheid", ["Fysieke gezondheid"], "fysiek", False),
    ("verslaving", "Verslaving", [], "geestelijk", False),
    ("adl", "ADL-vaardigheden", ["Activiteiten van het dagelijks leven", "ADL"], "fysiek", False),
    ("sociaal_netwerk", "Sociaal netwerk", [], "participatie", False),
    ("maatschappelijke_participatie", "Maatschappelijke participatie", [], "participatie", False),
    ("justitie", "Justitie", [], "justitie", False),
    ("lichamelijke_verzorging", "Lichamelijke verzorging", [], "opvoeding", True),
    ("opvang", "Opvang", [], "opvoeding", True),
    ("scholing", "Scholing", [], "opvoeding", True),
    ("sociaal_emotionele_ondersteuning", "Sociaal-emotionele ondersteuning", [], "opvoeding", True),
]

ZRM_2017 = [
    ("financien", "Financiën", ["Inkomen"], "financien", False),
    ("werk_opleiding", "Werk & opleiding", [], "participatie", False),
    ("tijdsbesteding", "Tijdsbesteding", [], "participatie", False),
    ("huisvesting", "Huisvesting", [], "financien", False),
    ("huiselijke_relaties", "Huiselijke relaties", ["Gezinsrelaties"], "opvoeding", False),
    ("geestelijke_gezondheid", "Geestelijke gezondheid", [], "geestelijk", False),
    ("lichamelijke_gezondheid", "Lichamelijke gezondheid", ["Fysieke gezondheid"], "fysiek", False),
    ("middelengebruik", "Middelengebruik", [], "geestelijk", False),
    ("basale_adl", "Basale ADL", [], "fysiek", False),
    ("instrumentele_adl", "Instrumentele ADL", [], "fysiek", False),
    ("sociaal_netwerk", "Sociaal netwerk", [], "participatie", False),
    ("maatschappelijke_participatie", "Maatschappelijke participatie", [], "participatie", False),
    ("justitie", "Justitie", [], "justitie", False),
]

SPLIT_OR_RENAMED = {
    "dagbesteding": ["werk_opleiding", "tijdsbesteding"],
    "adl": ["basale_adl", "instrumentele_adl"],
    "verslaving": ["middelengebruik"],
}


def load(apps, schema_editor):
    Instrument = apps.get_model("zrm", "Instrument")
    InstrumentVersion = apps.get_model("zrm", "InstrumentVersion")
    Domain = apps.get_model("zrm", "Domain")
    LevelLabel = apps.get_model("zrm", "LevelLabel")
    DomainMapping = apps.get_model("zrm", "DomainMapping")

    zrm, _ = Instrument.objects.get_or_create(code="zrm", defaults={"name": "Zelfredzaamheid-Matrix"})
    domains = {}
    for code, name, year, rows, active in (
        ("zrm-2013", "ZRM 2013", 2013, ZRM_2013, False),
        ("zrm-2017", "ZRM 2017", 2017, ZRM_2017, True),
    ):
        version = InstrumentVersion.objects.create(instrument=zrm, code=code, name=name, year=year, is_active=active)
        LevelLabel.objects.bulk_create(LevelLabel(version=version, level=lvl, label=label) for lvl, label in LEVELS)
        for order, (dcode, dname, aliases, cluster, child) in enumerate(rows, start=1):
            domains[(year, dcode)] = Domain.objects.create(
                version=version, code=dcode, name=dname, aliases=aliases, order=order, cluster=cluster,
                is_child_module=child,
            )
    codes_2017 = {code for code, *_ in ZRM_2017}
    for code, *_ in ZRM_2013:
        targets = SPLIT_OR_RENAMED.get(code, [code] if code in codes_2017 else [])
        for target in targets:
            DomainMapping.objects.create(source=domains[(2013, code)], target=domains[(2017, target)])


def unload(apps, schema_editor):
    apps.get_model("zrm", "DomainMapping").objects.all().delete()
    apps.get_model("zrm", "LevelLabel").objects.all().delete()
    apps.get_model("zrm", "AnchorText").objects.all().delete()
    apps.get_model("zrm", "Domain").objects.all().delete()
    apps.get_model("zrm", "InstrumentVersion").objects.all().delete()
    apps.get_model("zrm", "Instrument").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("zrm", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
