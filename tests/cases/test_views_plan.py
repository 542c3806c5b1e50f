"""The plan on the casus page: each task's form (happy path and bad input), vaststellen with every missing
item listed, evaluating and the next version, earlier versions read-only, audit and a constant query count.

The helpers at the top (plan_case, complete_plan, url) are shared with the other plan/intervention/API tests.
"""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import (
    Agreement,
    FamilyApproach,
    Goal,
    LowDomainReason,
    MemberRole,
    NetworkAssessment,
    NetworkMember,
    Plan,
    PlanStatus,
    SafetyOverride,
)
from common.audit import Actor
from common.models import AuditAction, AuditEvent
from tests.factories import MembershipFactory, PersonFactory, StaffFactory
from tests.zrm.factories import all_scores, case_with_adult, domain, record

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
LATER = TODAY + dt.timedelta(days=60)


# --- Shared helpers ---------------------------------------------------------------------------------

def plan_case(**kwargs):
    """An open case whose adult has a vastgestelde ZRM 2017 of today with Financiën 2 and Huisvesting 3."""
    case, adult = case_with_adult(**kwargs)
    record(case, adult, scores={**all_scores(4), "financien": 2, "huisvesting": 3})
    return case, adult


def actor_of(case):
    return Actor(user=case.regisseur.user)


def start(case, persons):
    return services.start_plan(actor=actor_of(case), case=case, covered_persons=persons)


def complete_plan(case, person):
    """A concept plan that satisfies every finalisation rule."""
    actor = actor_of(case)
    plan = start(case, [person])
    services.add_goal(actor=actor, plan=plan, person=person, domain=domain("zrm-2017", "financien"),
                      description="Schulden in beeld", target_score=4, target_date=LATER, actor_type="client")
    services.record_low_domain_reason(actor=actor, plan=plan, person=person, domain=domain("zrm-2017", "huisvesting"),
                                      reason="geen_hulpvraag")
    services.add_agreement(actor=actor, plan=plan, actor_type="client", description="Post openen", due_date=LATER)
    services.record_network_assessment(actor=actor, plan=plan, explored=True, contacted=True,
                                       contribution_agreed=True)
    return plan


def url(name, *args):
    return reverse(f"cases:{name}", args=args)


def case_url(case, anchor="plan"):
    return url("case_detail", case.pk) + f"#{anchor}"


def field_errors(response, field):
    return response.context["form"].errors.get(field, [])


@pytest.fixture
def world(client):
    case, adult = plan_case()
    client.force_login(case.regisseur.user)
    return case, adult


# --- The plan section on the casus page -----------------------------------------------------------

def test_without_a_plan_the_case_page_offers_to_start_one(client, world):
    case, _ = world
    response = client.get(url("case_detail", case.pk))
    content = response.content.decode()
    assert response.context["plan"] is None and response.context["can_start_plan"]
    assert "Er is nog geen plan van aanpak." in content
    assert url("plan_start", case.pk) in content


def test_the_plan_section_shows_low_domains_that_still_need_a_goal_or_a_reason(client, world):
    case, adult = world
    plan = start(case, [adult])
    response = client.get(url("case_detail", case.pk))
    low = response.context["low_domains"]
    assert [(item.domain.code, item.score, item.is_open) for item in low] == [
        ("financien", 2, True), ("huisvesting", 3, True)]
    content = response.content.decode()
    assert content.count("Nog nodig: een doel of een reden") == 2
    assert f"{url('goal_add', plan.pk)}?persoon={adult.pk}&amp;domein={low[0].domain.pk}" in content
    # The checklist names every missing item before the worker even tries.
    assert response.context["plan_problems"] == services.plan_finalisation_problems(plan)
    assert "Er is geen afspraak over de eigen inzet van de cliënt of het netwerk." in content
    assert "Plan vaststellen" in content


