"""Staff REST API for interventions (trajecten) and escalations: codes, warnings, problem details, scoping."""
import datetime as dt

import pytest

from cases import services
from cases.models import Escalation, Intervention, InterventionType
from common.models import AuditAction, AuditEvent
from tests.cases.test_views_plan import actor_of
from tests.factories import PersonFactory, StaffFactory
from tests.zrm.factories import case_with_adult

pytestmark = pytest.mark.django_db
JSON = "application/json"
TODAY = dt.date.today()


def interventions_url(case):
    return f"/api/v1/casussen/{case.pk}/trajecten"


def escalations_url(case):
    return f"/api/v1/casussen/{case.pk}/escalaties"


def invalid(response) -> dict[str, list[str]]:
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json", response.content
    names: dict[str, list[str]] = {}
    for param in response.json()["invalid-params"]:
        names.setdefault(param["name"], []).append(param["reason"])
    return names


def existing(case, code="ggz_ambulant", **fields):
    data = services.InterventionData(type=InterventionType.objects.get(code=code), team_action="gestart",
                                     deliverer="extern", **fields)
    return services.record_intervention(actor=actor_of(case), case=case, data=data)[0]


@pytest.fixture
def world(login):
    case, adult = case_with_adult()
    return case, adult, login(case.regisseur)


def test_an_integration_records_an_intervention_with_every_field_by_code(world):
    case, adult, api = world
    waiting = existing(case, on_waiting_list=True)
    payload = {
        "type": "anders", "subcategory": "praktische_zaken", "person": adult.pk, "provider": "Wijkteam",
        "startDate": (TODAY - dt.timedelta(days=30)).isoformat(), "endDate": TODAY.isoformat(),
        "teamAction": "gestopt", "deliverer": "team", "wouldHaveStartedWithoutTeam": False, "monthlyHours": "10.5",
        "mostAppropriateType": "ggz_ambulant", "deviationReason": "wachtlijst", "replacesType": "begeleiding",
        "onWaitingList": False, "bridgingFor": waiting.pk, "carriedOutAt6Months": True,
    }
    response = api.post(interventions_url(case), payload, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    for key, value in payload.items():
        assert body[key] == value, key
    assert body["case"] == case.pk
    assert body["warnings"] == [
        "Lichte ondersteuning door het team is begrensd op 8 uur per maand; hier is 10.5 uur geregistreerd."]
    item = Intervention.objects.get(pk=body["id"])
    assert (item.type.code, item.replaces_type.code, item.bridging_for) == ("anders", "begeleiding", waiting)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="intervention", object_id=str(item.pk),
                                     client="api (sessie)", person=adult).exists()


def test_the_interventions_of_a_case_are_listed_and_each_read_is_audited(world):
    case, _, api = world
    first, second = existing(case), existing(case, code="uitkering")
    response = api.get(interventions_url(case))
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2 and [row["type"] for row in data["results"]] == ["ggz_ambulant", "uitkering"]
    reads = AuditEvent.objects.filter(action=AuditAction.READ, object_type="intervention", client="api (sessie)")
    assert set(reads.values_list("object_id", flat=True)) == {str(first.pk), str(second.pk)}


def test_patch_changes_only_the_fields_sent_and_put_replaces_them_all(world):
    case, _, api = world
    item = existing(case, provider="GGZ Noord", would_have_started_without_team=True)
    url = f"/api/v1/trajecten/{item.pk}"
    response = api.patch(url, {"teamAction": "gestopt", "endDate": TODAY.isoformat()}, content_type=JSON)
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert (item.team_action, item.end_date, item.provider, item.would_have_started_without_team) == (
        "gestopt", TODAY, "GGZ Noord", True)
    response = api.put(url, {"type": "ggz_ambulant", "teamAction": "lopend", "deliverer": "extern"},
                       content_type=JSON)
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert (item.team_action, item.end_date, item.provider, item.would_have_started_without_team) == (
        "lopend", None, "", None)
    assert api.get(url).json()["teamAction"] == "lopend"


