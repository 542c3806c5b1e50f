"""End-to-end journeys in headless Chromium, through the real UI, for the three roles that use Wijkregie daily:
the sociaal werker (melding to closing), the teamleider (team page, overdue work, progress, CSV export) and
the gemeente (aggregates only, the same figures in the export and through the API).

Screenshots of every main page go to $E2E_SCREENSHOT_DIR (default tests/e2e/screenshots/, git-ignored) for review.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import urllib.parse
import urllib.request
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import Resolver404, resolve

from cases import services as case_services
from cases.models import Case, CaseStatus, InterventionType, MemberRole, Person
from common.audit import Actor
from common.services import create_api_client
from reporting import services as reporting_services
from tests.e2e.conftest import sign_in
from tests.factories import StaffFactory, melding_source, valid_bsn
from tests.reporting.factories import CODES_2017, make_case, measure, team_with_workers
from zrm.models import Measurement, MeasurementStatus, MeasurementType

pytestmark = [pytest.mark.e2e]

TODAY = dt.date.today()
SCREENSHOTS = Path(os.environ.get("E2E_SCREENSHOT_DIR") or Path(__file__).parent / "screenshots")


def screenshot(page, name: str) -> Path:
    """The whole page as a PNG in the screenshot folder, for a human to review."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path



def click(page, name: str, role: str = "button") -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).click()


def alerts(page) -> str:
    return " ".join(page.locator("main [role=alert], main [role=status]").all_inner_texts())


def score_by_keyboard(page, keys: list[int]) -> None:
    """The ZRM entry screen: one digit per domain from the first one, then V to finalise (keyboard only)."""
    page.focus("#id_score_financien_1")
    for key in keys:
        page.keyboard.press(str(key))
    assert page.evaluate("document.activeElement.id") == "zrm-finalise"
    with page.expect_navigation():
        page.keyboard.press("v")
    assert "De meting is vastgesteld." in alerts(page)


def scores_of(measurement: Measurement) -> dict[str, int | None]:
    return {s.domain.code: s.score for s in measurement.scores.select_related("domain")}


# ZRM 2017, in screen order (CODES_2017): Financiën 2 and Tijdsbesteding 3 are the problem domains at the start.
NULMETING = [2, 4, 3, 4, 4, 4, 4, 5, 5, 4, 4, 4, 5]
TUSSENMETING = [3, 4, 4, 4, 4, 4, 4, 5, 5, 4, 4, 4, 5]
AFSLUITING = [4, 4, 4, 4, 4, 4, 4, 5, 5, 4, 4, 4, 5]


@pytest.fixture
def afsluiting_required(settings):
    settings.WIJKREGIE = {**settings.WIJKREGIE, "ZRM_AFSLUITING_REQUIRED": True}


