"""Nieuwe melding through the browser: search first, never a second open case, and bad input saves nothing."""
import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cases.models import Case, CaseStatus, Household, HouseholdMembership, Person
from cases.services import MSG_BSN_INVALID, MSG_BSN_TAKEN, MSG_FUTURE, MSG_OPEN_CASE
from common.models import AuditEvent
from tests.factories import (
    CaseFactory,
    HouseholdFactory,
    MembershipFactory,
    StaffFactory,
    closure_reason,
    melding_source,
    valid_bsn,
)

pytestmark = pytest.mark.django_db
URL = "/casussen/nieuwe-melding"
MSG_POSTCODE = "Vul een geldige postcode in: vier cijfers en twee letters, bijvoorbeeld 1234 AB."


@pytest.fixture
def worker(client):
    staff = StaffFactory()
    client.force_login(staff.user)
    return staff


def counts():
    return (Case.objects.count(), Household.objects.count(), Person.objects.count(),
            HouseholdMembership.objects.count())


def new_household_post(worker, members=None, **overrides):
    """A complete step-2 POST for a new household; members is a list of dicts per formset row."""
    members = members if members is not None else [
        {"first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1984-05-01", "role": "ouder",
         "living_at_home": "on"},
    ]
    data = {
        "step": "new", "team": worker.team_id, "postcode": "9711AB", "house_number": "12",
        "house_number_addition": "", "street": "Oosterstraat", "city": "Groningen", "wijk": "",
        "members-TOTAL_FORMS": str(len(members)), "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1", "members-MAX_NUM_FORMS": "20",
        "melding_date": dt.date.today().isoformat(), "melding_source": melding_source().pk, "regisseur": worker.pk,
    }
    for index, member in enumerate(members):
        data.update({f"members-{index}-{key}": value for key, value in member.items()})
    data.update(overrides)
    return data


def field_errors(response, form_name, field, row=None):
    form = response.context[form_name]
    if row is not None:
        form = form.forms[row]
    return form.errors.get(field, [])


# --- Search --------------------------------------------------------------------------------------

def test_the_search_page_asks_for_a_bsn_or_an_address(client, worker):
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'method="post"' in content and 'name="bsn"' in content and 'name="postcode"' in content
    assert response.context["nav"] == "melding"


def test_an_empty_search_says_what_to_fill_in(client, worker):
    response = client.post(URL, {"step": "search", "team": worker.team_id})
    assert "Vul een BSN in, of een postcode en huisnummer." in response.content.decode()


