"""A social worker builds a plan on the casus page from a ZRM with two low domains and finalises it."""
import datetime as dt
import re

import pytest

from cases.models import Agreement, Goal, LowDomainReason, NetworkAssessment, Plan, PlanStatus
from tests.e2e.conftest import serious_violations
from tests.zrm.factories import all_scores, case_with_adult, record

pytestmark = [pytest.mark.e2e]


def test_worker_builds_a_plan_from_two_low_domains_and_finalises_it(logged_in_page):
    case, adult = case_with_adult()
    record(case, adult, scores={**all_scores(4), "financien": 2, "huisvesting": 3})
    target = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    page = logged_in_page(case.regisseur, next_url=f"/casussen/{case.pk}")
    plan_section = page.locator("section#plan")
    assert "Er is nog geen plan van aanpak." in plan_section.inner_text()

    # Start the plan for the household's adult (chosen by default).
    page.get_by_role("link", name="Plan starten").click()
    assert page.locator(f"input[name=covered_persons][value='{adult.pk}']").is_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="Plan starten").click()
    assert "Plan van aanpak versie 1 is gestart." in page.content()

    # Trying to finalise now lists every missing item.
    with page.expect_navigation():
        page.get_by_role("button", name="Plan vaststellen").click()
    refused = page.locator("#plan-refused li").all_inner_texts()
    assert len(refused) == 4
    assert any("Financiën scoort 2" in item for item in refused)
    assert any("Huisvesting scoort 3" in item for item in refused)
    assert serious_violations(page) == []

    # A goal for Financiën, from its row in the low-domain table.
    page.get_by_role("link", name=re.compile("^Doel voor Financiën")).click()
    assert page.locator("#id_domain option:checked").inner_text() == "Financiën"
    page.fill("#id_description", "Schulden in beeld en een betalingsregeling")
    page.select_option("#id_target_score", "4")
    page.fill("#id_target_date", target)
    page.select_option("#id_actor_type", "client")
    with page.expect_navigation():
        page.get_by_role("button", name="Doel opslaan").click()
    assert "Het doel is toegevoegd." in page.content()

    # A coded reason for Huisvesting.
    page.get_by_role("link", name=re.compile("^Reden voor Huisvesting")).click()
    page.get_by_label("Geen hulpvraag").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Reden opslaan").click()
    assert "De reden is vastgelegd." in page.content()
    assert page.locator("#plan-low-domains").inner_text().count("Nog nodig") == 0

    # An own-effort agreement.
    page.get_by_role("link", name="Afspraak toevoegen").click()
    page.get_by_label("Cliënt", exact=True).check()
    page.fill("#id_description", "Opent zelf elke week de post")
    page.fill("#id_due_date", target)
    with page.expect_navigation():
        page.get_by_role("button", name="Afspraak opslaan").click()

    # The network assessment.
    page.get_by_role("link", name="Netwerkanalyse invullen").click()
    page.get_by_label("Het netwerk is verkend").check()
    page.get_by_label("Het netwerk is benaderd").check()
    page.get_by_label("Er is een bijdrage van het netwerk afgesproken").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Netwerkanalyse opslaan").click()
    assert "Het plan is compleet en kan worden vastgesteld." in page.locator("#plan-checklist").inner_text()

    with page.expect_navigation():
        page.get_by_role("button", name="Plan vaststellen").click()
    assert "Plan van aanpak versie 1 is vastgesteld." in page.content()
    plan = Plan.objects.get(case=case)
    assert page.locator(f"#plan-{plan.pk}-status").inner_text().startswith("Vastgesteld")
    assert page.get_by_role("link", name="Plan evalueren").is_visible()
    assert serious_violations(page) == []

    assert plan.status == PlanStatus.FINALISED
    assert Goal.objects.get(plan=plan).domain.code == "financien"
    assert LowDomainReason.objects.get(plan=plan).reason == "geen_hulpvraag"
    assert Agreement.objects.get(plan=plan).is_own_effort
    assert NetworkAssessment.objects.get(plan=plan).contribution_agreed
    assert page.js_errors == []
