"""Staff REST API for the plan: create, list, goals, agreements, reasons, network, vaststellen with every missing
item as problem details, evaluation, team scoping and audit."""
import datetime as dt

import pytest

from cases import services
from cases.models import Goal, Plan, PlanStatus
from common.models import AuditAction, AuditEvent
from tests.cases.test_views_plan import LATER, actor_of, complete_plan, plan_case, start
from tests.factories import PersonFactory, StaffFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def plans_url(case):
    return f"/api/v1/casussen/{case.pk}/plannen"


def plan_url(plan, tail=""):
    return f"/api/v1/plannen/{plan.pk}{tail}"


def invalid(response) -> dict[str, list[str]]:
    assert response["Content-Type"] == "application/problem+json", response.content
    names: dict[str, list[str]] = {}
    for param in response.json()["invalid-params"]:
        names.setdefault(param["name"], []).append(param["reason"])
    return names


@pytest.fixture
def world(login):
    case, adult = plan_case()
    return case, adult, login(case.regisseur)


def test_an_integration_starts_a_plan_and_gets_it_back_in_camel_case(world):
    case, adult, api = world
    response = api.post(plans_url(case), {"coveredPersons": [adult.pk], "ownResponsibility": "Post openen",
                                          "reviewDate": LATER.isoformat()}, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    plan = Plan.objects.get(case=case)
    assert body["id"] == plan.pk and body["case"] == case.pk and body["version"] == 1
    assert body["status"] == "concept" and body["coveredPersons"] == [adult.pk]
    assert body["ownResponsibility"] == "Post openen" and body["reviewDate"] == LATER.isoformat()
    assert body["goals"] == [] and body["agreements"] == [] and body["networkAssessment"] is None
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="plan", object_id=str(plan.pk),
                                     client="api (sessie)").exists()


def test_listing_the_plans_of_a_case_is_paginated_newest_first_and_audited(world):
    case, adult, api = world
    first = services.finalise_plan(actor=actor_of(case), plan=complete_plan(case, adult))
    services.evaluate_plan(actor=actor_of(case), plan=first, evaluation="Goed")
    second = start(case, [adult])
    response = api.get(plans_url(case))
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2 and [p["id"] for p in data["results"]] == [second.pk, first.pk]
    assert data["results"][1]["status"] == "geevalueerd" and data["results"][1]["evaluation"] == "Goed"
    goal = data["results"][1]["goals"][0]
    assert goal["domain"] == "financien" and goal["instrumentVersion"] == "zrm-2017"
    assert goal["targetDate"] == LATER.isoformat() and goal["actorType"] == "client"
    assert data["results"][1]["networkAssessment"] == {"explored": True, "contacted": True,
                                                       "contributionAgreed": True, "reasonNotUsed": ""}
    reads = AuditEvent.objects.filter(action=AuditAction.READ, object_type="plan", client="api (sessie)")
    assert set(reads.values_list("object_id", flat=True)) == {str(first.pk), str(second.pk)}


def test_bad_plan_input_is_problem_details_from_the_same_service(world):
    case, _, api = world
    stranger = PersonFactory()
    response = api.post(plans_url(case), {"coveredPersons": [stranger.pk]}, content_type=JSON)
    assert response.status_code == 400
    assert invalid(response) == {"coveredPersons": ["Alleen huidige gezinsleden kunnen in het plan."]}
    response = api.post(plans_url(case), {"coveredPersons": [],
                                          "reviewDate": (dt.date.today() - dt.timedelta(days=1)).isoformat()},
                        content_type=JSON)
    assert invalid(response) == {"coveredPersons": ["Kies minstens één gezinslid voor het plan."],
                                 "reviewDate": ["De evaluatiedatum ligt in het verleden."]}
    response = api.post(plans_url(case), {"coveredPersons": [999999]}, content_type=JSON)
    assert invalid(response) == {"coveredPersons": ["Alleen huidige gezinsleden kunnen in het plan."]}
    assert not Plan.objects.exists()


def test_a_second_active_plan_is_refused(world):
    case, adult, api = world
    start(case, [adult])
    response = api.post(plans_url(case), {"coveredPersons": [adult.pk]}, content_type=JSON)
    assert response.status_code == 400
    assert invalid(response) == {"nonFieldErrors": ["Deze casus heeft al een actief plan."]}
    assert Plan.objects.count() == 1


