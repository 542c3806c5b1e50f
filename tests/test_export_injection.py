"""Exports that cannot attack the reader (issue 15, finding 4).

A staff name, team name, code-list label or MKBA scenario name starting with = + - @, a tab or a carriage
return reached CSV unescaped and XLSX as a real formula (=HYPERLINK(...)). For every CSV and XLSX download
in the URL conf, and every dangerous first character, the text is seeded where users and beheerders can put
it; the CSV cell must be neutralised (an apostrophe in front) and the XLSX must hold no formula cell, the
dangerous text being a string cell with the quote prefix. Numbers stay numbers.
"""
import csv
import datetime as dt
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases.models import MeldingSource, Team
from common.services import create_api_client
from reporting import selectors, services
from reporting.mkba import services as mkba_services
from reporting.mkba.models import Scenario
from tests.factories import StaffFactory
from tests.reporting.factories import make_case, team_with_workers
from tests.reporting.mkba.factories import YEAR, build_registration

pytestmark = pytest.mark.django_db

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
MARKER = "aanvaller.example"
PLAIN_NUMBER = re.compile(r"^[+-]?[0-9][0-9,.]*$")  # a signed number is a number, not a formula


def payload(prefix: str, what: str) -> str:
    return f'{prefix}HYPERLINK("https://{MARKER}/{what}";"klik")'


def dangerous(text) -> bool:
    return isinstance(text, str) and text[:1] in PREFIXES and not PLAIN_NUMBER.match(text)


# --- every CSV/XLSX download in the URL conf -------------------------------------------------------------

def url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", str(pattern.pattern)


# url name -> the formats it downloads as spreadsheets (the PDF is no spreadsheet)
SPREADSHEET_EXPORTS = {
    "reporting:team_export": ("csv", "xlsx"),
    "reporting:municipality_export": ("csv", "xlsx"),
    "reporting:mkba:export_xlsx": ("xlsx",),
    "aggregates-export": ("csv",),
}
NOT_SPREADSHEETS = {"reporting:mkba:export_pdf"}


def test_every_export_in_the_url_conf_is_tested_here():
    found = {name for name, route in url_names()
             if "export" in name or re.search(r"\.(csv|xlsx|xls|tsv)\b", route) or "csv" in name or "xlsx" in name}
    assert found == set(SPREADSHEET_EXPORTS) | NOT_SPREADSHEETS


# --- the data the attacker controls -----------------------------------------------------------------------

@pytest.fixture(params=PREFIXES, ids=["is", "plus", "min", "at", "tab", "cr"])
def prefix(request):
    return request.param


@pytest.fixture
def dashboards(prefix):
    """A team, a worker and a leader, a melding source and a wijk whose names start with `prefix`."""
    today = timezone.localdate()
    quarter = selectors.period_start_for("quarter", today)
    team, (worker,) = team_with_workers(1, name="Wijkteam Noord")
    Team.objects.filter(pk=team.pk).update(name=payload(prefix, "team"))
    leader = StaffFactory(leader=True, team=team)
    get_user_model().objects.filter(pk=worker.user.pk).update(first_name=payload(prefix, "medewerker"))
    MeldingSource.objects.create(code=payload(prefix, "code")[:64], label=payload(prefix, "meldingsbron"))
    MeldingSource.objects.filter(code="zelfmelder").update(label=payload(prefix, "label"))
    melding = max(quarter, today - dt.timedelta(days=30))
    for i in range(6):
        make_case(worker, melding, contact=melding + dt.timedelta(days=1), wijk=payload(prefix, "wijk"),
                  source=payload(prefix, "code")[:64] if i % 2 else "zelfmelder")
    services.rebuild_all(on=today)
    return {"team": team, "leader": leader, "gemeente": StaffFactory(municipality=True), "quarter": quarter}


@pytest.fixture
def mkba(prefix):
    """An MKBA scenario, its team and an own benefit line whose names start with `prefix`."""
    registration = build_registration()
    mkba_services.refresh_scope(registration.team.pk, YEAR)
    base = Scenario.objects.get(team=registration.team, year=YEAR, is_base=True)
    actor = mkba_services.Actor(user=None)
    other = mkba_services.create_scenario(actor=actor, team_id=registration.team.pk, year=YEAR, name="Variant")
    mkba_services.add_manual_benefit(actor=actor, scenario=other, category="effectiveness",
                                     label="Eigen baat", amount=1000, year=1, benefit_actor="gemeente")
    other.refresh_from_db()
    overrides = other.overrides
    overrides["benefits"][0]["label"] = payload(prefix, "baat")
    Scenario.objects.filter(pk=other.pk).update(name=payload(prefix, "scenario"), overrides=overrides)
    Team.objects.filter(pk=registration.team.pk).update(name=payload(prefix, "team"))
    other = mkba_services.update_overrides(actor=actor, scenario=Scenario.objects.get(pk=other.pk), values={})
    return {"base": base, "scenario": other, "gemeente": StaffFactory(municipality=True)}


