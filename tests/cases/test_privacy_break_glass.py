"""Break-the-glass: a worker opens another team's case only with a written reason; the access is read-only,
time-limited, audited with the reason, and shown to both team leaders."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import BreakGlassAccess, CaseStatus, Consent, DirectorAssignment, HouseholdMembership, Plan
from common.audit import Actor
from common.models import AuditAction, AuditEvent
from common.services import create_api_client
from tests.factories import CaseFactory, StaffFactory, closure_reason
from tests.zrm.factories import case_with_adult

pytestmark = pytest.mark.django_db
REASON = "Cliënt staat aan de balie van ons team en noemt een lopende casus bij Noord."


def url(name, *args):
    return reverse(f"cases:{name}", args=args)


@pytest.fixture
def world(db):
    """Team Noord holds the case; a worker of team Zuid needs to look at it."""
    director = StaffFactory(team__name="Wijkteam Noord")
    leader_noord = StaffFactory(leader=True, team=director.team)
    outsider = StaffFactory(team__name="Wijkteam Zuid", user__first_name="Ayla", user__last_name="Demir")
    leader_zuid = StaffFactory(leader=True, team=outsider.team)
    leader_elsewhere = StaffFactory(leader=True, team__name="Wijkteam West")
    case, adult = case_with_adult(regisseur=director)
    return {"case": case, "adult": adult, "director": director, "leader_noord": leader_noord,
            "outsider": outsider, "leader_zuid": leader_zuid, "leader_elsewhere": leader_elsewhere}


def break_glass(client, case, reason=REASON):
    return client.post(url("break_glass", case.pk), {"reason": reason})


def test_another_teams_case_explains_need_to_know_and_offers_a_reason_form(client, world):
    client.force_login(world["outsider"].user)
    response = client.get(url("case_detail", world["case"].pk))
    content = response.content.decode()
    assert response.status_code == 403
    assert "need-to-know" in content and url("break_glass", world["case"].pk) in content
    assert 'name="reason"' in content
    # Nothing about the case or the household leaks before the glass is broken.
    assert world["adult"].last_name not in content and world["case"].household.street not in content
    assert "Wijkteam Noord" not in content
    assert not BreakGlassAccess.objects.exists()


def test_a_reason_shorter_than_twenty_characters_is_refused_on_the_field(client, world):
    client.force_login(world["outsider"].user)
    response = break_glass(client, world["case"], reason="Even kijken")
    assert response.status_code == 403
    assert services.MSG_BREAK_GLASS_REASON in response.context["form"].errors["reason"]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not BreakGlassAccess.objects.exists()
    empty = break_glass(client, world["case"], reason="   ")
    assert "Beschrijf waarom u deze casus moet inzien." in empty.context["form"].errors["reason"]
    assert not BreakGlassAccess.objects.exists()


def test_stating_a_reason_records_the_access_audits_it_and_opens_the_case_for_eight_hours(client, world):
    client.force_login(world["outsider"].user)
    before = timezone.now()
    response = break_glass(client, world["case"])
    assert response.status_code == 302 and response.url == url("case_detail", world["case"].pk)
    access = BreakGlassAccess.objects.get()
    assert (access.user, access.case, access.reason, access.requester_team) == (
        world["outsider"].user, world["case"], REASON, world["outsider"].team)
    assert access.at >= before and access.valid_until - access.at == dt.timedelta(hours=8)
    row = AuditEvent.objects.get(object_type="breakglassaccess")
    assert (row.action, row.user, row.case_id, row.purpose) == (
        AuditAction.CREATE, world["outsider"].user, world["case"].pk, "break-the-glass")
    assert row.object_id == str(access.pk)  # the audit row names the access; the reason stays on the access

    page = client.get(url("case_detail", world["case"].pk))
    assert page.status_code == 200
    assert world["adult"].full_name in page.content.decode()


def test_the_validity_comes_from_the_setting(client, world, settings):
    settings.WIJKREGIE = {**settings.WIJKREGIE, "BREAK_GLASS_HOURS": 2}
    access = services.break_the_glass(actor=Actor(user=world["outsider"].user), case=world["case"], reason=REASON)
    assert access.valid_until - access.at == dt.timedelta(hours=2)


def test_under_break_the_glass_the_page_is_read_only_and_every_read_carries_the_break_glass_purpose(client, world):
    case = world["case"]
    services.record_consent(actor=Actor(user=world["director"].user), case=case, purpose="regiecheck",
                            given_on=dt.date.today())
    client.force_login(world["outsider"].user)
    break_glass(client, case)
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    page = client.get(url("case_detail", case.pk))
    content = page.content.decode()
    assert "Alleen lezen (break-the-glass)" in content and REASON in content
    for name in ("case_transfer", "case_close", "case_add_member", "plan_start", "network_member_add",
                 "intervention_add", "escalation_add", "consent_add", "bemoeizorg"):
        assert url(name, case.pk) not in content, name
    for form in ("first_contact_form", "transfer_form", "close_form", "member_form", "reopen_form"):
        assert form not in page.context, form
    assert not page.context["privacy_editable"] and "Intrekken" not in content
    reads = AuditEvent.objects.filter(pk__gt=start, action=AuditAction.READ, case=case).exclude(
        object_type="measurement")
    assert reads.filter(object_type="case").count() == 1 and reads.filter(object_type="person").count() == 1
    assert set(reads.values_list("purpose", flat=True)) == {services.PURPOSE_BREAK_GLASS}


def test_writes_stay_with_the_own_team_during_break_the_glass(client, world):
    case = world["case"]
    client.force_login(world["outsider"].user)
    break_glass(client, case)
    today = dt.date.today().isoformat()
    posts = {
        "case_first_contact": {"contact-contact_date": today},
        "case_transfer": {"transfer-regisseur": world["leader_noord"].pk, "transfer-reason": "Verlof",
                          "transfer-on": today},
        "case_close": {"close-reason": closure_reason().pk, "close-closed_on": today},
        "case_add_member": {"member-first_name": "Kees", "member-last_name": "Smit",
                            "member-date_of_birth": "1990-01-01", "member-role": "partner"},
        "plan_start": {"covered_persons": [world["adult"].pk]},
        "consent_add": {"purpose": "regiecheck", "given_on": today},
        "bemoeizorg": {"reason": "Zorgmijder, meerdere meldingen van buren"},
        "network_member_add": {"name": "Els", "relation": "zus", "supportive": "ja"},
    }
    for name, data in posts.items():
        assert client.post(url(name, case.pk), data).status_code == 403, name
    case.refresh_from_db()
    assert (case.status, case.regisseur_id, case.first_contact_date, case.bemoeizorg_reason) == (
        CaseStatus.REGISTERED, world["director"].pk, None, "")
    assert DirectorAssignment.objects.filter(case=case).count() == 1
    assert HouseholdMembership.objects.filter(household=case.household).count() == 1
    assert not Plan.objects.filter(case=case).exists() and not Consent.objects.exists()


def test_break_the_glass_opens_earlier_plan_versions_read_only_but_not_the_api(client, world):
    case, adult = world["case"], world["adult"]
    plan = Plan.objects.create(case=case, version=1)
    plan.covered_persons.set([adult])
    client.force_login(world["outsider"].user)
    assert client.get(url("plan_detail", plan.pk)).status_code == 403
    break_glass(client, case)
    assert client.get(url("plan_detail", plan.pk)).status_code == 200
    assert client.get(url("plan_edit", plan.pk)).status_code == 403
    api = APIClient()
    api.force_login(world["outsider"].user)
    assert api.get(f"/api/v1/casussen/{case.pk}/plannen").status_code == 403


def test_the_access_ends_when_its_validity_is_over(client, world):
    client.force_login(world["outsider"].user)
    break_glass(client, world["case"])
    assert client.get(url("case_detail", world["case"].pk)).status_code == 200
    access = BreakGlassAccess.objects.get()
    BreakGlassAccess.objects.filter(pk=access.pk).update(valid_until=timezone.now() - dt.timedelta(seconds=1),
                                                         at=timezone.now() - dt.timedelta(hours=8))
    expired = client.get(url("case_detail", world["case"].pk))
    assert expired.status_code == 403 and 'name="reason"' in expired.content.decode()


def test_the_access_is_personal(client, world):
    services.break_the_glass(actor=Actor(user=world["outsider"].user), case=world["case"], reason=REASON)
    colleague = StaffFactory(team=world["outsider"].team)
    client.force_login(colleague.user)
    assert client.get(url("case_detail", world["case"].pk)).status_code == 403


def test_both_team_leaders_see_the_access_on_their_team_page_and_others_do_not(client, world):
    services.break_the_glass(actor=Actor(user=world["outsider"].user), case=world["case"], reason=REASON)
    for leader in ("leader_noord", "leader_zuid"):
        client.force_login(world[leader].user)
        page = client.get(url("team"))
        content = page.content.decode()
        assert page.status_code == 200 and REASON in content and "Ayla Demir" in content, leader
        assert [e.reason for e in page.context["break_glass_events"]] == [REASON]
        log = client.get(url("break_glass_log"))
        assert log.status_code == 200 and REASON in log.content.decode()
    client.force_login(world["leader_elsewhere"].user)
    assert REASON not in client.get(url("team")).content.decode()
    assert REASON not in client.get(url("break_glass_log")).content.decode()
    # Seeing them is itself logged (oversight reads).
    assert AuditEvent.objects.filter(object_type="breakglassaccess", action=AuditAction.READ).count() == 4


def test_the_list_of_accesses_is_for_team_leaders_only(client, world):
    for role in ("outsider", "director"):
        client.force_login(world[role].user)
        assert client.get(url("break_glass_log")).status_code == 403


@pytest.mark.parametrize("trait", ["municipality", "administrator"])
def test_gemeente_and_beheerder_cannot_break_the_glass(client, world, trait):
    staff = StaffFactory(**{trait: True})
    client.force_login(staff.user)
    assert break_glass(client, world["case"]).status_code == 403
    assert client.get(url("case_detail", world["case"].pk)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.break_the_glass(actor=Actor(user=staff.user), case=world["case"], reason=REASON)
    assert not BreakGlassAccess.objects.exists()


def test_a_machine_client_cannot_break_the_glass(world):
    create_api_client(name="Koppeling", scopes=["registratie.lezen"], teams=[world["outsider"].team])
    with pytest.raises(PermissionDenied):
        services.break_the_glass(actor=Actor(user=None, client="api:Koppeling"), case=world["case"], reason=REASON)


def test_the_own_team_needs_no_break_the_glass(client, world):
    with pytest.raises(ValidationError):
        services.break_the_glass(actor=Actor(user=world["director"].user), case=world["case"], reason=REASON)
    client.force_login(world["director"].user)
    response = break_glass(client, world["case"])
    assert response.status_code == 302 and not BreakGlassAccess.objects.exists()


def test_the_case_page_under_break_the_glass_runs_a_constant_number_of_queries(client, world):
    case = world["case"]
    client.force_login(world["outsider"].user)
    break_glass(client, case)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("case_detail", case.pk)).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for index in range(5):
        services.record_consent(actor=Actor(user=world["director"].user), case=case, purpose="overig",
                                description=f"Toestemming {index}", given_on=dt.date.today())
        services.break_the_glass(actor=Actor(user=world["outsider"].user), case=case, reason=f"{REASON} ({index})")
    assert count() == small


def test_a_closed_case_of_another_team_can_be_read_the_same_way(client, world):
    closed = CaseFactory(regisseur=world["director"], status=CaseStatus.CLOSED, closed_on=dt.date.today(),
                         closure_reason=closure_reason())
    client.force_login(world["outsider"].user)
    assert client.get(url("case_detail", closed.pk)).status_code == 403
    break_glass(client, closed)
    page = client.get(url("case_detail", closed.pk))
    assert page.status_code == 200 and "reopen_form" not in page.context
