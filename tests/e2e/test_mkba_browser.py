"""The gemeente opens the MKBA of the demo data in Chromium, makes a friction-40% scenario, switches between
scenarios and downloads the PDF and XLSX exports."""
import datetime as dt
from pathlib import Path

import pytest

from cases.models import Case, CaseStatus, Team
from demo import small as demo
from reporting.mkba import services
from reporting.mkba.models import Scenario
from tests.e2e.conftest import serious_violations
from tests.factories import StaffFactory
from tests.reporting.mkba.factories import escalation, intervention
from tests.zrm.factories import record
from zrm.selectors import current_member_persons

pytestmark = [pytest.mark.e2e]

YEAR = dt.date.today().year - 1


def demo_with_mkba_registration() -> Team:
    """The demo data set, plus what the MKBA reads (trajectories, escalations, ZRM) on part of the first
    team's cases of last year, then the nightly computation."""
    demo.seed("demo")
    team = Team.objects.order_by("pk").first()
    cases = list(Case.objects.filter(team=team, melding_date__lte=dt.date(YEAR, 6, 1))
                 .exclude(status=CaseStatus.CLOSED, closed_on__lt=dt.date(YEAR, 1, 1)).order_by("pk")[:24])
    assert len(cases) >= 12, "the demo data should hold cases active last year"
    for n, case in enumerate(cases):
        if n % 2 == 0:
            intervention(case, "schuldhulpverlening", "gestart", "extern", start_date=dt.date(YEAR, 6, 15),
                         would_have_started_without_team=False)
        if n % 3 == 0:
            intervention(case, "maatschappelijke_dienstverlening", "gestopt", "extern",
                         start_date=dt.date(YEAR - 1, 3, 1), end_date=dt.date(YEAR, 7, 1))
        if n % 4 == 0:
            escalation(case, "huisuitzetting", prevented=True, date=dt.date(YEAR, 8, 1))
        if case.status != CaseStatus.CLOSED and n % 2 == 1:
            person = current_member_persons(case.household_id)[0]
            scores = {"financien": 2, "geestelijke_gezondheid": 2, "tijdsbesteding": 2}
            record(case, person, date=dt.date(YEAR, 6, 1), scores=scores)
            record(case, person, date=dt.date(YEAR, 10, 1), type="tussenmeting",
                   scores={**scores, "financien": 3, "tijdsbesteding": 4})
    services.recompute_all(years=[YEAR])
    return team


def test_gemeente_opens_the_mkba_switches_scenario_and_downloads_both_exports(logged_in_page):
    team = demo_with_mkba_registration()
    base = Scenario.objects.get(team=team, year=YEAR, is_base=True)
    assert base.result["costs"]["extraCare"] > 0 and base.result["benefits"]["escalation"] > 0
    gemeente = StaffFactory(municipality=True)
    page = logged_in_page(gemeente, next_url="/rapportage/mkba/")

    # The overview: choose the demo team and last year, and open its base scenario.
    page.select_option("#id_team", label=team.name)
    page.fill("#id_year", str(YEAR))
    with page.expect_navigation():
        page.get_by_role("button", name="Toon").click()
    assert f"Scenario's {team.name} {YEAR}" in page.content()
    assert serious_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("link", name="Basis (registratie)").click()
    assert page.locator("#mkba-scenario-name").inner_text() == "Basis (registratie)"
    assert "Indicatief." in page.locator("#mkba-caveat").inner_text()
    for chart in ("#mkba-lines-chart", "#mkba-actors-chart"):
        assert page.locator(chart).get_attribute("data-rendered") == "true"
    drawn = page.evaluate("() => Chart.getChart(document.getElementById('mkba-lines-chart')).data.datasets[0].data")
    assert drawn[2] == base.result["costs"]["extraCare"]
    assert "Registratie" in page.locator("#mkba-inputs-title + p").inner_text()
    assert serious_violations(page) == []

    # A bad override is refused on its field, accessibly, and nothing changes.
    page.fill("#id_friction__share", "140")
    with page.expect_navigation():
        page.click("#mkba-apply")
    assert page.locator("#id_friction__share").get_attribute("aria-invalid") == "true"
    assert "Vul een percentage tussen 0 en 100 in." in page.locator("#id_friction__share_error").inner_text()
    assert serious_violations(page) == []
    base.refresh_from_db()
    assert base.overrides == {}

    # A scenario with 40% friction, made on the page.
    page.fill("#id_nieuw-name", "Frictie 40%")
    page.fill("#id_nieuw-friction_percent", "40")
    with page.expect_navigation():
        page.click("#mkba-create")
    assert page.locator("#mkba-scenario-name").inner_text() == "Frictie 40%"
    forty = Scenario.objects.get(team=team, year=YEAR, name="Frictie 40%")
    friction_row = page.locator("#mkba-results tr", has_text="Frictiekosten").inner_text()
    assert friction_row.endswith("€ " + f"{round(forty.result['costs']['friction']):,}".replace(",", "."))
    assert forty.result["costs"]["friction"] > 0 == base.result["costs"]["friction"]

    # Switch back to the base scenario and to the new one with the scenario switcher.
    page.select_option("#mkba-scenario-select", str(base.pk))
    with page.expect_navigation():
        page.click("#mkba-switch")
    assert page.url.endswith(f"/rapportage/mkba/scenario/{base.pk}")
    assert page.locator("#mkba-scenario-name").inner_text() == "Basis (registratie)"
    page.select_option("#mkba-scenario-select", label="Frictie 40%")
    with page.expect_navigation():
        page.click("#mkba-switch")
    assert page.url.endswith(f"/rapportage/mkba/scenario/{forty.pk}")

    # Both exports download as real files.
    with page.expect_download() as pdf:
        page.click("#mkba-export-pdf")
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
    assert pdf.value.suggested_filename.endswith(".pdf")
    with page.expect_download() as xlsx:
        page.click("#mkba-export-xlsx")
    assert Path(xlsx.value.path()).read_bytes()[:4] == b"PK\x03\x04"
    assert xlsx.value.suggested_filename.endswith(".xlsx")

    # Side by side.
    page.get_by_role("link", name="Scenario's naast elkaar").click()
    header = page.locator("#mkba-compare thead").inner_text()
    assert "Basis (registratie)" in header and "Frictie 40%" in header
    assert serious_violations(page) == []
    assert page.js_errors == []