def test_social_worker_takes_a_household_from_melding_to_closing_with_an_afsluiting_zrm(
        page, afsluiting_required):
    _, (worker,) = team_with_workers(1)
    melding_day, contact_day, nulmeting_day = (TODAY - dt.timedelta(days=d) for d in (21, 14, 7))
    target = (TODAY + dt.timedelta(days=90)).isoformat()
    bsn = valid_bsn()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/inloggen")
    screenshot(page, "inloggen")
    sign_in(page, worker, "/casussen/mijn-caseload")
    screenshot(page, "sociaal-werker-01-mijn-caseload")

    # Regiecheck first: does anyone already hold direction for this resident? (Nobody does.)
    click(page, "Regiecheck", "link")
    page.fill("#id_bsn", bsn)
    page.fill("#id_date_of_birth", "1986-02-11")
    page.fill("#id_postcode", "9741KL")
    page.fill("#id_house_number", "12")
    click(page, "Regiecheck uitvoeren")
    assert "Geen regie bekend." in page.locator("#regiecheck-result").inner_text()
    screenshot(page, "sociaal-werker-02-regiecheck")

    # Melding: search the address (not known), register the household with two members.
    click(page, "Nieuwe melding", "link")
    page.fill("#id_bsn", bsn)
    click(page, "Zoeken")
    assert "Er is geen huishouden gevonden" in page.content()
    assert page.input_value("#id_members-0-bsn") == bsn  # the searched BSN is carried over, by POST
    page.fill("#id_postcode", "9741 KL")
    page.fill("#id_house_number", "12")
    page.fill("#id_street", "Zonnelaan")
    page.fill("#id_city", "Groningen")
    page.fill("#id_wijk", "Paddepoel")
    page.fill("#id_members-0-first_name", "Sanne")
    page.fill("#id_members-0-name_prefix", "de")
    page.fill("#id_members-0-last_name", "Vries")
    page.fill("#id_members-0-date_of_birth", "1986-02-11")
    page.select_option("#id_members-0-role", "ouder")
    click(page, "Nog een gezinslid toevoegen")
    assert page.input_value("#id_members-0-first_name") == "Sanne"  # what was typed is kept
    page.fill("#id_members-1-first_name", "Daan")
    page.fill("#id_members-1-name_prefix", "de")
    page.fill("#id_members-1-last_name", "Vries")
    page.fill("#id_members-1-date_of_birth", "2016-09-01")
    page.select_option("#id_members-1-role", "kind")
    page.fill("#id_melding_date", melding_day.isoformat())
    page.select_option("#id_melding_source", label="Huisarts/POH")
    screenshot(page, "sociaal-werker-03-nieuwe-melding")
    click(page, "Melding registreren")
    assert "Melding geregistreerd: de casus is aangemaakt." in alerts(page)
    case = Case.objects.get(household__postcode="9741KL", household__house_number=12)
    assert page.url.endswith(f"/casussen/{case.pk}")
    assert (case.status, case.regisseur, case.melding_date, case.melding_source.code) == (
        CaseStatus.REGISTERED, worker, melding_day, "huisarts_poh")
    members = {m.person.first_name: m for m in case.household.memberships.select_related("person")}
    assert set(members) == {"Sanne", "Daan"} and members["Sanne"].person.bsn == bsn
    sanne, daan = members["Sanne"].person, members["Daan"].person

    # First contact.
    page.fill("#id_contact-contact_date", contact_day.isoformat())
    click(page, "Eerste contact opslaan")
    case.refresh_from_db()
    assert (case.status, case.first_contact_date) == (CaseStatus.IN_PROGRESS, contact_day)

    # Nulmeting, scored by keyboard on the entry screen.
    click(page, "Nieuwe meting voor Sanne", "link")
    assert page.input_value("#id_type") == MeasurementType.NULMETING
    page.fill("#id_date", nulmeting_day.isoformat())
    screenshot(page, "sociaal-werker-04-zrm-invoer")
    score_by_keyboard(page, NULMETING)
    nulmeting = Measurement.objects.get(case=case, person=sanne, type=MeasurementType.NULMETING)
    assert nulmeting.status == MeasurementStatus.FINAL and nulmeting.date == nulmeting_day
    assert scores_of(nulmeting) == dict(zip(CODES_2017, NULMETING))

    # The plan for Sanne: a goal for each low domain, an own-effort agreement, the network; then vaststellen.
    page.goto(f"/casussen/{case.pk}")
    click(page, "Plan starten", "link")
    page.uncheck(f"input[name=covered_persons][value='{daan.pk}']")
    click(page, "Plan starten")
    assert "Plan van aanpak versie 1 is gestart." in alerts(page)
    for domain_name, description in (("Financiën", "Schulden in beeld en een betalingsregeling"),
                                     ("Tijdsbesteding", "Twee dagdelen per week vrijwilligerswerk")):
        with page.expect_navigation():
            page.get_by_role("link", name=re.compile(f"^Doel voor {domain_name}")).click()
        page.fill("#id_description", description)
        page.select_option("#id_target_score", "4")
        page.fill("#id_target_date", target)
        page.select_option("#id_actor_type", "client")
        click(page, "Doel opslaan")
        assert "Het doel is toegevoegd." in alerts(page)
    click(page, "Afspraak toevoegen", "link")
    page.get_by_label("Cliënt", exact=True).check()
    page.fill("#id_description", "Opent zelf elke week de post en belt de schuldhulp")
    page.fill("#id_due_date", target)
    click(page, "Afspraak opslaan")
    click(page, "Netwerkanalyse invullen", "link")
    page.get_by_label("Het netwerk is verkend").check()
    page.get_by_label("Het netwerk is benaderd").check()
    page.get_by_label("Er is een bijdrage van het netwerk afgesproken").check()
    click(page, "Netwerkanalyse opslaan")
    assert "Het plan is compleet en kan worden vastgesteld." in page.locator("#plan-checklist").inner_text()
    click(page, "Plan vaststellen")
    assert "Plan van aanpak versie 1 is vastgesteld." in alerts(page)
    plan = case.plans.get()
    assert plan.status == "vastgesteld" and list(plan.covered_persons.all()) == [sanne]
    assert sorted(plan.goals.values_list("domain__code", flat=True)) == ["financien", "tijdsbesteding"]
    page.locator("section#plan").scroll_into_view_if_needed()
    screenshot(page, "sociaal-werker-05-casus-met-plan")

    # Interventions: debt help started by an external professional; light support by the team above the cap.
    click(page, "Traject toevoegen", "link")
    page.select_option("#id_type", label="Schuldhulpverlening")
    page.fill("#id_provider", "Kredietbank Groningen")
    page.fill("#id_start_date", (TODAY - dt.timedelta(days=3)).isoformat())
    page.get_by_label("Gestart door het team").check()
    page.get_by_label("Externe professional").check()
    page.check("input[name=would_have_started_without_team][value=nee]")
    screenshot(page, "sociaal-werker-06-traject")
    click(page, "Traject opslaan")
    click(page, "Traject toevoegen", "link")
    page.select_option("#id_type", str(InterventionType.objects.get(code="maatschappelijke_dienstverlening").pk))
    page.fill("#id_start_date", (TODAY - dt.timedelta(days=2)).isoformat())
    page.get_by_label("Gestart door het team").check()
    page.get_by_label("Het team zelf").check()
    page.fill("#id_monthly_hours", "10")
    click(page, "Traject opslaan")
    assert "begrensd op 8 uur per maand" in alerts(page)  # a warning, not a block
    interventions = {i.type.code: i for i in case.interventions.select_related("type")}
    assert set(interventions) == {"schuldhulpverlening", "maatschappelijke_dienstverlening"}
    assert (interventions["schuldhulpverlening"].team_action, interventions["schuldhulpverlening"].deliverer,
            interventions["schuldhulpverlening"].would_have_started_without_team) == ("gestart", "extern", False)
    assert page.locator("#interventions-table tbody tr").count() == 2

    # Tussenmeting, by keyboard: the entry screen now shows the previous scores and proposes a tussenmeting.
    click(page, "Nieuwe meting voor Sanne", "link")
    assert page.input_value("#id_type") == MeasurementType.TUSSENMETING
    assert page.locator("#zrm-prev-financien").inner_text().startswith("Vorige score: 2 (niet zelfredzaam)")
    score_by_keyboard(page, TUSSENMETING)

    # Mijn overzicht: Sanne's progress from the nulmeting to the tussenmeting.
    click(page, "Mijn overzicht", "link")
    row = next(r for r in table_rows(page, "ZRM-voortgang per persoon") if r[0] == f"Sanne (casus {case.pk})")
    assert row[3] == "2 → 1" and row[6] == "2 / 11 / 0"  # problem domains; domains better / equal / worse
    screenshot(page, "sociaal-werker-07-mijn-overzicht")

    # Closing is refused while Sanne lacks an afsluiting ZRM, then works after one.
    page.goto(f"/casussen/{case.pk}")
    page.select_option("#id_close-reason", label="Doelen behaald")
    click(page, "Casus afsluiten")
    refusal = "Leg eerst een vastgestelde afsluitende ZRM vast voor: Sanne de Vries."
    assert refusal in page.locator("section[aria-labelledby=close-heading]").inner_text()
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.closed_on is None
    click(page, "Nieuwe meting voor Sanne", "link")
    page.select_option("#id_type", MeasurementType.AFSLUITING)
    score_by_keyboard(page, AFSLUITING)
    page.goto(f"/casussen/{case.pk}")
    page.select_option("#id_close-reason", label="Doelen behaald")
    click(page, "Casus afsluiten")
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.closure_reason.code) == (CaseStatus.CLOSED, TODAY, "doelen_behaald")
    assert "Afgesloten" in page.locator("h1").inner_text()
    finals = Measurement.objects.filter(case=case, person=sanne, status=MeasurementStatus.FINAL)
    assert sorted(finals.values_list("type", flat=True)) == ["afsluiting", "nulmeting", "tussenmeting"]

    # The person's history: baseline (nulmeting) against latest (afsluiting), as a chart and its table.
    page.goto(f"/zrm/casussen/{case.pk}/personen/{sanne.pk}")
    table = page.locator(f"#zrm-chart-{sanne.pk}-table tbody tr").first.inner_text().split("\t")
    assert table == ["Financiën", "2", "4", "+2"]
    screenshot(page, "sociaal-werker-08-zrm-historie")

    page.goto("/casussen/mijn-caseload")
    assert f"/casussen/{case.pk}\"" not in page.content()  # closed: no longer on the caseload
    assert not [url for url in requested if bsn in url], "the BSN travelled in a URL"
    assert page.js_errors == []