# --- reading what was downloaded --------------------------------------------------------------------------

def csv_cells(response) -> list[str]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for cell in row]


def assert_csv_is_neutralised(response, expected: set[str]):
    cells = csv_cells(response)
    assert not [c for c in cells if dangerous(c)], "formula-like cells in the CSV"
    seeded = [c for c in cells if MARKER in c]
    assert {what for what in expected if any(f"/{what}\"" in c for c in seeded)} == expected, seeded
    assert all(c.startswith("'") for c in seeded if "HYPERLINK" in c[:2]), seeded


def assert_xlsx_is_neutralised(response, expected: set[str]):
    assert response.status_code == 200 and response.content.startswith(b"PK\x03\x04")
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    formulas = [(cell.coordinate, cell.value) for cell in cells if cell.data_type == "f"]
    assert not formulas, formulas
    for cell in cells:
        if dangerous(cell.value):
            assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, cell.value)
    seeded = [cell.value for cell in cells if isinstance(cell.value, str) and MARKER in cell.value]
    assert {what for what in expected if any(f"/{what}\"" in v for v in seeded)} == expected, seeded
    numbers = [cell.value for cell in cells if cell.data_type == "n" and cell.value is not None]
    assert numbers and all(isinstance(n, (int, float)) for n in numbers)  # numbers stay numbers


def check(response, fmt: str, expected: set[str]):
    if fmt == "csv":
        assert_csv_is_neutralised(response, expected)
    else:
        assert_xlsx_is_neutralised(response, expected)


# --- every export endpoint ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", SPREADSHEET_EXPORTS["reporting:team_export"])
def test_the_team_dashboard_export_neutralises_names_and_labels(client, dashboards, fmt):
    client.force_login(dashboards["leader"].user)
    response = client.get(f"/rapportage/team/export/{fmt}?team={dashboards['team'].pk}")
    check(response, fmt, {"team", "medewerker", "label", "meldingsbron"})


@pytest.mark.parametrize("fmt", SPREADSHEET_EXPORTS["reporting:municipality_export"])
def test_the_municipality_export_neutralises_names_and_labels(client, dashboards, fmt):
    client.force_login(dashboards["gemeente"].user)
    response = client.get(f"/rapportage/gemeente/export/{fmt}")
    check(response, fmt, {"team", "label", "meldingsbron"})


def test_the_mkba_export_neutralises_the_scenario_team_and_benefit_names(client, mkba):
    client.force_login(mkba["gemeente"].user)
    response = client.get(f"/rapportage/mkba/scenario/{mkba['scenario'].pk}/export.xlsx")
    check(response, "xlsx", {"scenario", "team", "baat"})
    response = client.get(f"/rapportage/mkba/scenario/{mkba['base'].pk}/export.xlsx")  # side by side
    check(response, "xlsx", {"scenario", "team"})


def test_the_aggregates_api_export_neutralises_codes(dashboards):
    _, token = create_api_client(name="Gemeente", scopes=["aggregaten.lezen"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api.get("/api/v1/aggregaten/export", {"scopeKind": "all", "periodKind": "quarter",
                                                      "periodStart": dashboards["quarter"].isoformat()})
    check(response, "csv", {"code"})


def test_a_signed_number_stays_a_number_and_anything_after_it_is_still_neutralised():
    """The dashboards show differences as '+0,7': a spreadsheet reads that as a number, so it is left alone;
    '+1+HYPERLINK(...)' is a formula and is neutralised."""
    from common.exports import csv_bytes

    text = csv_bytes([["+0,7", "-3", "+1+" + payload("", "x"), "+0,7;=1"]]).decode("utf-8-sig")
    cells = next(csv.reader(io.StringIO(text), delimiter=";"))
    assert cells[:2] == ["+0,7", "-3"]
    assert cells[2].startswith("'") and cells[3].startswith("'")
