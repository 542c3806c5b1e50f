"""Issue 15, finding 5: no BSN oracle.

An API client limited to team 1 sent `POST /api/v1/imports?dryRun=true` with a team-2 person's BSN and a wrong
name and birth date, and learned "Deze persoon is ook bij een ander team geregistreerd"; a real import then
attached that person to a new team-1 household. Whether a BSN is known elsewhere is answered only by the
regiecheck (BSN, date of birth and address; audited; WHO, not WHAT): the import, the melding screen and the
registration API answer a BSN known only to another team exactly as an unknown one until a real write,
which cannot give one BSN a second person and refuses it without ever linking the other team's person.
Linking goes through the regiecheck's hand-over (services.link_known_person), audited.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.imports.persons import MSG_BSN_NOT_LINKABLE
from cases.models import Case, CaseEvent, Household, HouseholdMembership, Person
from common.audit import Actor
from common.models import AuditAction, AuditEvent, AuditPurpose
from common.services import create_api_client
from tests.cases import import_files as files
from tests.factories import CaseFactory, MembershipFactory, StaffFactory, TeamFactory, UserFactory, melding_source
from zrm.imports import ImportRejected, import_registrations

pytestmark = pytest.mark.django_db
IMPORTS = "/api/v1/imports"
DOB = dt.date(1979, 4, 12)
UNKNOWN_BSN = "111222333"


@pytest.fixture
def world(db):
    """Team 1 (Oosterpark) imports through a client limited to it; team 2 (Vinkhuizen) holds Fenna."""
    director = StaffFactory(team=TeamFactory(name="Wijkteam Oosterpark"), user=UserFactory(username="sanne"))
    other = StaffFactory(team=TeamFactory(name="Wijkteam Vinkhuizen"), user=UserFactory(username="bea"))
    case_2 = CaseFactory(regisseur=other, members=False, household__postcode="9741AB", household__house_number=3,
                         household__street="Zernikelaan")
    fenna = MembershipFactory(household=case_2.household, person__bsn="293270739", person__first_name="Fenna",
                              person__last_name="Wiersma", person__date_of_birth=DOB).person
    _, token = create_api_client(name="Koppeling Oosterpark", scopes=["registratie.schrijven"],
                                 teams=[director.team])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert not Person.objects.filter(bsn_hash__isnull=False).exclude(pk=fenna.pk).exists()
    return {"director": director, "other": other, "case_2": case_2, "fenna": fenna, "api": api}


def one_household_file(world, tmp_path, *, bsn, first_name="Anna", last_name="Jansen", dob="1980-01-01",
                       name="import.xlsx", extra_measurement_bsn=None):
    """A team-1 file: one new household, one person (this BSN), one case; optionally a ZRM row naming a BSN."""
    data = files.dataset(team=world["director"].team.name, regisseur="sanne", households=1)
    data["personen"] = data["personen"][:1]
    data["personen"][0].update(bsn=bsn, voornaam=first_name, achternaam=last_name, geboortedatum=dob)
    data["trajecten"] = []
    if extra_measurement_bsn is None:
        data["zrm-metingen"] = []
    else:
        data["zrm-metingen"] = data["zrm-metingen"][:1]
        data["zrm-metingen"][0]["bsn"] = extra_measurement_bsn
    return files.write_xlsx(data, tmp_path / name)


def upload(api, path, query=""):
    with open(path, "rb") as fh:
        return api.post(IMPORTS + query, {"file": fh}, format="multipart")


def answer(response) -> tuple:
    body = response.json()
    body.pop("seconds", None)
    return response.status_code, body


def fenna_households(world) -> set[int]:
    return set(HouseholdMembership.objects.filter(person=world["fenna"]).values_list("household_id", flat=True))


# --- The import ------------------------------------------------------------------------------------------------

def test_a_dry_run_answers_a_bsn_known_to_another_team_exactly_as_an_unknown_one(world, tmp_path):
    """The attack: team 2's BSN with a wrong name and birth date, in a dry run."""
    known = upload(world["api"], one_household_file(world, tmp_path, bsn=world["fenna"].bsn, name="k.xlsx"),
                   "?dryRun=true")
    unknown = upload(world["api"], one_household_file(world, tmp_path, bsn=UNKNOWN_BSN, name="u.xlsx"),
                     "?dryRun=true")
    assert answer(known) == answer(unknown)
    assert known.status_code == 200 and known.json()["written"] is False
    assert "ander team" not in known.content.decode()
    # Also with the person's own name and birth date (what the attacker may try next), and in a file that is
    # refused for another reason: the same answer as for an unknown BSN.
    same = upload(world["api"], one_household_file(world, tmp_path, bsn=world["fenna"].bsn, first_name="Fenna",
                                                   last_name="Wiersma", dob=DOB.isoformat(), name="s.xlsx"),
                  "?dryRun=true")
    assert answer(same) == answer(unknown)


