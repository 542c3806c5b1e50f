"""Registration endpoints (issue 6): households, persons and cases for integrations limited to their teams.

Stories: an integration of team A lists, reads and writes team A's households, persons and cases through
the same services as the screens; it never sees or changes team B's; a BSN only travels in a POST body
and never comes back; every read is in the audit log under the client's name; every bad field is named
in problem details; a machine client is never a director, and the timeline names it where it acted.
"""
import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from cases import services
from cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    ClosureReason,
    DirectorAssignment,
    Household,
    HouseholdMembership,
    MemberRole,
    Person,
    Plan,
)
from common.audit import Actor
from common.models import AuditEvent
from common.services import create_api_client
from tests.factories import CaseFactory, MembershipFactory, PersonFactory, StaffFactory, valid_bsn

pytestmark = pytest.mark.django_db

JSON = "application/json"
TODAY = dt.date.today()


def bearer(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def invalid(response) -> dict[str, list[str]]:
    assert response["Content-Type"] == "application/problem+json", response.content
    out: dict[str, list[str]] = {}
    for item in response.json()["invalid-params"]:
        out.setdefault(item["name"], []).append(item["reason"])
    return out


class World:
    """Team A (the integration's) and team B, each with an open case; clients for team A."""

    def __init__(self):
        self.case_a = CaseFactory()
        self.team_a = self.case_a.team
        self.case_b = CaseFactory()
        self.team_b = self.case_b.team
        self.adult_a = self.case_a.household.memberships.get().person
        self.adult_b = self.case_b.household.memberships.get().person
        _, reader = create_api_client(name="Leeskoppeling", scopes=["registratie.lezen"],
                                      teams=[self.team_a])
        _, writer = create_api_client(name="Schrijfkoppeling", scopes=["registratie.schrijven"],
                                      teams=[self.team_a])
        _, both = create_api_client(name="Koppeling", scopes=["registratie.lezen", "registratie.schrijven"],
                                    teams=[self.team_a])
        self.reader, self.writer, self.both = bearer(reader), bearer(writer), bearer(both)


@pytest.fixture
def world():
    return World()


def close(case) -> None:
    services.close_case(actor=Actor(user=case.regisseur.user), case=case,
                        reason=ClosureReason.objects.get(code="doelen_behaald"), closed_on=TODAY)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- Households ---------------------------------------------------------------------------------------

def test_an_integration_lists_only_the_households_of_its_teams(world):
    closed_a = CaseFactory(team=world.team_a, regisseur__team=world.team_a)
    response = world.reader.get("/api/v1/huishoudens")
    assert sorted(ids(response)) == sorted([world.case_a.household_id, closed_a.household_id])
    row = next(r for r in response.json()["results"] if r["id"] == world.case_a.household_id)
    assert row["postcode"] == "9711AB" and row["houseNumber"] == world.case_a.household.house_number
    assert row["memberCount"] == 1 and row["cases"] == [world.case_a.pk] and row["householdType"] == "overig"
    assert ids(world.reader.get("/api/v1/huishoudens", {"team": world.team_b.pk})) == []


def test_household_list_filters_by_external_id_and_rejects_a_bad_team_value(world):
    Household.objects.filter(pk=world.case_a.household_id).update(external_id="WIZ-1")
    assert ids(world.reader.get("/api/v1/huishoudens", {"externalId": "WIZ-1"})) == [world.case_a.household_id]
    response = world.reader.get("/api/v1/huishoudens", {"team": "abc"})
    assert response.status_code == 400 and "team" in invalid(response)


def test_the_household_list_runs_a_constant_number_of_queries(world):
    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert world.reader.get("/api/v1/huishoudens").status_code == 200
        return len(ctx.captured_queries)

    few = count_queries()
    for _ in range(6):
        case = CaseFactory(team=world.team_a, regisseur__team=world.team_a)
        MembershipFactory(household=case.household, role=MemberRole.CHILD)
    assert count_queries() == few


def test_a_household_of_another_team_answers_403_and_an_unknown_one_404(world):
    response = world.reader.get(f"/api/v1/huishoudens/{world.case_b.household_id}")
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert world.reader.get("/api/v1/huishoudens/999999").status_code == 404
    assert world.reader.get(f"/api/v1/huishoudens/{world.case_a.household_id}").status_code == 200


def test_reading_a_household_is_audited_with_the_clients_name(world):
    world.reader.get(f"/api/v1/huishoudens/{world.case_a.household_id}")
    event = AuditEvent.objects.get(client="api:Leeskoppeling")
    assert (event.action, event.object_type, event.object_id) == ("read", "household",
                                                                   str(world.case_a.household_id))
    assert event.user is None and event.case_id == world.case_a.pk


def test_an_integration_changes_the_address_through_the_service(world):
    url = f"/api/v1/huishoudens/{world.case_a.household_id}"
    response = world.writer.patch(url, {"postcode": "9712 cd", "houseNumber": 12, "houseNumberAddition": "a",
                                        "wijk": "Oosterpoort"}, format="json")
    assert response.status_code == 200, response.content
    household = Household.objects.get(pk=world.case_a.household_id)
    assert (household.postcode, household.house_number, household.house_number_addition, household.wijk,
            household.street) == ("9712CD", 12, "a", "Oosterpoort", "Oosterstraat")
    assert response.json()["postcode"] == "9712CD"
    update = AuditEvent.objects.get(action="update", object_type="household")
    assert update.client == "api:Schrijfkoppeling" and update.case_id == world.case_a.pk
    event = CaseEvent.objects.get(case=world.case_a, description="Adres van het huishouden gewijzigd")
    assert event.actor is None and event.actor_client == "api:Schrijfkoppeling"


def test_a_malformed_address_names_every_field_and_saves_nothing(world):
    url = f"/api/v1/huishoudens/{world.case_a.household_id}"
    response = world.writer.patch(url, {"postcode": "1234 A", "houseNumber": 0, "street": " "}, format="json")
    assert response.status_code == 400
    assert invalid(response) == {
        "postcode": ["Vul een geldige postcode in: vier cijfers en twee letters, bijvoorbeeld 1234 AB."],
        "houseNumber": ["Vul een huisnummer in (1 of hoger)."],
        "street": ["Vul de straat in."],
    }
    response = world.writer.patch(url, {"houseNumber": "twaalf"}, format="json")
    assert response.status_code == 400 and list(invalid(response)) == ["houseNumber"]
    household = Household.objects.get(pk=world.case_a.household_id)
    assert (household.postcode, household.street) == ("9711AB", "Oosterstraat")
    assert not AuditEvent.objects.filter(action="update").exists()


def test_an_address_is_changed_only_in_an_open_case_of_the_callers_team(world):
    # The household's open case is team B's, though team A once had it: team A may read, not write.
    shared = CaseFactory(team=world.team_a, regisseur__team=world.team_a)
    close(shared)
    CaseFactory(household=shared.household, team=world.team_b, regisseur__team=world.team_b)
    url = f"/api/v1/huishoudens/{shared.household_id}"
    assert world.reader.get(url).status_code == 200
    assert world.writer.patch(url, {"city": "Haren"}, format="json").status_code == 403
    assert world.writer.patch(f"/api/v1/huishoudens/{world.case_b.household_id}", {"city": "Haren"},
                              format="json").status_code == 403
    # Only closed cases: nothing to change it in.
    closed = CaseFactory(team=world.team_a, regisseur__team=world.team_a)
    close(closed)
    response = world.writer.patch(f"/api/v1/huishoudens/{closed.household_id}", {"city": "Haren"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "no_open_case"
    assert not Household.objects.filter(city="Haren").exists()


# --- Persons ------------------------------------------------------------------------------------------

def test_members_show_bsn_bekend_but_never_the_number(world):
    child = MembershipFactory(household=world.case_a.household, role=MemberRole.CHILD,
                              person=PersonFactory(bsn=None, date_of_birth=dt.date(2016, 5, 1))).person
    response = world.reader.get(f"/api/v1/huishoudens/{world.case_a.household_id}/personen")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[world.adult_a.pk]["bsnBekend"] is True and rows[child.pk]["bsnBekend"] is False
    assert rows[world.adult_a.pk]["lastName"] == world.adult_a.last_name and rows[child.pk]["role"] == "kind"
    assert "bsn" not in rows[world.adult_a.pk]
    assert world.adult_a.bsn not in response.content.decode()
    person = world.reader.get(f"/api/v1/personen/{world.adult_a.pk}")
    assert person.json()["bsnBekend"] is True and world.adult_a.bsn not in person.content.decode()
    reads = AuditEvent.objects.filter(client="api:Leeskoppeling", action="read", object_type="person")
    assert sorted(reads.values_list("person_id", flat=True)) == sorted([world.adult_a.pk, child.pk,
                                                                        world.adult_a.pk])


def test_members_of_another_teams_household_are_forbidden(world):
    response = world.reader.get(f"/api/v1/huishoudens/{world.case_b.household_id}/personen")
    assert response.status_code == 403
    assert world.reader.get(f"/api/v1/personen/{world.adult_b.pk}").status_code == 403
    assert world.reader.get("/api/v1/personen/999999").status_code == 404
    assert not AuditEvent.objects.filter(action="read").exists()


def test_a_person_shows_only_memberships_of_the_callers_teams(world):
    # The adult of team B's household also lives (lived) in team A's household.
    MembershipFactory(household=world.case_a.household, person=world.adult_b, role=MemberRole.PARTNER)
    response = world.reader.get(f"/api/v1/personen/{world.adult_b.pk}")
    assert response.status_code == 200
    assert [m["household"] for m in response.json()["memberships"]] == [world.case_a.household_id]


def test_an_integration_adds_a_member_through_the_service(world):
    bsn = valid_bsn()
    url = f"/api/v1/huishoudens/{world.case_a.household_id}/personen"
    response = world.writer.post(url, {"firstName": "Sanne", "lastName": "Visser", "dateOfBirth": "2012-04-03",
                                       "bsn": bsn, "role": "kind", "validFrom": TODAY.isoformat()}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["bsnBekend"] is True and bsn not in response.content.decode()
    person = Person.objects.get(pk=body["id"])
    assert person.bsn == bsn and person.first_name == "Sanne"
    assert response["Location"] == f"/api/v1/personen/{person.pk}"
    assert HouseholdMembership.objects.filter(household=world.case_a.household, person=person, role="kind").exists()
    created = AuditEvent.objects.get(action="create", object_type="person")
    assert created.client == "api:Schrijfkoppeling" and created.person == person and created.case == world.case_a
    event = CaseEvent.objects.get(case=world.case_a, kind="gezinslid")
    assert event.actor is None and event.actor_client == "api:Schrijfkoppeling"


def test_a_bad_member_is_refused_with_every_invalid_field(world):
    url = f"/api/v1/huishoudens/{world.case_a.household_id}/personen"
    future = (TODAY + dt.timedelta(days=3)).isoformat()
    response = world.writer.post(url, {"firstName": " ", "lastName": "Visser", "dateOfBirth": future,
                                       "bsn": "123456789", "role": "kind"}, format="json")
    assert response.status_code == 400
    errors = invalid(response)
    assert set(errors) == {"firstName", "dateOfBirth", "bsn"}
    assert errors["dateOfBirth"] == ["Deze datum ligt in de toekomst."]
    assert "123456789" not in response.content.decode()
    response = world.writer.post(url, {"firstName": "Sanne", "role": "opa"}, format="json")
    assert response.status_code == 400 and {"lastName", "dateOfBirth", "role"} <= set(invalid(response))
    assert Person.objects.count() == 2


def test_a_member_cannot_be_added_to_another_teams_household_or_by_a_reader(world):
    body = {"firstName": "Sanne", "lastName": "Visser", "dateOfBirth": "2012-04-03", "role": "kind"}
    assert world.writer.post(f"/api/v1/huishoudens/{world.case_b.household_id}/personen", body,
                             format="json").status_code == 403
    assert world.reader.post(f"/api/v1/huishoudens/{world.case_a.household_id}/personen", body,
                             format="json").status_code == 403
    assert Person.objects.count() == 2


def test_a_search_by_bsn_finds_a_person_of_the_callers_teams_and_is_audited(world):
    response = world.reader.post("/api/v1/personen/zoeken", {"bsn": world.adult_a.bsn}, format="json")
    assert response.status_code == 200
    assert response.json() == {"person": world.adult_a.pk, "households": [world.case_a.household_id]}
    assert world.adult_a.bsn not in response.content.decode()
    event = AuditEvent.objects.get(action="search")
    assert event.client == "api:Leeskoppeling" and event.person == world.adult_a


def test_a_search_answers_alike_for_an_unknown_bsn_and_one_only_other_teams_know(world):
    unknown = valid_bsn()
    elsewhere = world.reader.post("/api/v1/personen/zoeken", {"bsn": world.adult_b.bsn}, format="json")
    nowhere = world.reader.post("/api/v1/personen/zoeken", {"bsn": unknown}, format="json")
    assert elsewhere.status_code == nowhere.status_code == 200
    assert elsewhere.content == nowhere.content == b'{"person":null,"households":[]}'
    assert AuditEvent.objects.filter(action="search", client="api:Leeskoppeling").count() == 2


def test_a_search_with_a_malformed_bsn_is_problem_details_without_echoing_it(world):
    response = world.reader.post("/api/v1/personen/zoeken", {"bsn": "123456789"}, format="json")
    assert response.status_code == 400 and invalid(response) == {"bsn": [services.MSG_BSN_INVALID]}
    assert "123456789" not in response.content.decode()
    response = world.reader.post("/api/v1/personen/zoeken", {}, format="json")
    assert response.status_code == 400 and "bsn" in invalid(response)


def test_a_search_is_a_read_and_never_a_get(world):
    assert world.writer.post("/api/v1/personen/zoeken", {"bsn": world.adult_a.bsn}, format="json").status_code == 403
    assert world.reader.get("/api/v1/personen/zoeken").status_code in (404, 405)


@pytest.mark.parametrize("path", ["/api/v1/huishoudens", "/api/v1/huishoudens/{household}/personen",
                                  "/api/v1/personen/{person}", "/api/v1/personen/zoeken", "/api/v1/casussen",
                                  "/api/v1/casussen/{case}"])
@pytest.mark.parametrize("query", [{"bsn": "{bsn}"}, {"q": "{bsn}"}, {"achternaam": "Jansen"},
                                   {"geboortedatum": "1985-03-14"}])
def test_no_bsn_or_name_is_accepted_in_a_query_string(world, path, query):
    url = path.format(household=world.case_a.household_id, person=world.adult_a.pk, case=world.case_a.pk)
    query = {key: value.format(bsn=world.adult_a.bsn) for key, value in query.items()}
    response = world.both.get(url, query) if "zoeken" not in url else world.both.post(
        f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}", {"bsn": world.adult_a.bsn}, format="json")
    assert response.status_code == 400
    assert response.json()["invalid-params"][0]["code"] == "personal_data_in_url"
    assert world.adult_a.bsn not in response.content.decode()
    assert not AuditEvent.objects.exists()


# --- Cases --------------------------------------------------------------------------------------------

def test_the_case_list_holds_only_the_callers_teams_and_filters_in_camel_case(world):
    closed = CaseFactory(team=world.team_a, regisseur__team=world.team_a)
    close(closed)
    assert sorted(ids(world.reader.get("/api/v1/casussen"))) == sorted([world.case_a.pk, closed.pk])
    assert ids(world.reader.get("/api/v1/casussen", {"status": "afgesloten"})) == [closed.pk]
    assert ids(world.reader.get("/api/v1/casussen", {"team": world.team_b.pk})) == []
    Case.objects.filter(pk=world.case_a.pk).update(external_id="MC-77")
    assert ids(world.reader.get("/api/v1/casussen", {"externalId": "MC-77"})) == [world.case_a.pk]
    response = world.reader.get("/api/v1/casussen", {"status": "open"})
    assert response.status_code == 400 and list(invalid(response)) == ["status"]
    row = world.reader.get(f"/api/v1/casussen/{closed.pk}").json()
    assert row["status"] == "afgesloten" and row["closureReason"] == "doelen_behaald"
    assert row["closedOn"] == TODAY.isoformat() and row["meldingSource"] == "zelfmelder"
    reads = AuditEvent.objects.filter(action="read", client="api:Leeskoppeling", object_type="case")
    assert reads.count() == 2 + 1 + 1 + 1  # two listed, one each in the filtered lists, one detail


def test_a_case_of_another_team_answers_403(world):
    assert world.reader.get(f"/api/v1/casussen/{world.case_b.pk}").status_code == 403
    assert world.reader.get("/api/v1/casussen/999999").status_code == 404


def melding(world, **overrides):
    body = {
        "team": world.team_a.pk, "meldingDate": TODAY.isoformat(), "meldingSource": "huisarts_poh",
        "regisseur": world.case_a.regisseur_id, "safetyFlag": False,
        "newHousehold": {"postcode": "9711 ab", "houseNumber": 401, "street": "Oosterstraat", "city": "Groningen",
                         "members": [{"firstName": "Ans", "lastName": "de Boer", "dateOfBirth": "1950-02-01",
                                      "bsn": valid_bsn(), "role": "ouder"}]},
    }
    body.update(overrides)
    return body


def test_an_integration_registers_a_melding_for_a_new_household(world):
    body = melding(world)
    response = world.writer.post("/api/v1/casussen", body, format="json")
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert response["Location"] == f"/api/v1/casussen/{case.pk}"
    assert (case.team, case.regisseur_id, case.status, case.melding_source.code) == (
        world.team_a, world.case_a.regisseur_id, "aangemeld", "huisarts_poh")
    assert case.household.postcode == "9711AB"
    person = case.household.memberships.get().person
    assert person.bsn == body["newHousehold"]["members"][0]["bsn"]
    assignment = DirectorAssignment.objects.get(case=case)
    assert assignment.assigned_by is None and assignment.assigned_by_client == "api:Schrijfkoppeling"
    assert set(CaseEvent.objects.filter(case=case).values_list("actor_client", flat=True)) == {"api:Schrijfkoppeling"}
    created = AuditEvent.objects.filter(action="create", client="api:Schrijfkoppeling")
    assert sorted(created.values_list("object_type", flat=True)) == ["case", "household", "person"]


def test_an_integration_registers_a_melding_for_a_household_of_its_team(world):
    old = CaseFactory(team=world.team_a, regisseur__team=world.team_a)
    close(old)
    response = world.writer.post("/api/v1/casussen", melding(world, newHousehold=None, household=old.household_id),
                                 format="json")
    assert response.status_code == 201, response.content
    assert response.json()["reopenedFrom"] == old.pk and response.json()["household"] == old.household_id


def test_a_bad_melding_names_every_invalid_field_and_saves_nothing(world):
    counts = (Case.objects.count(), Household.objects.count(), Person.objects.count())
    body = melding(world, meldingDate=(TODAY + dt.timedelta(days=1)).isoformat(), meldingSource="brievenbus",
                   regisseur=999999)
    body["newHousehold"].update(postcode="1234 A", city="")
    body["newHousehold"]["members"].append({"firstName": "Piet", "lastName": "", "dateOfBirth": "2001-01-01",
                                            "bsn": "111111111", "role": "kind"})
    response = world.writer.post("/api/v1/casussen", body, format="json")
    assert response.status_code == 400
    errors = invalid(response)
    assert set(errors) == {"meldingDate", "meldingSource", "regisseur", "newHousehold.postcode", "newHousehold.city",
                           "newHousehold.members.1.lastName", "newHousehold.members.1.bsn"}
    assert errors["meldingSource"] == ["Onbekende bron van de melding 'brievenbus'."]
    assert (Case.objects.count(), Household.objects.count(), Person.objects.count()) == counts


def test_malformed_melding_json_is_problem_details(world):
    response = world.writer.post("/api/v1/casussen", {"team": "A", "meldingDate": "12-01-2025",
                                                      "newHousehold": {"members": "Ans"}}, format="json")
    assert response.status_code == 400
    assert {"team", "meldingDate", "meldingSource", "regisseur", "newHousehold.postcode",
            "newHousehold.members"} <= set(invalid(response))
    response = world.writer.post(f"/api/v1/casussen/{world.case_a.pk}/eerste-contact", {"contactDate": "0001-01-01"},
                                 format="json")
    assert response.status_code == 400 and invalid(response) == {"contactDate": ["Vul een datum vanaf 1900 in."]}
    response = world.writer.post("/api/v1/casussen", "{niet json", content_type=JSON)
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    response = world.writer.post("/api/v1/casussen", melding(world, household=world.case_a.household_id),
                                 format="json")
    assert response.status_code == 400 and "household" in invalid(response)


def test_a_second_open_case_answers_409_with_the_existing_case(world):
    response = world.writer.post("/api/v1/casussen", melding(world, newHousehold=None,
                                                             household=world.case_a.household_id), format="json")
    assert response.status_code == 409
    assert response.json()["existingCase"] == world.case_a.pk and response.json()["code"] == "open_case_exists"
    assert Case.objects.filter(household=world.case_a.household).count() == 1


def test_a_melding_for_another_team_or_its_household_is_forbidden(world):
    counts = (Case.objects.count(), Household.objects.count())
    assert world.writer.post("/api/v1/casussen", melding(world, team=world.team_b.pk,
                                                         regisseur=world.case_b.regisseur_id),
                             format="json").status_code == 403
    closed_b = CaseFactory(team=world.team_b, regisseur__team=world.team_b)
    close(closed_b)
    assert world.writer.post("/api/v1/casussen", melding(world, newHousehold=None, household=closed_b.household_id),
                             format="json").status_code == 403
    response = world.writer.post("/api/v1/casussen", melding(world, team=999999), format="json")
    assert response.status_code == 400 and "team" in invalid(response)
    assert (Case.objects.count(), Household.objects.count()) == (counts[0] + 1, counts[1] + 1)  # closed_b only


@pytest.mark.parametrize("director", ["none", "other_team", "gemeente"])
def test_a_machine_client_is_never_the_director(world, director):
    body = melding(world)
    if director == "none":
        del body["regisseur"]
    elif director == "other_team":
        body["regisseur"] = world.case_b.regisseur_id
    else:
        body["regisseur"] = StaffFactory(municipality=True).pk
    response = world.writer.post("/api/v1/casussen", body, format="json")
    assert response.status_code == 400 and "regisseur" in invalid(response)
    assert not Case.objects.filter(household__house_number=401).exists()


def test_the_case_flow_runs_through_the_api(world):
    colleague = StaffFactory(team=world.team_a)
    base = f"/api/v1/casussen/{world.case_a.pk}"
    response = world.writer.post(f"{base}/eerste-contact", {"contactDate": TODAY.isoformat()}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "in_behandeling"
    again = world.writer.post(f"{base}/eerste-contact", {"contactDate": TODAY.isoformat()}, format="json")
    assert again.status_code == 409 and again.json()["detail"] == "Het eerste contact is al geregistreerd."

    response = world.writer.post(f"{base}/regie-overdragen", {"regisseur": colleague.pk, "reason": "Ziekte"},
                                 format="json")
    assert response.status_code == 200 and response.json()["regisseur"] == colleague.pk
    current = DirectorAssignment.objects.get(case=world.case_a, ended_on__isnull=True)
    assert current.regisseur == colleague and current.assigned_by_client == "api:Schrijfkoppeling"

    response = world.writer.post(f"{base}/afsluiten", {"reason": "verhuisd", "closedOn": TODAY.isoformat()},
                                 format="json")
    assert response.status_code == 200 and response.json()["closureReason"] == "verhuisd"

    response = world.writer.post(f"{base}/heropenen", {"meldingDate": TODAY.isoformat(),
                                                       "meldingSource": "zelfmelder", "regisseur": colleague.pk},
                                 format="json")
    assert response.status_code == 201
    new = Case.objects.get(pk=response.json()["id"])
    assert new.reopened_from_id == world.case_a.pk and new.status == CaseStatus.REGISTERED
    assert response["Location"] == f"/api/v1/casussen/{new.pk}"
    kinds = list(CaseEvent.objects.filter(case=world.case_a, actor_client="api:Schrijfkoppeling")
                 .values_list("kind", flat=True))
    assert kinds == ["eerste_contact", "overdracht", "afgesloten"]
    updates = AuditEvent.objects.filter(client="api:Schrijfkoppeling", action="update", case=world.case_a)
    assert updates.count() == 3


def test_case_actions_name_their_invalid_fields(world):
    base = f"/api/v1/casussen/{world.case_a.pk}"
    response = world.writer.post(f"{base}/afsluiten", {"reason": "opgelost", "closedOn": "2000-01-01"},
                                 format="json")
    assert response.status_code == 400
    assert invalid(response) == {"reason": ["Onbekende reden van afsluiting 'opgelost'."],
                                 "closedOn": ["De afsluitdatum kan niet vóór de meldingsdatum liggen."]}
    response = world.writer.post(f"{base}/regie-overdragen", {"regisseur": world.case_b.regisseur_id, "reason": ""},
                                 format="json")
    assert response.status_code == 400 and set(invalid(response)) == {"regisseur", "reason"}
    response = world.writer.post(f"{base}/heropenen", {"meldingDate": TODAY.isoformat(),
                                                       "meldingSource": "huisarts_poh",
                                                       "regisseur": world.case_a.regisseur_id}, format="json")
    assert response.status_code == 409 and response.json()["detail"] == \
        "Alleen een afgesloten casus kan worden heropend."
    assert Case.objects.get(pk=world.case_a.pk).status == CaseStatus.REGISTERED


def test_case_actions_on_another_teams_case_are_forbidden_and_change_nothing(world):
    base = f"/api/v1/casussen/{world.case_b.pk}"
    for tail, body in (("eerste-contact", {"contactDate": TODAY.isoformat()}),
                       ("afsluiten", {"reason": "verhuisd", "closedOn": TODAY.isoformat()}),
                       ("regie-overdragen", {"regisseur": world.case_a.regisseur_id, "reason": "x"})):
        response = world.writer.post(f"{base}/{tail}", body, format="json")
        assert response.status_code == 403, tail
    case = Case.objects.get(pk=world.case_b.pk)
    assert (case.status, case.first_contact_date, case.regisseur_id) == ("aangemeld", None,
                                                                         world.case_b.regisseur_id)
    assert not AuditEvent.objects.filter(client="api:Schrijfkoppeling").exists()


def test_staff_sessions_use_the_same_endpoints_for_their_own_team(world, client):
    client.force_login(world.case_a.regisseur.user)
    assert ids(client.get("/api/v1/casussen")) == [world.case_a.pk]
    assert client.get(f"/api/v1/casussen/{world.case_b.pk}").status_code == 403
    response = client.post(f"/api/v1/casussen/{world.case_a.pk}/eerste-contact",
                           {"contactDate": TODAY.isoformat()}, content_type=JSON)
    assert response.status_code == 200
    event = CaseEvent.objects.get(case=world.case_a, kind="eerste_contact")
    assert event.actor == world.case_a.regisseur.user and event.actor_client == ""
    client.force_login(StaffFactory(municipality=True).user)
    assert client.get("/api/v1/huishoudens").status_code == 403


def test_a_machine_client_works_with_the_plan_endpoints_of_its_team(world):
    response = world.writer.post(f"/api/v1/casussen/{world.case_a.pk}/plannen", {"coveredPersons": [world.adult_a.pk]},
                                 format="json")
    assert response.status_code == 201, response.content
    plan = Plan.objects.get(case=world.case_a)
    assert CaseEvent.objects.get(case=world.case_a, kind="overig").actor_client == "api:Schrijfkoppeling"
    assert world.reader.get(f"/api/v1/plannen/{plan.pk}").status_code == 200
    assert world.writer.post(f"/api/v1/casussen/{world.case_b.pk}/plannen", {"coveredPersons": [world.adult_b.pk]},
                             format="json").status_code == 403
    assert world.reader.get(f"/api/v1/casussen/{world.case_b.pk}/plannen").status_code == 403


def test_the_casus_page_names_the_client_that_acted(world, client):
    world.writer.post(f"/api/v1/casussen/{world.case_a.pk}/eerste-contact", {"contactDate": TODAY.isoformat()},
                      format="json")
    client.force_login(world.case_a.regisseur.user)
    page = client.get(f"/casussen/{world.case_a.pk}")
    assert page.status_code == 200 and "api:Schrijfkoppeling" in page.content.decode()


def test_every_timeline_row_and_assignment_names_who_acted_at_the_database_level(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseEvent.objects.create(case=world.case_a, kind="overig", occurred_on=TODAY, actor=None, actor_client="")
    with pytest.raises(IntegrityError), transaction.atomic():
        DirectorAssignment.objects.filter(case=world.case_a).update(assigned_by=None, assigned_by_client="")


def test_registration_responses_carry_the_api_version_header(world):
    for response in (world.reader.get("/api/v1/casussen"), world.reader.get(f"/api/v1/casussen/{world.case_b.pk}"),
                     world.writer.post("/api/v1/casussen", {}, format="json"),
                     world.reader.post("/api/v1/personen/zoeken", {"bsn": "1"}, format="json"),
                     APIClient().get("/api/v1/huishoudens")):
        assert response["API-Version"] == "1.0.0"
