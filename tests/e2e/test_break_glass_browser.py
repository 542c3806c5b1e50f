"""In a real browser, by keyboard: break the glass on another team's case, run a regiecheck, record consent,
and answer a subject-access request; axe-core finds no serious or critical problem on any of these screens."""
import datetime as dt

import pytest

from cases.models import BreakGlassAccess, Consent, Role
from tests.e2e.conftest import serious_violations
from tests.factories import CaseFactory, MembershipFactory, OrganisationFactory, StaffFactory, valid_bsn

pytestmark = [pytest.mark.e2e]
REASON = "Cliënt meldt zich bij ons team en noemt een lopende casus bij Noord."


def test_a_worker_breaks_the_glass_by_keyboard_and_reads_the_case(logged_in_page):
    case = CaseFactory()
    outsider = StaffFactory()
    page = logged_in_page(outsider, next_url=f"/casussen/{case.pk}")
    assert "hoort bij een ander team" in page.content()
    assert serious_violations(page) == []
    page.focus("#id_reason")
    page.keyboard.type("Even kijken")
    with page.expect_navigation():
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
    assert "in minstens 20 tekens" in page.content()
    assert page.get_attribute("#id_reason", "aria-invalid") == "true"
    assert serious_violations(page) == []
    page.fill("#id_reason", REASON)
    with page.expect_navigation():
        page.click("text=Reden vastleggen en casus inzien")
    assert "Alleen lezen (break-the-glass)" in page.content()
    assert "Casus afsluiten" not in page.content()
    assert BreakGlassAccess.objects.filter(user=outsider.user, case=case).exists()
    assert serious_violations(page) == []


def test_regiecheck_consent_and_subject_access_screens_work_and_are_accessible(logged_in_page):
    bsn = valid_bsn()
    case = CaseFactory(members=False, household__postcode="9711AB", household__house_number=3,
                       regisseur__phone="050 111 2222")
    MembershipFactory(household=case.household, person__bsn=bsn, person__date_of_birth=dt.date(1980, 2, 2))
    OrganisationFactory(name="Woonbron")
    page = logged_in_page(case.regisseur, next_url=f"/casussen/{case.pk}/toestemmingen/nieuw")
    page.select_option("#id_purpose", "overig")
    with page.expect_navigation():
        page.click("button:has-text('Toestemming opslaan')")
    assert "Beschrijf bij 'overig'" in page.content()
    assert serious_violations(page) == []
    page.select_option("#id_purpose", "informatiedeling")
    page.select_option("#id_partner_organisation", label="Woonbron")
    with page.expect_navigation():
        page.click("button:has-text('Toestemming opslaan')")
    assert Consent.objects.filter(household=case.household, purpose="informatiedeling").exists()
    assert "Toestemming en gegevensdeling" in page.content()
    assert serious_violations(page) == []

    page.goto("/casussen/regiecheck")
    with page.expect_navigation():
        page.click("text=Regiecheck uitvoeren")
    assert "Vul het BSN in." in page.content()
    assert serious_violations(page) == []
    page.fill("#id_bsn", bsn)
    page.fill("#id_date_of_birth", "1980-02-02")
    page.fill("#id_postcode", "9711 AB")
    page.fill("#id_house_number", "3")
    with page.expect_navigation():
        page.click("text=Regiecheck uitvoeren")
    assert "Er is regie bekend." in page.content() and "050 111 2222" in page.content()
    assert bsn not in page.url
    assert serious_violations(page) == []

    officer = StaffFactory(role=Role.PRIVACY_OFFICER, team=None)
    page.context.clear_cookies()
    page = logged_in_page(officer, next_url="/casussen/inzageverzoek")
    page.fill("#id_bsn", bsn)
    with page.expect_navigation():
        page.click("button:has-text('Zoeken')")
    assert "Wat de export bevat" in page.content() and bsn not in page.url
    assert serious_violations(page) == []
    with page.expect_download() as download:
        page.click("text=Download als PDF")
    assert download.value.suggested_filename.endswith(".pdf")