def test_a_bsn_named_only_in_another_sheet_is_unknown_alike(world, tmp_path):
    known = upload(world["api"], one_household_file(world, tmp_path, bsn=UNKNOWN_BSN, name="k.xlsx",
                                                    extra_measurement_bsn=world["fenna"].bsn), "?dryRun=true")
    other_unknown = "123456782"
    unknown = upload(world["api"], one_household_file(world, tmp_path, bsn=UNKNOWN_BSN, name="u.xlsx",
                                                      extra_measurement_bsn=other_unknown), "?dryRun=true")
    assert known.status_code == unknown.status_code == 400
    assert answer(known) == answer(unknown)


def test_a_real_import_never_attaches_another_teams_person(world, tmp_path):
    """The attack's second step: the real import with the person's own name and birth date."""
    before = (Household.objects.count(), Case.objects.count(), fenna_households(world))
    response = upload(world["api"], one_household_file(world, tmp_path, bsn=world["fenna"].bsn, first_name="Fenna",
                                                       last_name="Wiersma", dob=DOB.isoformat()))
    assert response.status_code == 400
    [param] = response.json()["invalid-params"]
    assert (param["name"], param["reason"]) == ("personen[2].bsn", MSG_BSN_NOT_LINKABLE)
    assert "ander team" not in response.content.decode() and "Vinkhuizen" not in response.content.decode()
    assert (Household.objects.count(), Case.objects.count(), fenna_households(world)) == before
    world["fenna"].refresh_from_db()
    assert (world["fenna"].first_name, world["fenna"].date_of_birth) == ("Fenna", DOB)
    # The lookup is on record: a SEARCH row naming Fenna, by the client.
    searches = AuditEvent.objects.filter(action=AuditAction.SEARCH, person=world["fenna"])
    assert set(searches.values_list("client", "purpose")) == {("api:Koppeling Oosterpark", AuditPurpose.IMPORT)}


def test_a_real_import_with_a_wrong_name_is_refused_the_same_way(world, tmp_path):
    response = upload(world["api"], one_household_file(world, tmp_path, bsn=world["fenna"].bsn))
    assert response.status_code == 400
    assert [p["reason"] for p in response.json()["invalid-params"]] == [MSG_BSN_NOT_LINKABLE]
    assert fenna_households(world) == {world["case_2"].household_id}


def test_an_unknown_bsn_is_imported_as_a_new_person(world, tmp_path):
    response = upload(world["api"], one_household_file(world, tmp_path, bsn=UNKNOWN_BSN))
    assert response.status_code == 200, response.content
    assert Person.objects.get(first_name="Anna").bsn == UNKNOWN_BSN


def test_a_person_of_the_importers_team_is_matched_and_corrected_whoever_else_holds_them(world, tmp_path):
    """Team 1's own person who also lives in a team-2 household: the import matches and corrects them as it
    does a person only team 1 holds; no answer tells that another team holds them too."""
    own_case = CaseFactory(regisseur=world["director"], members=False)
    HouseholdMembership.objects.create(household=own_case.household, person=world["fenna"], role="ouder",
                                       valid_from=dt.date(2020, 1, 1))
    solo = MembershipFactory(household=CaseFactory(regisseur=world["director"], members=False).household,
                             person__bsn=UNKNOWN_BSN, person__first_name="Solo").person
    for person in (world["fenna"], solo):
        response = upload(world["api"], one_household_file(
            world, tmp_path, bsn=person.bsn, first_name="Gecorrigeerd", last_name=person.last_name,
            dob=person.date_of_birth.isoformat(), name=f"{person.pk}.xlsx"), "?dryRun=true")
        assert response.status_code == 200, response.content
    cli = Actor(user=None, client="beheer:import_registrations")
    import_registrations(one_household_file(world, tmp_path, bsn=world["fenna"].bsn, first_name="Fenne",
                                            last_name="Wiersma", dob=DOB.isoformat(), name="w.xlsx"),
                         actor=cli, allowed_team_ids={world["director"].team_id})
    world["fenna"].refresh_from_db()
    assert world["fenna"].first_name == "Fenne"
    assert len(fenna_households(world) - {world["case_2"].household_id, own_case.household_id}) == 1  # the file's


