"""Issue 15, finding 2: the administrator cannot give itself access.

A functioneel beheerder who adds an API client with a personal-data scope, or a staff membership, only
requests it; it takes effect when another beheerder approves, never the requester (service and database).
A beheerder never holds a team role. Each of these tests failed on the code before four eyes (the admin
showed a working token at once and saved the membership at once).
"""
import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Role, StaffMembership
from common.models import ApiClient, AuditEvent
from tests.factories import CaseFactory, StaffFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r"(?:Token voor|Nieuw token voor) [^:]+\(wordt niet opnieuw getoond\): (\S+)")


@pytest.fixture
def beheerder(client):
    staff = StaffFactory(administrator=True)
    client.force_login(staff.user)
    return staff


@pytest.fixture
def second(db):
    """Another functioneel beheerder, signed in on a browser of their own."""
    staff = StaffFactory(administrator=True)
    browser = Client()
    browser.force_login(staff.user)
    browser.staff = staff
    return browser


def bearer(token):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def shown_tokens(response) -> list[str]:
    messages = [str(message) for message in response.context["messages"]] if response.context else []
    return [match.group(1) for message in messages for match in TOKEN_RE.finditer(message)]


def pending_request():
    from common.models import AccessGrantRequest

    return AccessGrantRequest.objects.get(decision="aangevraagd")


def approve(browser, grant, reason="Koppeling met het zorgsysteem, akkoord"):
    return browser.post(reverse("admin:common_accessgrantrequest_decide", args=[grant.pk]),
                        {"reason": reason, "approve": "Goedkeuren"})


def case_with_person():
    case = CaseFactory()
    return case, case.household.memberships.get().person


def add_registration_client(client, team, name="Zorgsysteem-koppeling"):
    return client.post(reverse("admin:common_apiclient_add"), {
        "name": name, "scopes": ["registratie.lezen"], "teams": [team.pk], "active": "on"}, follow=True)


# --- The two attacks of the finding ------------------------------------------------------------------

def test_one_beheerder_gets_no_working_personal_data_token(client, beheerder):
    case, person = case_with_person()
    response = add_registration_client(client, case.team)
    assert response.status_code == 200
    assert shown_tokens(response) == []  # no token in the page
    assert not ApiClient.objects.filter(name="Zorgsysteem-koppeling").exists()  # nothing to authenticate as
    for token in re.findall(r"[A-Za-z0-9_-]{40,}", response.content.decode()):
        assert bearer(token).get(f"/api/v1/personen/{person.pk}").status_code == 401


def test_a_second_beheerder_approves_and_only_then_the_token_reads_persons(client, beheerder, second):
    case, person = case_with_person()
    add_registration_client(client, case.team)
    grant = pending_request()
    assert grant.requested_by == beheerder.user
    response = approve(second, grant)
    assert response.status_code == 200
    token = response.context["secret"]
    assert token and token in response.content.decode()  # shown once, to the approver
    assert "no-store" in response["Cache-Control"]
    client_row = ApiClient.objects.get(name="Zorgsysteem-koppeling")
    assert client_row.scopes == ["registratie.lezen"] and list(client_row.teams.all()) == [case.team]
    api = bearer(token)
    assert api.get(f"/api/v1/personen/{person.pk}").status_code == 200
    found = api.post("/api/v1/personen/zoeken", {"bsn": person.bsn}, format="json")
    assert found.status_code == 200 and found.json()["person"] == person.pk
    grant.refresh_from_db()
    assert (grant.decision, grant.decided_by, grant.target_id) == ("goedgekeurd", second.staff.user,
                                                                    str(client_row.pk))


def test_the_beheerder_cannot_give_itself_a_team_membership(client, beheerder):
    case = CaseFactory()
    response = client.post(reverse("admin:cases_staffmembership_add"), {
        "user": beheerder.user.pk, "team": case.team.pk, "role": Role.SOCIAL_WORKER, "fte": "1", "active": "on"})
    assert response.status_code == 200  # the form again, with the reason
    assert "Scheiding van functies" in response.content.decode()
    assert not StaffMembership.objects.filter(user=beheerder.user, team=case.team).exists()
    client.force_login(beheerder.user)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 403