# --- Team leader ---------------------------------------------------------------------------------------

# Financiën in a team of six paired persons: nulmeting -> tussenmeting. Means 13/6 = 2.17 and 17/6 = 2.83:
# the difference of the unrounded means is +0.67 -> "+0,7" (rounding the means first would give 2.8 - 2.2 = 0.6).
FINANCIEN = [(2, 3), (1, 2), (2, 3), (2, 2), (3, 4), (3, 3)]


def team_with_households(name: str = "Wijkteam Oost"):
    """A team with two workers and a leader; six households with a nulmeting (the first one registered through
    the melding service three weeks ago: 'the new case'), and one case 70 days old without any ZRM (overdue)."""
    team, (worker, colleague) = team_with_workers(1, 0.8, name=name)
    leader = StaffFactory(leader=True, team=team)
    actor = Actor(user=worker.user)
    new_case = case_services.register_melding(
        actor=actor, team=team, melding_date=TODAY - dt.timedelta(days=21), melding_source=melding_source("school"),
        regisseur=worker, new_household=case_services.HouseholdData(
            postcode="9712CD", house_number=3, street="Herestraat", city="Groningen", wijk="Centrum",
            members=[case_services.PersonData(first_name="Fenna", last_name="Tjoelker", bsn=valid_bsn(),
                                              date_of_birth=dt.date(1979, 4, 1), role=MemberRole.PARENT)]))
    case_services.register_first_contact(actor=actor, case=new_case, contact_date=TODAY - dt.timedelta(days=15))
    cases = [new_case] + [
        make_case(worker if n % 2 else colleague, TODAY - dt.timedelta(days=40 + n),
                  contact=TODAY - dt.timedelta(days=35 + n), wijk="Centrum") for n in range(1, 6)]
    people = []
    for case, (before, _) in zip(cases, FINANCIEN):
        person = case.household.memberships.get().person
        measure(case, person, TODAY - dt.timedelta(days=10), {code: 4 for code in CODES_2017} | {"financien": before})
        people.append((case, person))
    overdue = make_case(worker, TODAY - dt.timedelta(days=70))
    reporting_services.rebuild_all()  # the nightly run; what follows is the incremental path
    return SimpleNamespace(team=team, worker=worker, leader=leader, new_case=new_case, people=people, overdue=overdue)