def test_the_plan_section_shows_goals_reasons_agreements_network_and_covered_members(client, world):
    case, adult = world
    plan = complete_plan(case, adult)
    services.add_network_member(actor=actor_of(case), case=case, name="Els Bos", relation="zus",
                                agreed_contribution="Boodschappen op dinsdag")
    response = client.get(url("case_detail", case.pk))
    content = response.content.decode()
    assert [item.is_open for item in response.context["low_domains"]] == [False, False]
    assert "Doel gesteld" in content and "Geen doel: geen hulpvraag" in content
    assert "Schulden in beeld" in content and "Post openen" in content
    assert adult.full_name in content and "Els Bos" in content and "Boodschappen op dinsdag" in content
    assert "Het plan is compleet en kan worden vastgesteld." in content
    assert response.context["plan"] == plan


# --- Starting and changing the plan ---------------------------------------------------------------

def test_a_worker_starts_the_plan_for_the_members_chosen(client, world):
    case, adult = world
    child = MembershipFactory(household=case.household, role=MemberRole.CHILD,
                              person=PersonFactory(date_of_birth=dt.date(2016, 1, 1))).person
    form = client.get(url("plan_start", case.pk)).context["form"]
    assert set(form.initial["covered_persons"]) == {adult.pk, child.pk}  # everyone by default
    response = client.post(url("plan_start", case.pk), {
        "covered_persons": [adult.pk], "own_responsibility": "Zelf de post openen",
        "review_date": LATER.isoformat()})
    assert response.status_code == 302 and response.url == case_url(case)
    plan = Plan.objects.get(case=case)
    assert (plan.version, plan.status, plan.review_date) == (1, PlanStatus.CONCEPT, LATER)
    assert list(plan.covered_persons.all()) == [adult]
    page = client.get(response.url)
    assert "Plan van aanpak versie 1 is gestart." in page.content.decode()


def test_a_plan_without_members_is_refused_and_nothing_is_saved(client, world):
    case, _ = world
    response = client.post(url("plan_start", case.pk), {"covered_persons": []})
    assert response.status_code == 200
    assert field_errors(response, "covered_persons") == ["Kies minstens één gezinslid voor het plan."]
    assert 'id="id_covered_persons_error"' in response.content.decode()
    assert not Plan.objects.exists()


def test_a_review_date_in_the_past_is_refused_by_the_service(client, world):
    case, adult = world
    response = client.post(url("plan_start", case.pk), {
        "covered_persons": [adult.pk], "review_date": (TODAY - dt.timedelta(days=1)).isoformat()})
    assert field_errors(response, "review_date") == ["De evaluatiedatum ligt in het verleden."]
    assert not Plan.objects.exists()


def test_a_person_outside_the_household_cannot_be_covered(client, world):
    case, _ = world
    stranger = PersonFactory()
    response = client.post(url("plan_start", case.pk), {"covered_persons": [stranger.pk]})
    assert field_errors(response, "covered_persons") == ["Alleen huidige gezinsleden kunnen in het plan."]
    assert not Plan.objects.exists()


def test_the_plan_details_are_changed_while_in_concept(client, world):
    case, adult = world
    plan = start(case, [adult])
    response = client.post(url("plan_edit", plan.pk), {
        "covered_persons": [adult.pk], "own_responsibility": "Budget bijhouden", "review_date": LATER.isoformat()})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.own_responsibility == "Budget bijhouden" and plan.review_date == LATER


# --- Goals, reasons, agreements, network -----------------------------------------------------------

def test_a_goal_is_added_from_a_low_domain_with_person_and_domain_filled_in(client, world):
    case, adult = world
    plan = start(case, [adult])
    financien = domain("zrm-2017", "financien")
    form = client.get(url("goal_add", plan.pk), {"persoon": adult.pk, "domein": financien.pk}).context["form"]
    assert form.initial == {"person": adult.pk, "domain": financien.pk}
    response = client.post(url("goal_add", plan.pk), {
        "person": adult.pk, "domain": financien.pk, "description": "Schuldhulp aanvragen", "target_score": "3",
        "target_date": LATER.isoformat(), "actor_type": "extern", "actor_name": "Kredietbank"})
    assert response.status_code == 302 and response.url == case_url(case)
    goal = Goal.objects.get(plan=plan)
    assert (goal.person, goal.domain, goal.target_score, goal.target_date, goal.actor_type, goal.actor_name) == (
        adult, financien, 3, LATER, "extern", "Kredietbank")