def test_the_command_line_without_team_limit_still_links_by_bsn(world, tmp_path):
    cli = Actor(user=None, client="beheer:import_registrations")
    import_registrations(one_household_file(world, tmp_path, bsn=world["fenna"].bsn, first_name="Fenna",
                                            last_name="Wiersma", dob=DOB.isoformat()), actor=cli)
    assert len(fenna_households(world)) == 2


def test_a_team_limited_command_line_import_refuses_like_the_api(world, tmp_path):
    cli = Actor(user=None, client="beheer:import_registrations")
    path = one_household_file(world, tmp_path, bsn=world["fenna"].bsn)
    import_registrations(path, actor=cli, allowed_team_ids={world["director"].team_id}, dry_run=True)
    with pytest.raises(ImportRejected) as refused:
        import_registrations(path, actor=cli, allowed_team_ids={world["director"].team_id})
    assert [e.message for e in refused.value.errors] == [MSG_BSN_NOT_LINKABLE]


# --- The melding screen and the registration API -------------------------------------------------------------

def test_the_melding_search_by_bsn_answers_another_teams_bsn_as_an_unknown_one(client, world):
    worker = StaffFactory(team=world["director"].team)
    client.force_login(worker.user)
    url = reverse("cases:new_melding")
    known = client.post(url, {"step": "search", "team": worker.team_id, "bsn": world["fenna"].bsn})
    unknown = client.post(url, {"step": "search", "team": worker.team_id, "bsn": UNKNOWN_BSN})
    assert known.status_code == unknown.status_code == 200
    assert [t.name for t in known.templates] == [t.name for t in unknown.templates]
    assert known.context["mode"] == unknown.context["mode"] == "new"
    content = known.content.decode()
    for leak in ("Zernikelaan", "9741", "Vinkhuizen"):
        assert leak not in content
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH, person=world["fenna"],
                                     user=worker.user).exists()  # the log names whom the search matched


def new_household_post(worker, bsn, **overrides):
    data = {
        "step": "new", "team": worker.team_id, "postcode": "9711AB", "house_number": "12",
        "house_number_addition": "", "street": "Oosterstraat", "city": "Groningen", "wijk": "",
        "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "20", "members-0-first_name": "Anna", "members-0-last_name": "Jansen",
        "members-0-date_of_birth": "1984-05-01", "members-0-role": "ouder", "members-0-bsn": bsn,
        "melding_date": dt.date.today().isoformat(), "melding_source": melding_source().pk, "regisseur": worker.pk,
    }
    data.update(overrides)
    return data


def test_a_melding_with_another_error_does_not_tell_whether_the_bsn_is_taken(client, world):
    worker = StaffFactory(team=world["director"].team)
    client.force_login(worker.user)
    url = reverse("cases:new_melding")
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()  # an error the service finds, as the BSN's
    known = client.post(url, new_household_post(worker, world["fenna"].bsn, melding_date=tomorrow))
    unknown = client.post(url, new_household_post(worker, UNKNOWN_BSN, melding_date=tomorrow))
    assert known.context["formset"].forms[0].errors == unknown.context["formset"].forms[0].errors == {}
    assert known.context["melding_form"].errors == unknown.context["melding_form"].errors
    assert known.context["melding_form"].errors  # refused for the date, in both
    # Complete, the registration cannot give the BSN a second person: refused, never linked, on record.
    refused = client.post(url, new_household_post(worker, world["fenna"].bsn))
    assert refused.context["formset"].forms[0].errors["bsn"] == [services.MSG_BSN_TAKEN]
    assert fenna_households(world) == {world["case_2"].household_id}