def test_a_membership_opens_a_teams_cases_only_after_a_second_beheerder_approves(client, beheerder, second):
    case = CaseFactory()
    colleague = UserFactory()
    response = client.post(reverse("admin:cases_staffmembership_add"), {
        "user": colleague.pk, "team": case.team.pk, "role": Role.SOCIAL_WORKER, "fte": "0.8", "active": "on"})
    assert response.status_code == 302
    assert not StaffMembership.objects.filter(user=colleague).exists()
    browser = Client()
    browser.force_login(colleague)
    assert browser.get(reverse("cases:case_detail", args=[case.pk])).status_code == 403
    assert approve(second, pending_request()).status_code == 200
    membership = StaffMembership.objects.get(user=colleague)
    assert (membership.team, membership.role, str(membership.fte)) == (case.team, Role.SOCIAL_WORKER, "0.80")
    assert browser.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200


# --- Four eyes: never the same account ---------------------------------------------------------------

def test_the_requester_cannot_approve_its_own_request(client, beheerder):
    team = TeamFactory()
    add_registration_client(client, team)
    grant = pending_request()
    response = approve(client, grant)
    assert response.status_code == 403
    grant.refresh_from_db()
    assert grant.decision == "aangevraagd" and not ApiClient.objects.exists()


def test_self_approval_is_refused_by_the_service():
    from django.core.exceptions import PermissionDenied

    from common import grants
    from common.audit import Actor
    from common.services import request_api_client

    staff = StaffFactory(administrator=True)
    grant = request_api_client(actor=Actor(user=staff.user), name="K", scopes=["onderzoek.lezen"])
    with pytest.raises(PermissionDenied):
        grants.approve(actor=Actor(user=staff.user), request_id=grant.pk)
    with pytest.raises(PermissionDenied):  # neither approve nor reject: another beheerder decides
        grants.reject(actor=Actor(user=staff.user), request_id=grant.pk, reason="toch niet")
    with pytest.raises(PermissionDenied):  # and someone who is no beheerder does not decide either
        grants.approve(actor=Actor(user=StaffFactory().user), request_id=grant.pk)
    assert not ApiClient.objects.exists()