def test_searching_a_household_with_an_open_case_opens_that_case(client, worker):
    case = CaseFactory(regisseur=worker)
    bsn = case.household.memberships.get().person.bsn
    before = counts()
    response = client.post(URL, {"step": "search", "team": worker.team_id, "bsn": bsn})
    assert response.status_code == 302 and response.url == reverse("cases:case_detail", args=[case.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [MSG_OPEN_CASE]
    assert counts() == before


def test_searching_by_address_finds_the_open_case_too(client, worker):
    case = CaseFactory(regisseur=worker, household__postcode="9712CD", household__house_number=40)
    response = client.post(URL, {"step": "search", "team": worker.team_id, "postcode": "9712 cd",
                                 "house_number": "40"})
    assert response.status_code == 302 and response.url == reverse("cases:case_detail", args=[case.pk])


def test_an_open_case_of_another_team_is_named_but_not_opened(client, worker):
    other = CaseFactory(household__postcode="9713EF", household__house_number=5)
    response = client.post(URL, {"step": "search", "team": worker.team_id, "postcode": "9713EF",
                                 "house_number": "5"})
    assert response.status_code == 200
    content = response.content.decode()
    assert f"Dit huishouden heeft al een open casus bij {other.team.name}" in content
    assert reverse("cases:case_detail", args=[other.pk]) not in content
    assert other.household.memberships.get().person.last_name not in content


def test_a_known_household_without_open_case_gets_the_melding(client, worker):
    closed = CaseFactory(regisseur=worker, household__postcode="9714GH", household__house_number=8,
                         melding_date=dt.date.today() - dt.timedelta(days=100))
    closed.status, closed.closure_reason = CaseStatus.CLOSED, closure_reason()
    closed.closed_on = dt.date.today() - dt.timedelta(days=30)
    closed.save()
    response = client.post(URL, {"step": "search", "team": worker.team_id, "postcode": "9714GH",
                                 "house_number": "8"})
    [found] = response.context["results"]
    assert found.pk == closed.household_id and found.open_case is None
    assert "Melding registreren" in response.content.decode()

    response = client.post(URL, {"step": "existing_start", "team": worker.team_id, "household": found.token})
    assert response.context["mode"] == "existing" and response.context["household"] == closed.household
    assert "formset" not in response.context  # no new members: the household is known

    response = client.post(URL, {"step": "existing", "team": worker.team_id, "household": found.token,
                                 "melding_date": dt.date.today().isoformat(),
                                 "melding_source": melding_source("woningcorporatie").pk, "regisseur": worker.pk})
    new = Case.objects.exclude(pk=closed.pk).get()
    assert response.status_code == 302 and response.url == reverse("cases:case_detail", args=[new.pk])
    assert new.household_id == closed.household_id and new.reopened_from == closed  # linked by the service
    assert Household.objects.count() == 1
    message = [str(m) for m in get_messages(response.wsgi_request)][0]
    assert f"heropening van casus {closed.pk}" in message


def test_a_forged_household_token_is_refused(client, worker):
    household = HouseholdFactory()
    before = counts()
    response = client.post(URL, {"step": "existing", "team": worker.team_id, "household": str(household.pk),
                                 "melding_date": dt.date.today().isoformat(),
                                 "melding_source": melding_source().pk, "regisseur": worker.pk}, follow=True)
    assert "Zoek het huishouden opnieuw" in response.content.decode()
    assert counts() == before


def test_an_unknown_household_opens_the_registration_form_prefilled(client, worker):
    response = client.post(URL, {"step": "search", "team": worker.team_id, "postcode": "9999 zz",
                                 "house_number": "3", "house_number_addition": "b"})
    assert response.context["mode"] == "new"
    assert response.context["household_form"].initial == {"postcode": "9999ZZ", "house_number": 3,
                                                          "house_number_addition": "b"}
    assert response.context["melding_form"]["regisseur"].value() == worker.pk  # defaults to the current user


def test_the_household_can_be_registered_as_new_despite_search_results(client, worker):
    HouseholdFactory(postcode="9715JK", house_number=2, house_number_addition="a")
    response = client.post(URL, {"step": "search", "team": worker.team_id, "postcode": "9715JK",
                                 "house_number": "2"})
    assert len(response.context["results"]) == 1
    response = client.post(URL, {"step": "new_start", "team": worker.team_id, "postcode": "9715JK",
                                 "house_number": "2", "house_number_addition": "", "bsn": ""})
    assert response.context["mode"] == "new"
    assert response.context["household_form"].initial["postcode"] == "9715JK"


# --- New household -----------------------------------------------------------------------------

def test_a_new_household_with_two_members_is_registered(client, worker):
    members = [
        {"first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1984-05-01", "role": "ouder",
         "bsn": valid_bsn(), "living_at_home": "on"},
        {"first_name": "Tim", "last_name": "Jansen", "date_of_birth": "2014-01-01", "role": "kind"},
    ]
    response = client.post(URL, new_household_post(worker, members))
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:case_detail", args=[case.pk])
    at_home = dict(case.household.memberships.values_list("person__first_name", "living_at_home"))
    assert at_home == {"Anna": True, "Tim": False}


def test_adding_a_member_row_keeps_what_was_typed_and_saves_nothing(client, worker):
    data = new_household_post(worker, add_member="1", street="Herestraat")
    response = client.post(URL, data)
    assert counts() == (0, 0, 0, 0)
    formset = response.context["formset"]
    assert len(formset.forms) == 2 and not formset.is_bound
    assert formset.forms[0].initial["first_name"] == "Anna"
    assert response.context["household_form"].initial["street"] == "Herestraat"
    assert 'name="members-1-first_name"' in response.content.decode()


def test_blank_extra_member_rows_are_skipped(client, worker):
    members = [
        {"first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1984-05-01", "role": "ouder",
         "living_at_home": "on"},
        {"living_at_home": "on"},
    ]
    client.post(URL, new_household_post(worker, members))
    assert Person.objects.count() == 1 and Case.objects.count() == 1


def test_a_user_in_two_teams_chooses_the_team(client):
    first = StaffFactory(team__name="Wijkteam Noord")
    second = StaffFactory(user=first.user, team__name="Wijkteam Zuid")
    client.force_login(first.user)
    page = client.get(URL)
    assert not page.context["form"]["team"].is_hidden
    response = client.post(URL, {"step": "search", "team": second.team_id, "postcode": "9999ZZ",
                                 "house_number": "1"})
    assert response.context["team"] == second.team
    assert response.context["melding_form"]["regisseur"].value() == second.pk
    client.post(URL, new_household_post(second))
    case = Case.objects.get()
    assert case.team == second.team and case.regisseur == second


def test_a_user_cannot_register_for_a_team_that_is_not_theirs(client, worker):
    stranger = StaffFactory()
    response = client.post(URL, new_household_post(worker, team=stranger.team_id, regisseur=stranger.pk))
    assert response.status_code == 302 and response.url == URL
    assert counts() == (0, 0, 0, 0)


# --- Bad input: a specific Dutch error on the field, nothing saved --------------------------------

def test_an_invalid_bsn_is_refused_in_the_search(client, worker):
    response = client.post(URL, {"step": "search", "team": worker.team_id, "bsn": "123456789"})
    assert field_errors(response, "form", "bsn") == [MSG_BSN_INVALID]
    assert 'id="id_bsn_error"' in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_an_invalid_bsn_is_refused_on_the_member(client, worker):
    members = [{"first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1984-05-01", "role": "ouder",
                "bsn": "111222334"}]
    response = client.post(URL, new_household_post(worker, members))
    assert field_errors(response, "formset", "bsn", row=0) == [MSG_BSN_INVALID]
    content = response.content.decode()
    assert 'aria-describedby="id_members-0-bsn_error"' in content and MSG_BSN_INVALID in content
    assert counts() == (0, 0, 0, 0)


def test_a_duplicate_bsn_is_refused_on_the_right_member_row(client, worker):
    taken = MembershipFactory().person.bsn
    before = counts()
    members = [
        {"first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1984-05-01", "role": "ouder"},
        {},  # a blank row in between: the service's member index must still land on the right row
        {"first_name": "Bram", "last_name": "Jansen", "date_of_birth": "1983-02-01", "role": "partner",
         "bsn": taken},
    ]
    response = client.post(URL, new_household_post(worker, members))
    assert response.status_code == 200
    assert field_errors(response, "formset", "bsn", row=2) == [MSG_BSN_TAKEN]
    assert field_errors(response, "formset", "bsn", row=0) == []
    assert 'id="id_members-2-bsn_error"' in response.content.decode()
    assert counts() == before


def test_the_same_bsn_twice_in_one_household_is_refused(client, worker):
    bsn = valid_bsn()
    members = [
        {"first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1984-05-01", "role": "ouder", "bsn": bsn},
        {"first_name": "Bram", "last_name": "Jansen", "date_of_birth": "1983-02-01", "role": "partner", "bsn": bsn},
    ]
    response = client.post(URL, new_household_post(worker, members))
    assert field_errors(response, "formset", "bsn", row=1) == [MSG_BSN_TAKEN]
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize("postcode", ["1234 A", "0123AB", "12345AB", "ABCD12"])
def test_a_malformed_postcode_is_refused(client, worker, postcode):
    response = client.post(URL, new_household_post(worker, postcode=postcode))
    assert field_errors(response, "household_form", "postcode") == [MSG_POSTCODE]
    assert 'id="id_postcode_error"' in response.content.decode()
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize("postcode", ["1234 A", "0123AB"])
def test_a_malformed_postcode_is_refused_in_the_search(client, worker, postcode):
    response = client.post(URL, {"step": "search", "team": worker.team_id, "postcode": postcode,
                                 "house_number": "1"})
    assert field_errors(response, "form", "postcode") == [MSG_POSTCODE]


def test_a_melding_date_in_the_future_is_refused(client, worker):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = client.post(URL, new_household_post(worker, melding_date=tomorrow))
    assert field_errors(response, "melding_form", "melding_date") == [MSG_FUTURE]
    assert 'id="id_melding_date_error"' in response.content.decode()
    assert counts() == (0, 0, 0, 0)


def test_a_birth_date_in_the_future_is_refused(client, worker):
    members = [{"first_name": "Anna", "last_name": "Jansen", "role": "ouder",
                "date_of_birth": (dt.date.today() + dt.timedelta(days=3)).isoformat()}]
    response = client.post(URL, new_household_post(worker, members))
    assert field_errors(response, "formset", "date_of_birth", row=0) == [MSG_FUTURE]
    assert counts() == (0, 0, 0, 0)


def test_a_director_from_another_team_is_refused(client, worker):
    stranger = StaffFactory()
    response = client.post(URL, new_household_post(worker, regisseur=stranger.pk))
    assert field_errors(response, "melding_form", "regisseur") == [
        f"De regisseur moet een actief lid van team {worker.team.name} zijn (sociaal werker of teamleider)."]
    assert counts() == (0, 0, 0, 0)


def test_missing_fields_each_get_their_own_message(client, worker):
    members = [{"first_name": "", "last_name": "", "date_of_birth": "", "role": ""}]
    response = client.post(URL, new_household_post(worker, members, street="", melding_source=""))
    assert field_errors(response, "household_form", "street") == ["Vul de straat in."]
    assert field_errors(response, "melding_form", "melding_source") == ["Kies de bron van de melding."]
    assert field_errors(response, "formset", "first_name", row=0) == ["Vul de voornaam in."]
    assert field_errors(response, "formset", "role", row=0) == ["Kies een rol in het huishouden."]
    assert counts() == (0, 0, 0, 0)


def test_a_second_melding_for_a_household_whose_case_opened_meanwhile_goes_to_that_case(client, worker):
    household = HouseholdFactory(postcode="9716LM", house_number=4)
    response = client.post(URL, {"step": "search", "team": worker.team_id, "postcode": "9716LM",
                                 "house_number": "4"})
    token = response.context["results"][0].token
    existing = CaseFactory(household=household, regisseur=worker)  # a colleague was quicker
    response = client.post(URL, {"step": "existing", "team": worker.team_id, "household": token,
                                 "melding_date": dt.date.today().isoformat(),
                                 "melding_source": melding_source().pk, "regisseur": worker.pk})
    assert response.status_code == 302 and response.url == reverse("cases:case_detail", args=[existing.pk])
    assert Case.objects.count() == 1