def test_finalising_an_incomplete_plan_lists_every_missing_item_as_problem_details(world):
    case, adult, api = world
    plan = start(case, [adult])
    response = api.post(plan_url(plan, "/vaststellen"))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "plan_incomplete" and problem["instance"] == plan_url(plan, "/vaststellen")
    assert [p["reason"] for p in problem["invalid-params"]] == services.plan_finalisation_problems(plan)
    assert len(problem["invalid-params"]) == 4  # two low domains, own-effort agreement, network assessment
    assert {p["code"] for p in problem["invalid-params"]} == {"plan_incomplete"}
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.CONCEPT


def test_a_plan_is_built_and_finalised_entirely_through_the_api(world):
    case, adult, api = world
    plan_id = api.post(plans_url(case), {"coveredPersons": [adult.pk]}, content_type=JSON).json()["id"]
    plan = Plan.objects.get(pk=plan_id)
    goal = api.post(plan_url(plan, "/doelen"), {
        "person": adult.pk, "domain": "financien", "description": "Schulden in beeld", "targetScore": 4,
        "targetDate": LATER.isoformat(), "actorType": "client"}, content_type=JSON)
    assert goal.status_code == 201, goal.content
    assert goal.json()["domainName"] == "Financiën" and goal.json()["targetScore"] == 4
    reason = api.post(plan_url(plan, "/redenen-zonder-doel"), {
        "person": adult.pk, "domain": "huisvesting", "reason": "client_kan_zelf"}, content_type=JSON)
    assert reason.status_code == 201, reason.content
    agreement = api.post(plan_url(plan, "/afspraken"), {
        "actorType": "netwerk", "actorName": "Zus", "description": "Helpt met de post",
        "dueDate": LATER.isoformat()}, content_type=JSON)
    assert agreement.status_code == 201 and agreement.json()["isOwnEffort"] is True
    network = api.put(plan_url(plan, "/netwerkanalyse"), {
        "explored": True, "contacted": True, "contributionAgreed": True}, content_type=JSON)
    assert network.status_code == 200, network.content
    assert api.get(plan_url(plan, "/netwerkanalyse")).json()["contributionAgreed"] is True

    response = api.post(plan_url(plan, "/vaststellen"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "vastgesteld" and response.json()["finalisedOn"] == dt.date.today().isoformat()
    again = api.post(plan_url(plan, "/vaststellen"))
    assert again.status_code == 409 and again.json()["code"] == "plan_not_concept"
    late_goal = api.post(plan_url(plan, "/doelen"), {"person": adult.pk, "domain": "justitie",
                                                     "description": "Te laat"}, content_type=JSON)
    assert late_goal.status_code == 409
    assert Goal.objects.filter(plan=plan).count() == 1

    listed = api.get(plan_url(plan, "/doelen")).json()
    assert listed["count"] == 1 and listed["results"][0]["description"] == "Schulden in beeld"
    assert api.get(plan_url(plan, "/afspraken")).json()["results"][0]["actorName"] == "Zus"
    assert api.get(plan_url(plan, "/redenen-zonder-doel")).json()["results"][0]["reason"] == "client_kan_zelf"


def test_bad_goal_input_names_each_invalid_parameter(world):
    case, adult, api = world
    plan = start(case, [adult])
    response = api.post(plan_url(plan, "/doelen"), {"person": adult.pk, "domain": "kookkunst",
                                                    "description": "x"}, content_type=JSON)
    assert invalid(response) == {"domain": ["Onbekend domein 'kookkunst' in ZRM 2017."]}
    response = api.post(plan_url(plan, "/doelen"), {
        "person": adult.pk, "domain": "financien", "description": "", "targetScore": 7, "actorType": "netwerk"},
        content_type=JSON)
    assert invalid(response) == {
        "description": ["Beschrijf het doel."], "targetScore": ["De beoogde score ligt tussen 1 en 5."],
        "actorName": ["Noem de persoon of organisatie die verantwoordelijk is."]}
    response = api.post(plan_url(plan, "/doelen"), {"person": PersonFactory().pk, "domain": "financien",
                                                    "description": "x"}, content_type=JSON)
    assert invalid(response) == {"person": ["Dit gezinslid valt niet onder het plan."]}
    response = api.post(plan_url(plan, "/doelen"), {"domain": "financien", "instrumentVersion": "zrm-1999",
                                                    "actorType": "buurman"}, content_type=JSON)
    assert set(invalid(response)) == {"person", "description", "actorType"}
    assert not Goal.objects.exists()


def test_a_plan_is_changed_with_patch_while_in_concept_only(world):
    case, adult, api = world
    plan = start(case, [adult])
    response = api.patch(plan_url(plan), {"reviewDate": LATER.isoformat()}, content_type=JSON)
    assert response.status_code == 200 and response.json()["reviewDate"] == LATER.isoformat()
    services.finalise_plan(actor=actor_of(case), plan=complete_plan_on(plan, case, adult))
    response = api.patch(plan_url(plan), {"ownResponsibility": "Later"}, content_type=JSON)
    assert response.status_code == 409 and response.json()["code"] == "plan_not_concept"


def complete_plan_on(plan, case, adult):
    from tests.zrm.factories import domain

    actor = actor_of(case)
    services.add_goal(actor=actor, plan=plan, person=adult, domain=domain("zrm-2017", "financien"), description="D",
                      target_date=LATER, actor_type="client")
    services.record_low_domain_reason(actor=actor, plan=plan, person=adult, domain=domain("zrm-2017", "huisvesting"),
                                      reason="geen_hulpvraag")
    services.add_agreement(actor=actor, plan=plan, actor_type="client", description="A", due_date=LATER)
    services.record_network_assessment(actor=actor, plan=plan, explored=True, contacted=False,
                                       contribution_agreed=False, reason_not_used="Geen netwerk")
    return plan


def test_a_vastgesteld_plan_is_evaluated_through_the_api(world):
    case, adult, api = world
    plan = services.finalise_plan(actor=actor_of(case), plan=complete_plan(case, adult))
    agreement, goal = plan.agreements.get(), plan.goals.get()
    response = api.post(plan_url(plan, "/evalueren"), {
        "evaluation": "Goed gegaan", "agreements": [{"agreement": agreement.pk, "followed": "ja"}],
        "achievedGoals": [goal.pk]}, content_type=JSON)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "geevalueerd" and body["agreements"][0]["followed"] == "ja"
    assert body["goals"][0]["achieved"] is True
    bad = api.post(plan_url(plan, "/evalueren"), {"evaluation": "x"}, content_type=JSON)
    assert bad.status_code == 409


def test_an_evaluation_without_text_or_with_foreign_agreements_is_refused(world):
    case, adult, api = world
    plan = services.finalise_plan(actor=actor_of(case), plan=complete_plan(case, adult))
    response = api.post(plan_url(plan, "/evalueren"), {"evaluation": "", "agreements": [
        {"agreement": 999999, "followed": "ja"}]}, content_type=JSON)
    assert invalid(response) == {"agreements": ["Deze afspraken horen niet bij dit plan: 999999."]}
    response = api.post(plan_url(plan, "/evalueren"), {"evaluation": ""}, content_type=JSON)
    assert invalid(response) == {"evaluation": ["Beschrijf de evaluatie."]}
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.FINALISED


# --- Access -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("who, expected", [
    ("teamleider", 200), ("ander_team", 403), ("gemeente", 403), ("beheerder", 403),
])
def test_plan_endpoints_are_team_scoped(client, who, expected):
    case, adult = plan_case()
    plan = start(case, [adult])
    staff = {
        "teamleider": lambda: StaffFactory(leader=True, team=case.team),
        "ander_team": StaffFactory,
        "gemeente": lambda: StaffFactory(municipality=True),
        "beheerder": lambda: StaffFactory(administrator=True),
    }[who]()
    client.force_login(staff.user)
    for url in (plans_url(case), plan_url(plan), plan_url(plan, "/doelen"), plan_url(plan, "/afspraken"),
                plan_url(plan, "/redenen-zonder-doel")):
        response = client.get(url)
        assert response.status_code == expected, url
        if expected == 403:
            assert response["Content-Type"] == "application/problem+json"
    response = client.post(plan_url(plan, "/vaststellen"))
    assert response.status_code == (400 if expected == 200 else 403)
    response = client.post(plan_url(plan, "/doelen"), {"person": adult.pk, "domain": "financien",
                                                       "description": "x"}, content_type=JSON)
    assert response.status_code == (201 if expected == 200 else 403)


def test_anonymous_callers_are_refused_with_problem_details(client):
    case, adult = plan_case()
    plan = start(case, [adult])
    for url in (plans_url(case), plan_url(plan)):
        response = client.get(url)
        assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    assert client.post(plans_url(case), {"coveredPersons": [adult.pk]}, content_type=JSON).status_code == 401
    assert Plan.objects.count() == 1


def test_the_openapi_document_describes_the_plan_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    # Paths are relative to the server URL (https://{host}/api/v1); path parameters in camelCase.
    for path in ("/casussen/{caseId}/plannen", "/plannen/{id}/vaststellen",
                 "/plannen/{id}/doelen", "/plannen/{id}/afspraken",
                 "/casussen/{caseId}/trajecten", "/trajecten/{id}",
                 "/casussen/{caseId}/escalaties"):
        assert path in paths, sorted(paths)
    plan_schema = paths["/casussen/{caseId}/plannen"]["post"]
    assert plan_schema["operationId"] == "plannen_create"