def test_self_approval_is_refused_by_the_database():
    from django.utils import timezone

    from common.models import AccessGrantRequest

    user = UserFactory()
    grant = AccessGrantRequest.objects.create(kind="api_client", target_type="apiclient", after={},
                                              requested_by=user, requested_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessGrantRequest.objects.filter(pk=grant.pk).update(decision="goedgekeurd", decided_by=user,
                                                              decided_at=timezone.now())
    other = UserFactory()
    AccessGrantRequest.objects.filter(pk=grant.pk).update(decision="afgewezen", decided_by=other,
                                                          decided_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():  # a decision is final
        AccessGrantRequest.objects.filter(pk=grant.pk).update(decision="goedgekeurd")


def test_a_rejection_needs_a_reason_and_applies_nothing(client, beheerder, second):
    colleague = UserFactory()
    client.post(reverse("admin:cases_staffmembership_add"), {
        "user": colleague.pk, "team": TeamFactory().pk, "role": Role.TEAM_LEADER, "fte": "1", "active": "on"})
    grant = pending_request()
    url = reverse("admin:common_accessgrantrequest_decide", args=[grant.pk])
    assert second.post(url, {"reason": "", "reject": "Afwijzen"}).status_code == 400
    assert second.post(url, {"reason": "Niet bekend bij het team", "reject": "Afwijzen"}).status_code == 302
    grant.refresh_from_db()
    assert (grant.decision, grant.reason) == ("afgewezen", "Niet bekend bij het team")
    assert not StaffMembership.objects.filter(user=colleague).exists()
    # The requester sees the status in the list of requests.
    listing = client.get(reverse("admin:common_accessgrantrequest_changelist"), {"van": "mij"})
    assert list(listing.context["cl"].result_list) == [grant] and "Afgewezen" in listing.content.decode()


# --- Every way a client or membership gains access goes through four eyes ----------------------------

def test_adding_a_personal_data_scope_to_a_client_waits_and_then_issues_a_new_token(client, beheerder, second):
    from common.services import create_api_client

    case, person = case_with_person()
    existing, old_token = create_api_client(name="Gemeente-koppeling", scopes=["aggregaten.lezen"])
    response = client.post(reverse("admin:common_apiclient_change", args=[existing.pk]), {
        "name": "Gemeente-koppeling", "scopes": ["aggregaten.lezen", "registratie.lezen"], "teams": [case.team.pk],
        "active": "on"})
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.scopes == ["aggregaten.lezen"] and not existing.teams.exists()
    assert bearer(old_token).get(f"/api/v1/personen/{person.pk}").status_code == 403  # pending gives nothing
    token = approve(second, pending_request()).context["secret"]
    assert bearer(old_token).get(f"/api/v1/personen/{person.pk}").status_code == 401  # replaced at approval
    assert bearer(token).get(f"/api/v1/personen/{person.pk}").status_code == 200


def test_another_team_for_a_registration_client_needs_four_eyes(client, beheerder):
    from common.services import create_api_client

    own, other = CaseFactory(), CaseFactory()
    existing, token = create_api_client(name="K", scopes=["registratie.lezen"], teams=[own.team])
    client.post(reverse("admin:common_apiclient_change", args=[existing.pk]), {
        "name": "K", "scopes": ["registratie.lezen"], "teams": [own.team.pk, other.team.pk], "active": "on"})
    assert list(existing.teams.all()) == [own.team]
    assert bearer(token).get(f"/api/v1/huishoudens/{other.household_id}").status_code in (403, 404)
    # Taking access away needs no second person.
    client.post(reverse("admin:common_apiclient_change", args=[existing.pk]), {
        "name": "K", "scopes": ["registratie.lezen"], "teams": [own.team.pk]})
    existing.refresh_from_db()
    assert existing.active is False


def test_a_new_token_for_a_personal_data_client_goes_to_the_approver_only(client, beheerder, second):
    from common.services import create_api_client

    case, person = case_with_person()
    existing, token = create_api_client(name="K", scopes=["registratie.lezen"], teams=[case.team])
    response = client.post(reverse("admin:common_apiclient_changelist"),
                           {"action": "rotate_token", "_selected_action": [existing.pk]}, follow=True)
    assert shown_tokens(response) == []
    assert bearer(token).get(f"/api/v1/personen/{person.pk}").status_code == 200  # unchanged until approved
    new_token = approve(second, pending_request()).context["secret"]
    assert bearer(new_token).get(f"/api/v1/personen/{person.pk}").status_code == 200
    assert bearer(token).get(f"/api/v1/personen/{person.pk}").status_code == 401


def test_a_client_without_personal_data_is_created_at_once(client, beheerder):
    response = client.post(reverse("admin:common_apiclient_add"), {
        "name": "CBS", "scopes": ["aggregaten.lezen"], "active": "on"}, follow=True)
    (token,) = shown_tokens(response)
    assert bearer(token).get("/api/v1/personen/1").status_code == 403


def test_a_role_change_waits_for_a_second_beheerder(client, beheerder, second):
    worker = StaffFactory()
    data = {"user": worker.user.pk, "team": worker.team.pk, "role": Role.TEAM_LEADER, "fte": "1", "active": "on"}
    assert client.post(reverse("admin:cases_staffmembership_change", args=[worker.pk]), data).status_code == 302
    worker.refresh_from_db()
    assert worker.role == Role.SOCIAL_WORKER
    approve(second, pending_request())
    worker.refresh_from_db()
    assert worker.role == Role.TEAM_LEADER


def test_switching_a_membership_back_on_waits_but_switching_it_off_does_not(client, beheerder, second):
    worker = StaffFactory()
    data = {"user": worker.user.pk, "team": worker.team.pk, "role": Role.SOCIAL_WORKER, "fte": "1"}
    client.post(reverse("admin:cases_staffmembership_change", args=[worker.pk]), data)
    worker.refresh_from_db()
    assert worker.active is False  # at once
    client.post(reverse("admin:cases_staffmembership_change", args=[worker.pk]), {**data, "active": "on"})
    worker.refresh_from_db()
    assert worker.active is False
    approve(second, pending_request())
    worker.refresh_from_db()
    assert worker.active is True


def test_the_user_screen_shows_memberships_but_does_not_change_them(client, beheerder):
    worker = StaffFactory()
    page = client.get(reverse("admin:auth_user_change", args=[worker.user.pk])).content.decode()
    assert 'name="memberships-0-role"' not in page and "Sociaal werker" in page


def test_a_request_on_something_changed_since_is_not_applied(client, beheerder, second):
    worker = StaffFactory()
    client.post(reverse("admin:cases_staffmembership_change", args=[worker.pk]), {
        "user": worker.user.pk, "team": worker.team.pk, "role": Role.TEAM_LEADER, "fte": "1", "active": "on"})
    StaffMembership.objects.filter(pk=worker.pk).update(team=TeamFactory())
    assert approve(second, pending_request()).status_code == 400
    worker.refresh_from_db()
    assert worker.role == Role.SOCIAL_WORKER


# --- A beheerder never holds a team role -------------------------------------------------------------

def test_separation_of_duties_holds_in_the_service_and_the_database():
    from django.core.exceptions import ValidationError

    from cases.services.staff import check_separation_of_duties

    admin = StaffFactory(administrator=True)
    with pytest.raises(ValidationError):
        check_separation_of_duties(user=admin.user, role=Role.SOCIAL_WORKER)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffFactory(user=admin.user)
    worker = StaffFactory()
    with pytest.raises(ValidationError):
        check_separation_of_duties(user=worker.user, role=Role.ADMINISTRATOR)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffFactory(user=worker.user, administrator=True)
    # An ended team membership is history, not a role.
    StaffMembership.objects.filter(pk=worker.pk).update(active=False)
    StaffFactory(user=worker.user, administrator=True)


def test_approval_cannot_break_the_separation_of_duties(client, beheerder, second):
    from common.models import AccessGrantRequest

    worker = StaffFactory()
    response = client.post(reverse("admin:cases_staffmembership_add"), {
        "user": worker.user.pk, "role": Role.ADMINISTRATOR, "fte": "1", "active": "on"})
    assert response.status_code == 200 and "Scheiding van functies" in response.content.decode()
    assert not AccessGrantRequest.objects.exists()
    # Requested while allowed, then the user got a team role: the approval is refused.
    colleague = UserFactory()
    client.post(reverse("admin:cases_staffmembership_add"), {
        "user": colleague.pk, "role": Role.ADMINISTRATOR, "fte": "1", "active": "on"})
    grant = pending_request()
    StaffFactory(user=colleague)
    assert approve(second, grant).status_code == 400
    assert not StaffMembership.objects.filter(user=colleague, role=Role.ADMINISTRATOR).exists()


def test_a_beheerder_with_a_team_membership_sees_no_cases():
    """Even a row that slipped past the trigger (it predates it) gives a beheerder no team."""
    from cases.selectors import team_ids_of

    import pgtrigger

    worker = StaffFactory()
    assert team_ids_of(worker.user) == {worker.team_id}
    with pgtrigger.ignore("cases.StaffMembership:staff_beheerder_no_team_role"):
        StaffFactory(user=worker.user, administrator=True)
    assert team_ids_of(worker.user) == set()


# --- The audit log sees the grants -------------------------------------------------------------------

def test_request_and_approval_are_in_the_audit_log_without_personal_data(client, beheerder, second):
    worker = StaffFactory(phone="0612345678")
    client.post(reverse("admin:cases_staffmembership_change", args=[worker.pk]), {
        "user": worker.user.pk, "team": worker.team.pk, "role": Role.TEAM_LEADER, "fte": "1", "active": "on",
        "phone": "0687654321"})
    approve(second, pending_request())
    events = list(AuditEvent.objects.filter(purpose="functioneel beheer").order_by("pk"))
    kinds = [(e.object_type, e.action, e.user_id) for e in events]
    assert kinds == [("accessgrantrequest", "create", beheerder.user.pk),
                     ("accessgrantrequest", "update", second.staff.user.pk),
                     ("staffmembership", "update", second.staff.user.pk)]
    change = events[-1].changes["fields"]
    assert change["role"] == {"before": Role.SOCIAL_WORKER, "after": Role.TEAM_LEADER}
    assert change["phone"] == {"changed": True}
    text = str([e.changes for e in events]) + str([e.purpose for e in events])
    assert "0612345678" not in text and "0687654321" not in text
    assert "akkoord" not in text  # the approver's reason stays on the request


def test_the_screens_of_a_request_in_dutch(client, beheerder, second):
    worker = StaffFactory()
    client.post(reverse("admin:cases_staffmembership_change", args=[worker.pk]), {
        "user": worker.user.pk, "team": worker.team.pk, "role": Role.TEAM_LEADER, "fte": "1", "active": "on"})
    grant = pending_request()
    detail = client.get(reverse("admin:common_accessgrantrequest_change", args=[grant.pk])).content.decode()
    assert "Wijziging van lidmaatschap" in detail and "Wacht op beoordeling" in detail and "Beoordelen" in detail
    own = client.get(reverse("admin:common_accessgrantrequest_decide", args=[grant.pk])).content.decode()
    assert "u hebt deze aanvraag zelf ingediend" in own and 'name="approve"' not in own
    other = second.get(reverse("admin:common_accessgrantrequest_decide", args=[grant.pk])).content.decode()
    assert 'name="approve"' in other and 'name="reject"' in other
    assert "sociaal_werker" in other and "teamleider" in other  # the change: before and after
    index = second.get(reverse("admin:index")).content.decode()
    assert "Toegangsaanvragen" in index
