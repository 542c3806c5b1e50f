"""Who may open the plan, intervention and escalation screens: role x own/other team for every new page."""
import pytest
from django.urls import reverse

from cases import services
from cases.models import Escalation, Goal, Intervention, InterventionType
from tests.cases.test_views_plan import actor_of, complete_plan, plan_case, start
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, LOGIN = 200, 403, "login"
ROLES = ["sociaal_werker", "teamleider", "sociaal_werker_ander_team", "teamleider_ander_team", "gemeente",
         "beheerder", "anoniem"]
TEAM_ONLY = dict(zip(ROLES, [OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, LOGIN]))
LEADER_ONLY = {**TEAM_ONLY, "sociaal_werker": FORBIDDEN}


@pytest.fixture
def world(db):
    concept_case, adult = plan_case()
    worker = concept_case.regisseur
    concept = start(concept_case, [adult])
    finalised_case, other_adult = plan_case(regisseur=worker, safety_flag=True)
    services.record_family_approach(actor=actor_of(finalised_case), case=finalised_case, person=other_adult,
                                    spoken_to=True)
    finalised = services.finalise_plan(actor=actor_of(finalised_case), plan=complete_plan(finalised_case, other_adult))
    empty_case, _ = plan_case(regisseur=worker)
    intervention, _ = services.record_intervention(
        actor=actor_of(concept_case), case=concept_case,
        data=services.InterventionData(type=InterventionType.objects.get(code="uitkering"), team_action="lopend",
                                       deliverer="extern"))
    other = StaffFactory()
    users = {
        "sociaal_werker": worker.user,
        "teamleider": StaffFactory(leader=True, team=worker.team).user,
        "sociaal_werker_ander_team": other.user,
        "teamleider_ander_team": StaffFactory(leader=True, team=other.team).user,
        "gemeente": StaffFactory(municipality=True).user,
        "beheerder": StaffFactory(administrator=True).user,
        "anoniem": None,
    }
    pages = {
        "plan starten": reverse("cases:plan_start", args=[empty_case.pk]),
        "plan inzien": reverse("cases:plan_detail", args=[concept.pk]),
        "plan wijzigen": reverse("cases:plan_edit", args=[concept.pk]),
        "doel toevoegen": reverse("cases:goal_add", args=[concept.pk]),
        "reden zonder doel": reverse("cases:low_domain_reason", args=[concept.pk]),
        "afspraak toevoegen": reverse("cases:agreement_add", args=[concept.pk]),
        "netwerkanalyse": reverse("cases:network_assessment", args=[concept.pk]),
        "plan evalueren": reverse("cases:plan_evaluate", args=[finalised.pk]),
        "netwerklid toevoegen": reverse("cases:network_member_add", args=[concept_case.pk]),
        "gezinsgericht": reverse("cases:family_approach", args=[concept_case.pk, adult.pk]),
        "traject toevoegen": reverse("cases:intervention_add", args=[concept_case.pk]),
        "traject wijzigen": reverse("cases:intervention_edit", args=[intervention.pk]),
        "escalatie registreren": reverse("cases:escalation_add", args=[concept_case.pk]),
        "uitzondering veiligheid": reverse("cases:safety_override", args=[finalised_case.pk]),
    }
    return {"users": users, "pages": pages, "concept": concept, "concept_case": concept_case, "adult": adult}


EXPECTED = {page: TEAM_ONLY for page in [
    "plan starten", "plan inzien", "plan wijzigen", "doel toevoegen", "reden zonder doel", "afspraak toevoegen",
    "netwerkanalyse", "plan evalueren", "netwerklid toevoegen", "gezinsgericht", "traject toevoegen",
    "traject wijzigen", "escalatie registreren"]}
EXPECTED["uitzondering veiligheid"] = LEADER_ONLY


def check(response, expected, url):
    if expected == LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
        assert "next=" in response.url
    else:
        assert response.status_code == expected, url


@pytest.mark.parametrize("role", ROLES)
def test_each_plan_page_answers_every_role_as_expected(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    for page, expected in EXPECTED.items():
        url = world["pages"][page]
        check(client.get(url), expected[role], url)


@pytest.mark.parametrize("role", ROLES)
def test_writes_to_another_teams_plan_are_refused_and_change_nothing(client, world, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    concept, case, adult = world["concept"], world["concept_case"], world["adult"]
    posts = [
        (reverse("cases:goal_add", args=[concept.pk]), {"person": adult.pk, "domain": 1, "description": "x"}),
        (reverse("cases:plan_finalise", args=[concept.pk]), {}),
        (reverse("cases:intervention_add", args=[case.pk]),
         {"type": InterventionType.objects.get(code="uitkering").pk, "team_action": "lopend", "deliverer": "extern"}),
        (reverse("cases:escalation_add", args=[case.pk]), {"kind": "ots", "prevented": "nee", "date": "2024-01-01"}),
    ]
    expected = TEAM_ONLY[role]
    for url, data in posts:
        response = client.post(url, data)
        if expected == OK:
            assert response.status_code in (200, 302), url
        else:
            check(response, expected, url)
    if expected != OK:
        assert not Goal.objects.filter(plan=concept).exists()
        assert Intervention.objects.filter(case=case).count() == 1
        assert not Escalation.objects.filter(case=case).exists()