def test_a_goal_without_description_is_refused(client, world):
    case, adult = world
    plan = start(case, [adult])
    response = client.post(url("goal_add", plan.pk), {"person": adult.pk,
                                                      "domain": domain("zrm-2017", "financien").pk})
    assert field_errors(response, "description") == ["Beschrijf het doel."]
    assert not Goal.objects.exists()


def test_a_goal_for_the_network_needs_the_name_of_who_is_responsible(client, world):
    case, adult = world
    plan = start(case, [adult])
    response = client.post(url("goal_add", plan.pk), {
        "person": adult.pk, "domain": domain("zrm-2017", "financien").pk, "description": "Samen boodschappen",
        "actor_type": "netwerk"})
    assert response.status_code == 200
    assert field_errors(response, "actor_name") == ["Noem de persoon of organisatie die verantwoordelijk is."]
    assert not Goal.objects.exists()


def test_a_coded_reason_is_recorded_for_a_low_domain(client, world):
    case, adult = world
    plan = start(case, [adult])
    huisvesting = domain("zrm-2017", "huisvesting")
    form = client.get(url("low_domain_reason", plan.pk), {"persoon": adult.pk, "domein": huisvesting.pk}
                      ).context["form"]
    assert form.initial["item"] == f"{adult.pk}-{huisvesting.pk}"
    assert len(form.fields["item"].choices) == 3  # the empty choice and the two low domains
    response = client.post(url("low_domain_reason", plan.pk), {
        "item": f"{adult.pk}-{huisvesting.pk}", "reason": "andere_instantie"})
    assert response.status_code == 302
    row = LowDomainReason.objects.get(plan=plan)
    assert (row.person, row.domain, row.reason) == (adult, huisvesting, "andere_instantie")


def test_the_reason_overig_needs_an_explanation(client, world):
    case, adult = world
    plan = start(case, [adult])
    huisvesting = domain("zrm-2017", "huisvesting")
    response = client.post(url("low_domain_reason", plan.pk), {
        "item": f"{adult.pk}-{huisvesting.pk}", "reason": "overig"})
    assert field_errors(response, "explanation") == ["Licht de reden 'overig' toe."]
    assert not LowDomainReason.objects.exists()


def test_a_reason_can_only_be_given_for_a_domain_that_scored_low(client, world):
    case, adult = world
    plan = start(case, [adult])
    response = client.post(url("low_domain_reason", plan.pk), {
        "item": f"{adult.pk}-{domain('zrm-2017', 'justitie').pk}", "reason": "geen_hulpvraag"})
    assert field_errors(response, "item") == ["Kies een laag scorend domein uit de lijst."]
    assert not LowDomainReason.objects.exists()


def test_an_own_effort_agreement_is_added(client, world):
    case, adult = world
    plan = start(case, [adult])
    response = client.post(url("agreement_add", plan.pk), {
        "actor_type": "client", "description": "Belt zelf de woningcorporatie", "due_date": LATER.isoformat()})
    assert response.status_code == 302
    agreement = Agreement.objects.get(plan=plan)
    assert agreement.is_own_effort and agreement.due_date == LATER


def test_an_agreement_without_a_date_is_refused(client, world):
    case, adult = world
    plan = start(case, [adult])
    response = client.post(url("agreement_add", plan.pk), {"actor_type": "client", "description": "Bellen"})
    assert field_errors(response, "due_date") == ["Vul in wanneer de afspraak uitgevoerd moet zijn."]
    assert not Agreement.objects.exists()


def test_the_network_assessment_is_recorded_and_can_be_changed(client, world):
    case, adult = world
    plan = start(case, [adult])
    client.post(url("network_assessment", plan.pk), {"explored": "on", "contribution_agreed": "on"})
    response = client.post(url("network_assessment", plan.pk), {"explored": "on", "contacted": "on",
                                                                "reason_not_used": "Netwerk is overbelast"})
    assert response.status_code == 302
    row = NetworkAssessment.objects.get(plan=plan)
    assert (row.explored, row.contacted, row.contribution_agreed, row.reason_not_used) == (
        True, True, False, "Netwerk is overbelast")
    form = client.get(url("network_assessment", plan.pk)).context["form"]
    assert form.initial["contacted"] is True


