"""Price book version 1: the LPBL default unit prices of DOMAIN.md §5 (2015 euros), plus escalation prices.

The escalation prices (keys escalation_*) are NOT LPBL figures: they are placeholders of a plausible
order of magnitude, marked `is_placeholder`, for the municipality to replace with its own amounts
(in a new price-book version). Reports warn while a placeholder is used.
"""
import datetime as dt
from decimal import Decimal

from django.db import migrations

LPBL = "LPBL-kengetallen (2015)"
PLACEHOLDER = "Plaatshouder, geen LPBL-bedrag: ordegrootte-schatting die de gemeente zelf vaststelt"

# key, label, amount, unit, source, placeholder
DEFAULT_PRICES = [
    ("team_member_fte", "Teamlid, per fte per jaar, incl. overhead", "85000", "per fte per jaar", LPBL, False),
    ("team_leader_fte", "Teamleider, per fte per jaar", "92000", "per fte per jaar", LPBL, False),
    ("team_hour", "Kosten van het team per uur", "71", "per uur", LPBL, False),
    ("uitkering", "Uitkering (per jaar)", "14400", "per jaar", LPBL, False),
    ("armoedevoorziening", "Armoedevoorziening", "300", "per traject", LPBL, False),
    ("schuldhulpverlening", "Schuldhulpverlening", "2000", "per traject", LPBL, False),
    ("re_integratie", "Re-integratie", "5500", "per traject", LPBL, False),
    ("activerende_dagbesteding", "Activerende dagbesteding", "600", "per traject", LPBL, False),
    ("maatschappelijke_dienstverlening", "Maatschappelijke dienstverlening (incl. algemeen maatschappelijk werk)",
     "1000", "per traject", LPBL, False),
    ("jeugd_opvoedhulp_ambulant", "Jeugd: opvoedhulp ambulant", "4250", "per traject", LPBL, False),
    ("jeugd_ggz_ambulant", "Jeugd: GGZ ambulant", "2812", "per traject", LPBL, False),
    ("ggz_ambulant", "GGZ ambulant", "2100", "per traject", LPBL, False),
    ("wmo_overig", "Wmo overig", "932", "per traject", LPBL, False),
    ("maatschappelijke_opvang", "Maatschappelijke opvang", "15100", "per traject", LPBL, False),
    ("work_year", "Eén persoon aan het werk: uitkering bespaard per jaar", "15000", "per persoon per jaar", LPBL, False),
    ("qaly", "Gezond levensjaar (QALY)", "20000", "per QALY", LPBL, False),
    ("escalation_huisuitzetting", "Voorkomen huisuitzetting", "20000", "per huisuitzetting", PLACEHOLDER, True),
    ("escalation_ots", "Voorkomen ondertoezichtstelling (OTS)", "15000", "per OTS", PLACEHOLDER, True),
    ("escalation_uhp", "Voorkomen uithuisplaatsing (UHP), per kind", "50000", "per kind", PLACEHOLDER, True),
    ("escalation_opname_vv", "Voorkomen opname verpleeg-/verzorgingshuis", "60000", "per opname", PLACEHOLDER, True),
    ("escalation_opname_ggz", "Voorkomen opname GGZ", "40000", "per opname", PLACEHOLDER, True),
]


def load(apps, schema_editor):
    PriceBook = apps.get_model("mkba", "PriceBook")
    PriceBookItem = apps.get_model("mkba", "PriceBookItem")
    book, _ = PriceBook.objects.get_or_create(
        version=1, defaults={"valid_from": dt.date(2015, 1, 1),
                             "description": "LPBL-standaardprijzen (euro's van 2015) en plaatshouders voor escalaties"},
    )
    for key, label, amount, unit, source, placeholder in DEFAULT_PRICES:
        PriceBookItem.objects.update_or_create(
            price_book=book, key=key,
            defaults={"label": label, "amount": Decimal(amount), "unit": unit, "source": source,
                      "is_placeholder": placeholder},
        )


def unload(apps, schema_editor):
    apps.get_model("mkba", "PriceBook").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("mkba", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
