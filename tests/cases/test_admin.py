"""Functioneel beheer in the Django admin (/beheer/): configuration yes, case content no, audit log read-only."""
import datetime as dt

import pytest
from django.urls import NoReverseMatch, reverse

from cases.models import ClosureReason, MeldingSource, Organisation, Role, StaffMembership, Team
from common import audit
from common.models import AuditAction, AuditEvent
from tests.factories import CaseFactory, StaffFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def beheerder(client):
    staff = StaffFactory(administrator=True)
    assert not staff.user.is_staff  # the role grants access, not the flag
    client.force_login(staff.user)
    return staff


@pytest.mark.parametrize("model", ["cases_organisation", "cases_team", "cases_staffmembership",
                                   "cases_meldingsource", "cases_closurereason", "common_auditevent"])
def test_the_beheerder_sees_the_configuration_screens(client, beheerder, model):
    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200


def test_the_beheerder_sees_the_user_accounts(client, beheerder):
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    index = client.get(reverse("admin:index")).content.decode()
    for label in ("Moederorganisaties", "Teams", "Teamlidmaatschappen", "Meldingsbronnen", "Redenen van afsluiting",
                  "Auditlog"):
        assert label in index


@pytest.mark.parametrize("model", ["person", "household", "case", "householdmembership", "caseevent",
                                   "directorassignment"])
def test_case_content_is_not_in_the_admin(client, beheerder, model):
    with pytest.raises(NoReverseMatch):
        reverse(f"admin:cases_{model}_changelist")
    assert client.get(f"/beheer/cases/{model}/").status_code == 404


def test_the_beheerder_adds_an_organisation_and_a_team(client, beheerder):
    response = client.post(reverse("admin:cases_organisation_add"), {"name": "GGZ Noord"})
    assert response.status_code == 302 and Organisation.objects.filter(name="GGZ Noord").exists()
    response = client.post(reverse("admin:cases_team_add"), {"name": "Wijkteam Oost", "municipality": "Groningen",
                                                             "postcode_areas": '["9713", "9714"]'})
    assert response.status_code == 302
    assert Team.objects.get(name="Wijkteam Oost").postcode_areas == ["9713", "9714"]


def test_a_bad_team_area_gets_a_dutch_error(client, beheerder):
    response = client.post(reverse("admin:cases_team_add"), {"name": "Wijkteam West", "municipality": "Groningen",
                                                             "postcode_areas": '["97A3"]'})
    assert response.status_code == 200 and "werkgebied is een lijst van postcodes" in response.content.decode()
    assert not Team.objects.filter(name="Wijkteam West").exists()


def test_the_beheerder_extends_a_code_list(client, beheerder):
    response = client.post(reverse("admin:cases_meldingsource_add"),
                           {"code": "jongerenwerk", "label": "Jongerenwerk", "order": 20, "active": "on"})
    assert response.status_code == 302 and MeldingSource.objects.filter(code="jongerenwerk").exists()


def test_code_lists_are_deactivated_not_deleted(client, beheerder):
    reason = ClosureReason.objects.get(code="overig")
    response = client.post(reverse("admin:cases_closurereason_delete", args=[reason.pk]), {"post": "yes"})
    assert response.status_code == 403 and ClosureReason.objects.filter(pk=reason.pk).exists()


def test_the_beheerder_gives_a_user_a_team_role(client, beheerder):
    # Four eyes (issue 15): the role is requested here and takes effect when another beheerder approves it
    # (tests/cases/test_four_eyes.py).
    from django.test import Client

    from common.models import AccessGrantRequest

    user, team = UserFactory(), TeamFactory()
    response = client.post(reverse("admin:cases_staffmembership_add"), {
        "user": user.pk, "team": team.pk, "role": Role.SOCIAL_WORKER, "fte": "0.8", "active": "on"})
    assert response.status_code == 302
    assert not StaffMembership.objects.filter(user=user).exists()
    grant = AccessGrantRequest.objects.get()
    second = Client()
    second.force_login(StaffFactory(administrator=True).user)
    second.post(reverse("admin:common_accessgrantrequest_decide", args=[grant.pk]), {"approve": "Goedkeuren"})
    assert StaffMembership.objects.get(user=user).team == team