def test_a_network_not_used_needs_a_reason(client, world):
    case, adult = world
    plan = start(case, [adult])
    response = client.post(url("network_assessment", plan.pk), {"explored": "on"})
    assert field_errors(response, "reason_not_used") == ["Geef aan waarom het netwerk niet wordt ingezet."]
    assert not NetworkAssessment.objects.exists()


def test_a_network_member_is_added_as_supportive_or_hindering(client, world):
    case, _ = world
    response = client.post(url("network_member_add", case.pk), {
        "name": "Kees de Boer", "relation": "buurman", "supportive": "nee"})
    assert response.status_code == 302 and response.url == case_url(case, "netwerk")
    member = NetworkMember.objects.get()
    assert (member.household, member.name, member.supportive) == (case.household, "Kees de Boer", False)
    assert "Belemmerend" in client.get(url("case_detail", case.pk)).content.decode()


def test_a_network_member_without_relation_is_refused(client, world):
    case, _ = world
    response = client.post(url("network_member_add", case.pk), {"name": "Kees", "supportive": "ja"})
    assert field_errors(response, "relation") == ["Vul de relatie tot het huishouden in."]
    assert not NetworkMember.objects.exists()


# --- Family approach and the safety override -----------------------------------------------------

def test_the_family_approach_is_recorded_per_member(client, world):
    case, adult = world
    response = client.post(url("family_approach", case.pk, adult.pk), {
        "spoken_to": "ja", "needs_support": "on"})
    assert response.status_code == 302 and response.url == case_url(case, "gezin")
    row = FamilyApproach.objects.get(case=case, person=adult)
    assert (row.spoken_to, row.needs_support, row.receives_support) == (True, True, False)
    form = client.get(url("family_approach", case.pk, adult.pk)).context["form"]
    assert form.initial["spoken_to"] == "ja"


def test_a_member_not_spoken_to_needs_a_reason(client, world):
    case, adult = world
    response = client.post(url("family_approach", case.pk, adult.pk), {"spoken_to": "nee"})
    assert field_errors(response, "reason_not_spoken") == ["Geef aan waarom dit gezinslid niet gesproken is."]
    assert not FamilyApproach.objects.exists()


def test_the_family_approach_of_someone_outside_the_household_is_not_found(client, world):
    case, _ = world
    assert client.get(url("family_approach", case.pk, PersonFactory().pk)).status_code == 404


def test_a_team_leader_records_a_safety_override_and_the_plan_can_be_finalised(client):
    case, adult = plan_case(safety_flag=True)
    MembershipFactory(household=case.household, role=MemberRole.CHILD,
                      person=PersonFactory(date_of_birth=dt.date(2015, 1, 1), first_name="Mila"))
    plan = complete_plan(case, adult)
    leader = StaffFactory(leader=True, team=case.team)
    client.force_login(leader.user)
    refused = client.post(url("plan_finalise", plan.pk))
    assert any(problem.startswith("Bij een veiligheidscasus") for problem in refused.context["finalise_problems"])
    page = client.get(url("case_detail", case.pk)).content.decode()
    assert url("safety_override", case.pk) in page
    response = client.post(url("safety_override", case.pk), {"reason": "Kind is in veiligheid bij oma"})
    assert response.status_code == 302
    assert SafetyOverride.objects.get(case=case).team_leader == leader
    assert client.post(url("plan_finalise", plan.pk)).status_code == 302
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.FINALISED


def test_a_safety_override_needs_a_reason(client):
    case, _ = plan_case(safety_flag=True)
    client.force_login(StaffFactory(leader=True, team=case.team).user)
    response = client.post(url("safety_override", case.pk), {"reason": ""})
    assert field_errors(response, "reason") == ["Geef een reden voor de uitzondering."]
    assert not SafetyOverride.objects.exists()


def test_a_social_worker_cannot_record_a_safety_override(client):
    case, _ = plan_case(safety_flag=True)
    client.force_login(case.regisseur.user)
    assert url("safety_override", case.pk) not in client.get(url("case_detail", case.pk)).content.decode()
    assert client.post(url("safety_override", case.pk), {"reason": "Toch maar"}).status_code == 403
    assert not SafetyOverride.objects.exists()


