"""The casus page: what it shows, its actions, and bad input on each action."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, CaseStatus, DirectorAssignment, HouseholdMembership, Person
from cases.services import MSG_BSN_INVALID, MSG_BSN_TAKEN, MSG_FUTURE
from common.audit import Actor
from tests.factories import CaseFactory, MembershipFactory, StaffFactory, closure_reason, melding_source

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


@pytest.fixture
def worker(client):
    staff = StaffFactory(user__first_name="Sanne", user__last_name="Bakker")
    client.force_login(staff.user)
    return staff


@pytest.fixture
def colleague(worker):
    return StaffFactory(team=worker.team, user__first_name="Joris", user__last_name="Visser")


@pytest.fixture
def case(worker):
    case = CaseFactory(regisseur=worker, melding_date=TODAY - dt.timedelta(days=20), members=False)
    MembershipFactory(household=case.household, role="ouder", person__first_name="Anna",
                      person__last_name="Jansen", person__date_of_birth=dt.date(TODAY.year - 40, 1, 1))
    MembershipFactory(household=case.household, role="kind", person__first_name="Tim",
                      person__last_name="Jansen", person__date_of_birth=dt.date(TODAY.year - 9, 1, 1),
                      person__bsn=None)
    return case


def url(name, case):
    return reverse(f"cases:{name}", args=[case.pk])


def state(case):
    case.refresh_from_db()
    return (case.status, case.regisseur_id, case.first_contact_date, case.closed_on, case.closure_reason_id,
            DirectorAssignment.objects.filter(case=case).count(), CaseEvent.objects.filter(case=case).count(),
            Person.objects.count(), HouseholdMembership.objects.count(), Case.objects.count())


def errors_of(response, form_name, field):
    return response.context[form_name].errors.get(field, [])


# --- What the page shows ---------------------------------------------------------------------------

def test_the_case_page_shows_household_members_status_and_director(client, case, worker):
    response = client.get(url("case_detail", case))
    assert response.status_code == 200
    content = response.content.decode()
    assert case.household.address in content
    assert "Anna Jansen" in content and "Tim Jansen" in content
    members = {m.person.first_name: m.age for m in response.context["members"]}
    assert members == {"Anna": 40, "Tim": 9}
    assert response.context["household_type"] == "Gezin"
    assert "Aangemeld" in content and "Sanne Bakker" in content
    assert "20 dagen geleden" in content
    assert "zrm/_case_panel.html" in [t.name for t in response.templates]
    assert response.context["nav"] == "caseload"


def test_the_timeline_and_director_history_are_shown(client, case, worker, colleague):
    actor = Actor(user=worker.user)
    services.register_first_contact(actor=actor, case=case, contact_date=TODAY - dt.timedelta(days=5))
    services.transfer_director(actor=actor, case=case, regisseur=colleague, reason="Specialisme schulden")
    response = client.get(url("case_detail", case))
    events = [e.kind for e in response.context["events"]]
    assert events == ["eerste_contact", "overdracht"]
    content = response.content.decode()
    assert "Eerste contact" in content and "Regie overgedragen" in content
    history = [(a.regisseur, a.ended_on) for a in response.context["assignments"]]
    assert history == [(worker, TODAY), (colleague, None)]
    assert "Specialisme schulden" in content and "Joris Visser" in content


def test_only_the_actions_that_fit_the_status_are_offered(client, case, worker):
    response = client.get(url("case_detail", case))
    offered = {name for name in ("first_contact_form", "transfer_form", "close_form", "member_form", "reopen_form")
               if response.context.get(name) is not None}
    assert offered == {"first_contact_form", "transfer_form", "close_form", "member_form"}
    services.close_case(actor=Actor(user=worker.user), case=case, reason=closure_reason(), closed_on=TODAY)
    response = client.get(url("case_detail", case))
    offered = {name for name in ("first_contact_form", "transfer_form", "close_form", "member_form", "reopen_form")
               if response.context.get(name) is not None}
    assert offered == {"reopen_form"}


def test_the_transfer_choices_are_the_other_members_of_the_team(client, case, worker, colleague):
    StaffFactory()  # another team's worker
    StaffFactory(team=worker.team, active=False)
    response = client.get(url("case_detail", case))
    choices = list(response.context["transfer_form"].fields["regisseur"].queryset)
    assert choices == [colleague]


def test_the_case_page_runs_a_constant_number_of_queries(client, case, worker, colleague):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("case_detail", case)).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    actor = Actor(user=worker.user)
    for index in range(6):
        MembershipFactory(household=case.household, role="kind", person__date_of_birth=dt.date(2010 + index, 1, 1))
    current = services.register_first_contact(actor=actor, case=case, contact_date=TODAY)
    for index in range(3):
        current = services.transfer_director(actor=actor, case=current, reason=f"Wissel {index}",
                                             regisseur=colleague if index % 2 == 0 else worker)
    assert count() == small


# --- Actions ----------------------------------------------------------------------------------

def test_registering_the_first_contact_moves_the_case_into_treatment(client, case):
    response = client.post(url("case_first_contact", case), {"contact-contact_date": TODAY.isoformat()})
    assert response.status_code == 302 and response.url == url("case_detail", case)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.first_contact_date == TODAY


def test_a_first_contact_in_the_future_is_refused(client, case):
    before = state(case)
    response = client.post(url("case_first_contact", case),
                           {"contact-contact_date": (TODAY + dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    assert errors_of(response, "first_contact_form", "contact_date") == [MSG_FUTURE]
    assert 'id="id_contact-contact_date_error"' in response.content.decode()
    assert state(case) == before


def test_a_first_contact_before_the_melding_is_refused(client, case):
    before = state(case)
    response = client.post(url("case_first_contact", case),
                           {"contact-contact_date": (case.melding_date - dt.timedelta(days=1)).isoformat()})
    assert errors_of(response, "first_contact_form", "contact_date") == [
        "Het eerste contact kan niet vóór de meldingsdatum liggen."]
    assert state(case) == before


def test_a_second_first_contact_is_refused_with_a_message(client, case, worker):
    services.register_first_contact(actor=Actor(user=worker.user), case=case, contact_date=TODAY)
    before = state(case)
    response = client.post(url("case_first_contact", case), {"contact-contact_date": TODAY.isoformat()})
    assert "Het eerste contact is al geregistreerd." in response.content.decode()
    assert state(case) == before


def test_transferring_needs_a_reason(client, case, colleague):
    before = state(case)
    response = client.post(url("case_transfer", case), {"transfer-regisseur": colleague.pk, "transfer-reason": " "})
    assert errors_of(response, "transfer_form", "reason") == ["Geef een reden voor de overdracht."]
    assert state(case) == before


def test_transferring_to_a_director_of_another_team_is_refused(client, case, worker):
    stranger = StaffFactory()  # posts the other team's membership id
    before = state(case)
    response = client.post(url("case_transfer", case),
                           {"transfer-regisseur": stranger.pk, "transfer-reason": "Verhuisd naar andere wijk"})
    assert response.status_code == 200
    assert errors_of(response, "transfer_form", "regisseur") == [
        f"De regisseur moet een actief lid van team {worker.team.name} zijn (sociaal werker of teamleider)."]
    assert 'id="id_transfer-regisseur_error"' in response.content.decode()
    assert state(case) == before


def test_transferring_to_a_gemeente_user_is_refused(client, case, worker):
    analyst = StaffFactory(municipality=True)
    before = state(case)
    response = client.post(url("case_transfer", case), {"transfer-regisseur": analyst.pk, "transfer-reason": "x"})
    assert errors_of(response, "transfer_form", "regisseur")
    assert state(case) == before


def test_transferring_to_an_unknown_id_is_refused(client, case):
    before = state(case)
    response = client.post(url("case_transfer", case), {"transfer-regisseur": "999999", "transfer-reason": "x"})
    assert errors_of(response, "transfer_form", "regisseur") == ["Kies een regisseur uit de lijst."]
    assert state(case) == before


def test_closing_without_a_reason_is_refused(client, case):
    before = state(case)
    response = client.post(url("case_close", case), {"close-reason": "", "close-closed_on": TODAY.isoformat()})
    assert response.status_code == 200
    assert errors_of(response, "close_form", "reason") == ["Kies een reden van afsluiting."]
    assert 'id="id_close-reason_error"' in response.content.decode()
    assert state(case) == before


def test_closing_in_the_future_is_refused(client, case):
    before = state(case)
    response = client.post(url("case_close", case), {"close-reason": closure_reason().pk,
                                                      "close-closed_on": (TODAY + dt.timedelta(days=2)).isoformat()})
    assert errors_of(response, "close_form", "closed_on") == [MSG_FUTURE]
    assert state(case) == before


def test_closing_records_reason_and_date(client, case):
    response = client.post(url("case_close", case), {"close-reason": closure_reason("verhuisd").pk,
                                                      "close-closed_on": TODAY.isoformat()}, follow=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closure_reason.code == "verhuisd" and case.closed_on == TODAY
    assert "reden: Verhuisd" in response.content.decode()


def test_reopening_links_the_new_case_and_shows_the_days_since_closing(client, case, worker):
    services.close_case(actor=Actor(user=worker.user), case=case, reason=closure_reason(),
                        closed_on=TODAY - dt.timedelta(days=10))
    response = client.post(url("case_reopen", case), {
        "reopen-melding_date": TODAY.isoformat(), "reopen-melding_source": melding_source("school").pk,
        "reopen-regisseur": worker.pk}, follow=True)
    new = Case.objects.get(reopened_from=case)
    assert response.redirect_chain[-1][0] == url("case_detail", new)
    assert response.context["days_since_previous_closing"] == 10
    assert "10 dagen vóór deze melding" in response.content.decode()


def test_reopening_before_the_closing_date_is_refused(client, case, worker):
    services.close_case(actor=Actor(user=worker.user), case=case, reason=closure_reason(), closed_on=TODAY)
    before = state(case)
    response = client.post(url("case_reopen", case), {
        "reopen-melding_date": (TODAY - dt.timedelta(days=1)).isoformat(),
        "reopen-melding_source": melding_source().pk, "reopen-regisseur": worker.pk})
    assert errors_of(response, "reopen_form", "melding_date") == [
        "De nieuwe melding kan niet vóór de afsluiting liggen."]
    assert state(case) == before


def test_an_open_case_cannot_be_reopened(client, case, worker):
    before = state(case)
    response = client.post(url("case_reopen", case), {
        "reopen-melding_date": TODAY.isoformat(), "reopen-melding_source": melding_source().pk,
        "reopen-regisseur": worker.pk})
    assert "Alleen een afgesloten casus kan worden heropend." in response.content.decode()
    assert state(case) == before


def test_adding_a_household_member(client, case):
    response = client.post(url("case_add_member", case), {
        "member-first_name": "Kees", "member-last_name": "Smit", "member-date_of_birth": "1979-06-06",
        "member-role": "partner", "member-living_at_home": "on"}, follow=True)
    assert "Kees Smit" in response.content.decode()
    assert case.household.memberships.filter(person__first_name="Kees", role="partner").exists()
    assert CaseEvent.objects.filter(case=case, kind="gezinslid").count() == 1


@pytest.mark.parametrize("bsn,message", [("123456789", MSG_BSN_INVALID), ("taken", MSG_BSN_TAKEN)])
def test_adding_a_member_with_a_bad_bsn_is_refused(client, case, bsn, message):
    if bsn == "taken":
        bsn = case.household.memberships.get(role="ouder").person.bsn
    before = state(case)
    response = client.post(url("case_add_member", case), {
        "member-first_name": "Kees", "member-last_name": "Smit", "member-date_of_birth": "1979-06-06",
        "member-role": "partner", "member-bsn": bsn})
    assert errors_of(response, "member_form", "bsn") == [message]
    assert 'id="id_member-bsn_error"' in response.content.decode()
    assert state(case) == before