def test_a_team_role_without_a_team_gets_a_dutch_error(client, beheerder):
    user = UserFactory()
    response = client.post(reverse("admin:cases_staffmembership_add"), {
        "user": user.pk, "role": Role.TEAM_LEADER, "fte": "1", "active": "on"})
    assert response.status_code == 200
    assert "Een sociaal werker of teamleider hoort bij een team." in response.content.decode()
    assert not StaffMembership.objects.filter(user=user).exists()


def test_the_beheerder_cannot_make_anyone_superuser(client, beheerder):
    user = UserFactory()
    page = client.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    # Making oneself superuser through the form is ignored: the field is not on the form.
    me = beheerder.user
    client.post(reverse("admin:auth_user_change", args=[me.pk]), {
        "username": me.username, "first_name": "x", "last_name": "y", "email": "", "is_active": "on",
        "is_superuser": "on", "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    me.refresh_from_db()
    assert not me.is_superuser
    # A superuser's account is view-only for a beheerder.
    superuser = UserFactory(is_superuser=True, first_name="Root")
    page = client.get(reverse("admin:auth_user_change", args=[superuser.pk])).content.decode()
    assert 'name="first_name"' not in page
    response = client.post(reverse("admin:auth_user_change", args=[superuser.pk]),
                           {"username": superuser.username, "first_name": "Overgenomen"})
    assert response.status_code == 403
    assert client.post(reverse("admin:auth_user_delete", args=[superuser.pk]), {"post": "yes"}).status_code == 403
    superuser.refresh_from_db()
    assert superuser.first_name == "Root" and superuser.is_superuser


def test_the_audit_log_is_read_only(client, beheerder):
    case = CaseFactory()
    person = case.household.memberships.get().person
    event = audit.record(audit.Actor(user=case.regisseur.user), AuditAction.READ, person, person=person, case=case)
    assert client.get(reverse("admin:common_auditevent_add")).status_code == 403
    detail = client.get(reverse("admin:common_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    content = detail.content.decode()
    assert 'name="purpose"' not in content  # no editable fields
    assert person.last_name not in content and person.bsn not in content  # ids only, no names
    client.post(reverse("admin:common_auditevent_change", args=[event.pk]), {"purpose": "gewijzigd"})
    event.refresh_from_db()
    assert event.purpose == audit.PURPOSE_CASEWORK
    response = client.post(reverse("admin:common_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 403 and AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_audit_log_is_filtered_and_searched_by_object_id(client, beheerder):
    first, second = CaseFactory(), CaseFactory()
    actor = audit.Actor(user=first.regisseur.user)
    audit.record(actor, AuditAction.READ, first, case=first)
    audit.record(actor, AuditAction.UPDATE, second, case=second)
    url = reverse("admin:common_auditevent_changelist")
    listed = lambda response: {(e.action, e.object_id) for e in response.context["cl"].result_list}  # noqa: E731
    assert listed(client.get(url, {"action": "update"})) == {("update", str(second.pk))}
    searched = client.post(f"{url}?object_type=case", {"_zoeken": "1", "q": str(first.pk)})  # a POST: no term in a URL
    assert listed(client.get(searched["Location"])) == {("read", str(first.pk))}
    client.post(url, {"_zoeken_wissen": "1"})
    today = dt.date.today()
    in_range = client.get(url, {"at__gte": today.isoformat(), "at__lt": (today + dt.timedelta(days=1)).isoformat()})
    assert len(listed(in_range)) == 2
    page = client.get(url).content.decode()
    assert "?action__exact=read" in page and "?object_type=case" in page  # the filters are offered