# --- Vaststellen ------------------------------------------------------------------------------------

def test_finalising_an_incomplete_plan_shows_every_missing_item(client, world):
    case, adult = world
    plan = start(case, [adult])
    services.add_goal(actor=actor_of(case), plan=plan, person=adult, domain=domain("zrm-2017", "werk_opleiding"),
                      description="Vrijwilligerswerk zoeken")
    response = client.post(url("plan_finalise", plan.pk))
    assert response.status_code == 200
    expected = [
        f"{adult.full_name}: het domein Financiën scoort 2, maar heeft geen doel en geen reden waarom niet.",
        f"{adult.full_name}: het domein Huisvesting scoort 3, maar heeft geen doel en geen reden waarom niet.",
        "Het doel 'Vrijwilligerswerk zoeken' heeft geen streefdatum.",
        "Het doel 'Vrijwilligerswerk zoeken' heeft geen verantwoordelijke.",
        "Er is geen afspraak over de eigen inzet van de cliënt of het netwerk.",
        "De netwerkanalyse ontbreekt.",
    ]
    assert response.context["finalise_problems"] == expected
    content = response.content.decode()
    assert 'id="plan-refused"' in content and 'role="alert"' in content
    for message in expected:
        assert message.replace("'", "&#x27;") in content
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.CONCEPT


def test_a_plan_without_a_recent_zrm_names_the_person(client):
    case, adult = case_with_adult()
    client.force_login(case.regisseur.user)
    plan = start(case, [adult])
    response = client.post(url("plan_finalise", plan.pk))
    assert f"{adult.full_name} heeft geen vastgestelde ZRM van ten hoogste 30 dagen oud." in (
        response.context["finalise_problems"])


def test_a_complete_plan_is_finalised_and_can_no_longer_be_changed(client, world):
    case, adult = world
    plan = complete_plan(case, adult)
    response = client.post(url("plan_finalise", plan.pk))
    assert response.status_code == 302 and response.url == case_url(case)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FINALISED and plan.finalised_on == TODAY
    page = client.get(response.url)
    content = page.content.decode()
    assert "Plan van aanpak versie 1 is vastgesteld." in content
    assert not page.context["plan_editable"] and url("plan_evaluate", plan.pk) in content
    refused = client.get(url("goal_add", plan.pk))
    assert refused.status_code == 302
    assert "niet meer in concept" in client.get(refused.url).content.decode()
    # Posting anyway is refused by the service: nothing is added.
    client.post(url("agreement_add", plan.pk), {"actor_type": "client", "description": "x",
                                                "due_date": LATER.isoformat()})
    assert Agreement.objects.filter(plan=plan).count() == 1


# --- Evaluating and the next version -----------------------------------------------------------------

def finalised(case, adult):
    plan = complete_plan(case, adult)
    return services.finalise_plan(actor=actor_of(case), plan=plan)


def test_evaluating_records_agreements_followed_and_goals_achieved(client, world):
    case, adult = world
    plan = finalised(case, adult)
    agreement, goal = plan.agreements.get(), plan.goals.get()
    form = client.get(url("plan_evaluate", plan.pk)).context["form"]
    assert set(form.fields) == {"evaluation", f"followed_{agreement.pk}", f"achieved_{goal.pk}"}
    response = client.post(url("plan_evaluate", plan.pk), {
        "evaluation": "Schulden zijn in beeld", f"followed_{agreement.pk}": "deels", f"achieved_{goal.pk}": "on"})
    assert response.status_code == 302
    plan.refresh_from_db()
    agreement.refresh_from_db()
    goal.refresh_from_db()
    assert plan.status == PlanStatus.EVALUATED and plan.evaluation == "Schulden zijn in beeld"
    assert agreement.followed == "deels" and goal.achieved is True
    page = client.get(url("case_detail", case.pk))
    assert page.context["plan"] is None and page.context["can_start_plan"]
    assert "Volgende versie starten" in page.content.decode()


def test_an_evaluation_needs_a_text_and_a_judgement_per_agreement(client, world):
    case, adult = world
    plan = finalised(case, adult)
    agreement = plan.agreements.get()
    response = client.post(url("plan_evaluate", plan.pk), {"evaluation": ""})
    assert field_errors(response, "evaluation") == ["Beschrijf de evaluatie."]
    assert field_errors(response, f"followed_{agreement.pk}") == ["Kies per afspraak: ja, deels of nee."]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FINALISED