def record_tussenmetingen(people) -> None:
    for (case, person), (_, after) in zip(people, FINANCIEN):
        measure(case, person, TODAY, {code: 4 for code in CODES_2017} | {"financien": after}, type="tussenmeting")


def table_rows(page, caption_start: str) -> list[list[str]]:
    """The body rows of the table whose caption starts with the text, as lists of cell texts."""
    table = page.locator("table", has=page.locator("caption", has_text=caption_start)).first
    return [[cell.strip() for cell in row.locator("th, td").all_inner_texts()]
            for row in table.locator("tbody tr").all()]


def progress_row(rows: list[list[str]], domain: str) -> list[str] | None:
    return next((row for row in rows if row[0] == domain), None)


def test_team_leader_sees_the_new_case_the_overdue_work_and_the_progress_then_exports_csv(page):
    world = team_with_households()
    team, worker, people, overdue = world.team, world.worker, world.people, world.overdue
    sign_in(page, world.leader, "/casussen/team")

    # The team page: the new case with its director, and the overdue case flagged.
    rows = table_rows(page, "Open casussen van het team")
    assert len(rows) == 7
    new_row = next(row for row in rows if row[0] == "Huishouden Tjoelker")
    assert new_row[1] == worker.user.get_full_name() and new_row[3] == "21"
    assert "met een actie over de termijn" in page.locator("main p").first.inner_text()
    overdue_row = next(row for row in rows if row[3] == "70")
    assert "te laat" in " ".join(overdue_row).lower()
    screenshot(page, "teamleider-01-team")

    # The dashboard before the tussenmetingen: the overdue nulmeting, no paired ZRM progress yet.
    click(page, "Dashboard", "link")
    overdue_items = table_rows(page, "Wat over de termijn is")
    assert [f"Casus {overdue.pk}", "ZRM: nulmeting"] == overdue_items[0][:2]
    assert overdue_items[0][3] == str((TODAY - (overdue.melding_date + dt.timedelta(days=42))).days)
    assert progress_row(table_rows(page, "ZRM-voortgang per domein"), "Financiën") is None

    # The workers record their tussenmetingen; the after-commit tasks update the team's figures.
    record_tussenmetingen(people)
    page.reload()
    financien = progress_row(table_rows(page, "ZRM-voortgang per domein"), "Financiën")
    assert financien[:6] == ["Financiën", "6", "2,2", "2,8", "+0,7", "6"]
    assert re.fullmatch(r"66,7\s?%|67\s?%", financien[6]), financien  # vooruit: 4 of 6
    chart = page.evaluate("() => Chart.getChart(document.getElementById('grafiek-voortgang')).data")
    assert chart["labels"][0] == "Financiën (n=6)"
    assert [round(chart["datasets"][0]["data"][0], 2), round(chart["datasets"][1]["data"][0], 2)] == [2.17, 2.83]
    screenshot(page, "teamleider-02-dashboard")

    # CSV export: downloaded like a user does, and its headers as the server sends them.
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporteer als CSV").click()
    quarter = dt.date(TODAY.year, 3 * ((TODAY.month - 1) // 3) + 1, 1)  # the default period: this quarter
    assert download.value.suggested_filename == f"wijkregie-team-{team.pk}-quarter-{quarter.isoformat()}.csv"
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0].startswith(f"Wijkregie sturingsinformatie {team.name},")
    at = next(i for i, row in enumerate(rows) if row and row[0].startswith("ZRM-voortgang per domein: "))
    assert rows[at + 1][:6] == ["Domein", "n", "Gem. begin", "Gem. laatste", "Verschil", "n (begin ≤ 3)"]
    assert rows[at + 2][:6] == ["Financiën", "6", "2,2", "2,8", "+0,7", "6"]
    response = page.request.get(page.get_by_role("link", name="Exporteer als CSV").get_attribute("href"))
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="{download.value.suggested_filename}"'
    residents = Person.objects.filter(household_memberships__household__cases__team=team).distinct()
    assert len(residents) == 7
    assert not [p for p in residents if p.full_name in text or p.bsn in text]  # exports leave the team

    # Drill-down: the cases behind "vooruit" on Financiën are the team's four that improved.
    with page.expect_navigation():
        page.get_by_role("link", name=f"{financien[6]}: toon de casussen").first.click()
    improved = {case.pk for (case, _), (before, after) in zip(people, FINANCIEN) if after > before}
    listed = {int(href.rsplit("/", 1)[1]) for href in page.locator("main table a[href*='/casussen/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")}
    assert listed == improved and len(improved) == 4
    screenshot(page, "teamleider-03-casussen-achter-een-getal")
    assert page.js_errors == []


# --- Gemeente ------------------------------------------------------------------------------------------

RESIDENT_NAMES = [("Fenna", "Tjoelker"), ("Sjoerd", "Hoekstra"), ("Marijke", "Dijkstra"), ("Tjitske", "Veenstra"),
                  ("Wubbo", "Postma"), ("Hinke", "Wiersma"), ("Jelmer", "Zijlstra"), ("Geertje", "Boersma")]


def municipality_world():
    """Team Oost as above (six paired persons after the tussenmetingen), plus a small Team West (one case)."""
    world = team_with_households()
    record_tussenmetingen(world.people)
    west, (west_worker,) = team_with_workers(1, name="Wijkteam West")
    west_case = make_case(west_worker, TODAY - dt.timedelta(days=30), contact=TODAY - dt.timedelta(days=25),
                          wijk="Vinkhuizen")
    measure(west_case, west_case.household.memberships.get().person, TODAY - dt.timedelta(days=5))
    # Distinct, realistic names, so that no resident's name is also an ordinary word or a staff member's name.
    for person, (first, last) in zip(Person.objects.order_by("pk"), RESIDENT_NAMES, strict=True):
        Person.objects.filter(pk=person.pk).update(first_name=first, last_name=last)
    reporting_services.rebuild_all()
    return world.team, west, world.new_case


def personal_data_in(text: str) -> list[str]:
    """Any resident's name, BSN, street, postcode or date of birth that appears in the text."""
    found = []
    for person in Person.objects.all():
        for value in (person.first_name, person.last_name, person.bsn, person.date_of_birth.strftime("%d-%m-%Y"),
                      person.date_of_birth.isoformat()):
            if value and re.search(rf"\b{re.escape(value)}\b", text):
                found.append(value)
    for household in Case.objects.values_list("household__street", "household__postcode").distinct():
        street, postcode = household
        for value in (street, postcode, f"{postcode[:4]} {postcode[4:]}"):
            if value and value in text:
                found.append(value)
    return found


def test_gemeente_sees_only_aggregates_and_the_export_holds_the_same_figures(page):
    _, _, new_case = municipality_world()
    # A fixed name: the signed-in user's own name is on every page and must not be mistaken for a resident's.
    sign_in(page, StaffFactory(municipality=True, user__first_name="Gemma", user__last_name="Gemeentelijk"))
    assert page.url.endswith("/rapportage/gemeente")  # the gemeente's home
    text = page.locator("body").inner_text()
    assert personal_data_in(f"Huishouden Hoekstra, {new_case.household.street}") == ["Hoekstra", "Herestraat"]
    assert personal_data_in(text) == []
    assert personal_data_in(page.content()) == []
    # No drill-down and no way to a case or a person.
    assert page.locator("a[href*='/casussen'], a[href*='/zrm/'], a[href*='/rapportage/team']").count() == 0
    assert page.get_by_role("link", name="Mijn caseload").count() == 0
    for url in (f"/casussen/{new_case.pk}", "/rapportage/team/casussen?indicator=caseload", "/casussen/team"):
        assert page.goto(url).status == 403, url
    page.goto("/rapportage/gemeente")

    # All teams: Financiën over the six paired persons of Team Oost; Team West's small numbers suppressed.
    progress = table_rows(page, "ZRM-voortgang per domein")
    assert progress_row(progress, "Financiën")[:6] == ["Financiën", "6", "2,2", "2,8", "+0,7", "6"]
    per_team = {row[0]: row for row in table_rows(page, "Kerncijfers per team")}
    assert per_team["Wijkteam West"][1] == "<5" and per_team["Wijkteam Oost"][1] == "7"
    screenshot(page, "gemeente-01-sturingsinformatie")

    # The export holds exactly the figures on the page, table by table.
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporteer als CSV").click()
    exported = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    assert personal_data_in(exported) == []
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    for caption in ("Kerncijfers per team", "ZRM-voortgang per domein"):
        at = next(i for i, row in enumerate(rows) if row and caption in row[0])
        shown = table_rows(page, caption)
        assert rows[at + 2: at + 2 + len(shown)] == shown, caption

    click(page, "MKBA", "link")
    screenshot(page, "gemeente-02-mkba")
    assert page.js_errors == []


def aggregates_api_path() -> str | None:
    """The municipality API's aggregate endpoint (issue 6), when this build has it."""
    try:
        resolve("/api/v1/aggregaten")
    except Resolver404:
        return None
    return "/api/v1/aggregaten"


def api_get(base_url: str, path: str, token: str) -> tuple[dict, dict]:
    """A machine client's GET over HTTP: a bearer token, no browser session. Returns (headers, JSON)."""
    request = urllib.request.Request(base_url + path, headers={"Authorization": f"Bearer {token}",
                                                               "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=15) as response:
        return dict(response.headers), json.loads(response.read())


def api_cells(base_url: str, token: str, **params) -> list[dict]:
    path = f"/api/v1/aggregaten?{urllib.parse.urlencode(params)}"
    cells = []
    while path:
        headers, body = api_get(base_url, path, token)
        assert headers.get("API-Version")
        cells += body["results"]
        path = body["next"] and urllib.parse.urlsplit(body["next"])._replace(scheme="", netloc="").geturl()
    return cells


def shown(value: float | None, signed: bool = False) -> str:
    """A mean as the pages show it: one decimal, rounded half up, Dutch decimal comma."""
    text = str(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)).replace(".", ",")
    return ("+" + text) if signed and value > 0 else text


def test_an_api_client_with_aggregaten_lezen_pulls_the_figures_the_gemeente_sees(page, live_app):
    if aggregates_api_path() is None:
        pytest.skip("the municipality endpoints under /api/v1/aggregaten are not in this build (issue 6)")
    team, west, _ = municipality_world()
    _, token = create_api_client(name="Gemeente Groningen BI", scopes=["aggregaten.lezen"])
    sign_in(page, StaffFactory(municipality=True), "/rapportage/gemeente")
    on_page = progress_row(table_rows(page, "ZRM-voortgang per domein"), "Financiën")
    per_team = {row[0]: row for row in table_rows(page, "Kerncijfers per team")}

    quarter = dt.date(TODAY.year, 3 * ((TODAY.month - 1) // 3) + 1, 1)
    period = {"periodKind": "quarter", "periodStart": quarter.isoformat()}
    means = {cell["key3"]: cell for cell in api_cells(live_app.url, token, scopeKind="all", indicator="zrm_domain_mean",
                                                        **period) if cell["key2"] == "financien"}
    assert [str(means["baseline"]["count"]), shown(means["baseline"]["value"]), shown(means["latest"]["value"]),
            shown(means["difference"]["value"], signed=True)] == on_page[1:5]
    oost = api_cells(live_app.url, token, scopeKind="team", scopeKey=str(team.pk), indicator="caseload", **period)
    west_cells = api_cells(live_app.url, token, scopeKind="team", scopeKey=str(west.pk), indicator="caseload", **period)
    assert str(oost[0]["count"]) == per_team[team.name][1] == "7"
    assert (west_cells[0]["count"], west_cells[0]["suppressed"], per_team[west.name][1]) == (None, True, "<5")