def test_the_registration_api_does_not_tell_whether_a_bsn_is_taken_before_the_write(world):
    _, token = create_api_client(name="Schrijver", scopes=["registratie.schrijven"], teams=[world["director"].team])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    def body(bsn, city="Groningen"):
        return {"team": world["director"].team_id, "meldingDate": dt.date.today().isoformat(),
                "meldingSource": "zelfmelder", "regisseur": world["director"].pk,
                "newHousehold": {"postcode": "9711 ab", "houseNumber": 401, "street": "Oosterstraat", "city": city,
                                 "members": [{"firstName": "Ans", "lastName": "de Boer", "dateOfBirth": "1950-02-01",
                                              "bsn": bsn, "role": "ouder"}]}}

    known = api.post("/api/v1/casussen", body(world["fenna"].bsn, city=""), format="json")
    unknown = api.post("/api/v1/casussen", body(UNKNOWN_BSN, city=""), format="json")
    assert known.status_code == unknown.status_code == 400
    assert known.json()["invalid-params"] == unknown.json()["invalid-params"]
    refused = api.post("/api/v1/casussen", body(world["fenna"].bsn), format="json")
    assert refused.status_code == 400
    assert [p["name"] for p in refused.json()["invalid-params"]] == ["newHousehold.members.0.bsn"]
    assert fenna_households(world) == {world["case_2"].household_id}


# --- The hand-over: linking through the regiecheck ----------------------------------------------------------

def link(world, actor, case, **overrides):
    kwargs = {"bsn": world["fenna"].bsn, "date_of_birth": DOB, "postcode": "9741 ab", "house_number": 3,
              "role": "ouder", **overrides}
    return services.link_known_person(actor=actor, case=case, **kwargs)


def test_the_regiecheck_hand_over_links_the_person_with_the_regiechecks_proof_and_audits_it(world):
    case_1 = CaseFactory(regisseur=world["director"], members=False)
    actor = Actor(user=world["director"].user)
    assert link(world, actor, case_1) == world["fenna"]
    assert fenna_households(world) == {world["case_2"].household_id, case_1.household_id}
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="householdmembership")
    assert (created.person_id, created.case_id, created.purpose) == (
        world["fenna"].pk, case_1.pk, AuditPurpose.REGIECHECK_LINK)
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH, person=world["fenna"],
                                     purpose=AuditPurpose.REGIECHECK).exists()
    assert CaseEvent.objects.filter(case=case_1, kind="gezinslid").exists()
    with pytest.raises(ValidationError) as again:
        link(world, actor, case_1)
    assert again.value.message_dict == {"bsn": [services.MSG_LINK_ALREADY_MEMBER]}


@pytest.mark.parametrize("overrides", [{"date_of_birth": dt.date(1979, 4, 13)}, {"house_number": 4},
                                       {"bsn": UNKNOWN_BSN}])
def test_anything_less_than_the_regiechecks_proof_gets_one_neutral_refusal(world, overrides):
    case_1 = CaseFactory(regisseur=world["director"], members=False)
    with pytest.raises(ValidationError) as refused:
        link(world, Actor(user=world["director"].user), case_1, **overrides)
    assert refused.value.message_dict == {"bsn": [services.MSG_LINK_NO_MATCH]}
    assert fenna_households(world) == {world["case_2"].household_id}


def test_only_the_cases_own_team_links_and_never_a_machine(world):
    case_1 = CaseFactory(regisseur=world["director"], members=False)
    with pytest.raises(PermissionDenied):
        link(world, Actor(user=world["other"].user), case_1)
    with pytest.raises(PermissionDenied):
        link(world, Actor(user=None, client="api:Koppeling Oosterpark"), case_1)


def test_the_casus_page_offers_the_hand_over(client, world):
    case_1 = CaseFactory(regisseur=world["director"], members=False)
    client.force_login(world["director"].user)
    url = reverse("cases:case_link_person", args=[case_1.pk])
    assert url in client.get(reverse("cases:case_detail", args=[case_1.pk])).content.decode()
    response = client.post(url, {"link-bsn": world["fenna"].bsn, "link-date_of_birth": DOB.isoformat(),
                                 "link-postcode": "9741 AB", "link-house_number": "3", "link-role": "ouder",
                                 "link-living_at_home": "on"})
    assert response.status_code == 302
    assert case_1.household_id in fenna_households(world)
    outsider = StaffFactory(team=world["other"].team)
    client.force_login(outsider.user)
    assert client.post(url, {"link-bsn": world["fenna"].bsn}).status_code == 403