def test_the_next_version_starts_from_the_open_goals_and_earlier_versions_stay_readable(client, world):
    case, adult = world
    plan = finalised(case, adult)
    services.evaluate_plan(actor=actor_of(case), plan=plan, evaluation="Half gelukt",
                           followed={plan.agreements.get().pk: "nee"})
    response = client.post(url("plan_start", case.pk), {"covered_persons": [adult.pk]})
    assert response.status_code == 302
    second = Plan.objects.get(case=case, version=2)
    assert [g.description for g in second.goals.all()] == ["Schulden in beeld"]
    page = client.get(url("case_detail", case.pk))
    assert page.context["plan"] == second and page.context["earlier_plans"] == [plan]
    assert url("plan_detail", plan.pk) in page.content.decode()

    earlier = client.get(url("plan_detail", plan.pk))
    content = earlier.content.decode()
    assert earlier.status_code == 200 and "Alleen lezen" in content and "Half gelukt" in content
    assert url("goal_add", plan.pk) not in content and "Plan vaststellen" not in content


def test_viewing_plans_writes_read_rows_in_the_audit_log(client, world):
    case, adult = world
    plan = start(case, [adult])
    before = AuditEvent.objects.filter(action=AuditAction.READ, object_type="plan").count()
    client.get(url("case_detail", case.pk))
    client.get(url("plan_detail", plan.pk))
    rows = AuditEvent.objects.filter(action=AuditAction.READ, object_type="plan", object_id=str(plan.pk))
    assert rows.count() == before + 2
    assert set(rows.values_list("user", flat=True)) == {case.regisseur.user_id}
    assert set(rows.values_list("case", flat=True)) == {case.pk}


def test_the_case_page_with_a_plan_runs_a_constant_number_of_queries(client, world):
    case, adult = world
    plan = start(case, [adult])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("case_detail", case.pk)).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    actor = actor_of(case)
    for index in range(4):
        child = MembershipFactory(household=case.household, role=MemberRole.CHILD,
                                  person=PersonFactory(date_of_birth=dt.date(2012 + index, 1, 1))).person
        services.record_family_approach(actor=actor, case=case, person=child, spoken_to=True)
        services.add_network_member(actor=actor, case=case, name=f"Buur {index}", relation="buurman")
    services.update_plan(actor=actor, plan=plan, covered_persons=[adult, child])
    record(case, child, scores={**all_scores(4), "financien": 1})
    for index in range(5):
        services.add_goal(actor=actor, plan=plan, person=adult, domain=domain("zrm-2017", "financien"),
                          description=f"Doel {index}", target_date=LATER, actor_type="client")
        services.add_agreement(actor=actor, plan=plan, actor_type="client", description=f"Afspraak {index}",
                               due_date=LATER)
        services.record_intervention(actor=actor, case=case, data=services.InterventionData(
            type=_type("ggz_ambulant"), team_action="gestart", deliverer="extern"))
        services.record_escalation(actor=actor, case=case, kind="huisuitzetting", prevented=True, date=TODAY)
    assert count() == small


def _type(code):
    from cases.models import InterventionType

    return InterventionType.objects.get(code=code)


# --- Closing: the afsluiting ZRM ------------------------------------------------------------------------

def test_closing_without_the_required_afsluiting_zrm_shows_the_error_and_keeps_the_case_open(client, world, settings):
    case, adult = world
    settings.WIJKREGIE = {**settings.WIJKREGIE, "ZRM_AFSLUITING_REQUIRED": True}
    response = client.post(url("case_close", case.pk), {"close-reason": _closure(), "close-closed_on": TODAY})
    assert response.status_code == 200
    message = f"Leg eerst een vastgestelde afsluitende ZRM vast voor: {adult.full_name}."
    assert response.context["close_form"].non_field_errors() == [message]
    assert message in response.content.decode()
    case.refresh_from_db()
    assert case.status != "afgesloten"


def _closure():
    from tests.factories import closure_reason

    return closure_reason().pk