def test_bad_intervention_input_is_problem_details_with_every_invalid_parameter(world):
    case, _, api = world
    response = api.post(interventions_url(case), {
        "type": "anders", "teamAction": "gestopt", "deliverer": "extern", "monthlyHours": "3",
        "mostAppropriateType": "ggz_ambulant"}, content_type=JSON)
    assert invalid(response) == {
        "subcategory": ["Kies bij 'anders' een subcategorie."],
        "endDate": ["Een gestopt traject heeft een einddatum."],
        "monthlyHours": ["Uren lichte ondersteuning gelden alleen voor het team zelf."],
        "deviationReason": ["De ingezette hulp wijkt af van de meest passende hulp: geef de reden."],
    }
    response = api.post(interventions_url(case), {
        "type": "yoga", "replacesType": "pilates", "teamAction": "gestart", "deliverer": "extern",
        "person": 999999, "bridgingFor": 999999}, content_type=JSON)
    assert invalid(response) == {
        "type": ["Onbekende soort traject 'yoga'."], "replacesType": ["Onbekende soort traject 'pilates'."],
        "person": ["Dit is geen gezinslid van dit huishouden."],
        "bridgingFor": ["Overbrugging kan alleen voor een traject in deze casus."],
    }
    response = api.post(interventions_url(case), {"type": "uitkering", "teamAction": "lopend", "deliverer": "extern",
                                                  "person": PersonFactory().pk}, content_type=JSON)
    assert invalid(response) == {"person": ["Dit is geen gezinslid van dit huishouden."]}
    response = api.post(interventions_url(case), {"type": "uitkering", "teamAction": "misschien"},
                        content_type=JSON)
    assert set(invalid(response)) == {"teamAction", "deliverer"}
    assert not Intervention.objects.exists()


def test_an_intervention_cannot_bridge_for_itself(world):
    case, _, api = world
    item = existing(case, on_waiting_list=True)
    response = api.patch(f"/api/v1/trajecten/{item.pk}", {"bridgingFor": item.pk}, content_type=JSON)
    assert invalid(response) == {"bridgingFor": ["Een traject kan geen overbrugging voor zichzelf zijn."]}
    item.refresh_from_db()
    assert item.bridging_for is None


def test_escalations_are_recorded_and_listed(world):
    case, _, api = world
    item = existing(case, code="jeugd_opvoedhulp_ambulant")
    response = api.post(escalations_url(case), {"kind": "uhp", "prevented": True, "preventedBy": item.pk,
                                                "childrenCount": 2, "date": TODAY.isoformat(),
                                                "note": "Opvoedhulp"}, content_type=JSON)
    assert response.status_code == 201, response.content
    assert response.json()["preventedBy"] == item.pk and response.json()["childrenCount"] == 2
    api.post(escalations_url(case), {"kind": "huisuitzetting", "prevented": False,
                                     "date": (TODAY - dt.timedelta(days=3)).isoformat()}, content_type=JSON)
    data = api.get(escalations_url(case)).json()
    assert [(row["kind"], row["prevented"]) for row in data["results"]] == [("huisuitzetting", False),
                                                                           ("uhp", True)]


def test_bad_escalation_input_is_problem_details(world):
    case, _, api = world
    other_case, _ = case_with_adult()
    foreign = existing(other_case)
    response = api.post(escalations_url(case), {"kind": "uhp", "prevented": False, "date": TODAY.isoformat()},
                        content_type=JSON)
    assert invalid(response) == {"childrenCount": ["Vul bij een uithuisplaatsing het aantal kinderen in."]}
    response = api.post(escalations_url(case), {"kind": "ots", "prevented": True, "preventedBy": foreign.pk,
                                                "date": TODAY.isoformat()}, content_type=JSON)
    assert invalid(response) == {"preventedBy": ["Kies een traject van deze casus."]}
    response = api.post(escalations_url(case), {"kind": "ots", "prevented": True,
                                                "date": (TODAY + dt.timedelta(days=2)).isoformat()},
                        content_type=JSON)
    assert invalid(response) == {"date": ["Deze datum ligt in de toekomst."]}
    assert not Escalation.objects.filter(case=case).exists()


@pytest.mark.parametrize("who", ["ander_team", "gemeente", "beheerder"])
def test_intervention_and_escalation_endpoints_refuse_outsiders(client, who):
    case, _ = case_with_adult()
    item = existing(case)
    staff = {"ander_team": StaffFactory, "gemeente": lambda: StaffFactory(municipality=True),
             "beheerder": lambda: StaffFactory(administrator=True)}[who]()
    client.force_login(staff.user)
    for url in (interventions_url(case), f"/api/v1/trajecten/{item.pk}", escalations_url(case)):
        response = client.get(url)
        assert response.status_code == 403 and response["Content-Type"] == "application/problem+json", url
    assert client.patch(f"/api/v1/trajecten/{item.pk}", {"provider": "x"}, content_type=JSON).status_code == 403
    assert client.post(escalations_url(case), {"kind": "ots", "prevented": False, "date": TODAY.isoformat()},
                       content_type=JSON).status_code == 403
    item.refresh_from_db()
    assert item.provider == "" and not Escalation.objects.exists()


def test_a_team_leader_of_the_team_may_use_them(client):
    case, _ = case_with_adult()
    client.force_login(StaffFactory(leader=True, team=case.team).user)
    response = client.post(interventions_url(case), {"type": "uitkering", "teamAction": "lopend",
                                                     "deliverer": "extern"}, content_type=JSON)
    assert response.status_code == 201 and response.json()["warnings"] == []
