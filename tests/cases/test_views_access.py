"""Who may open which page: the role x own/other team matrix, and the audit rows that views write."""
import datetime as dt

import pytest
from django.urls import reverse

from cases.crypto import bsn_lookup_hash
from cases.models import Case, CaseStatus, DirectorAssignment, HouseholdMembership, Person
from common.models import AuditAction, AuditEvent
from tests.factories import CaseFactory, MembershipFactory, StaffFactory, closure_reason, melding_source, valid_bsn

pytestmark = pytest.mark.django_db

LOGIN = "login"
OK, FORBIDDEN = 200, 403


@pytest.fixture
def world(db):
    """Team A (worker, leader) with an open and a closed case; team B (worker, leader); gemeente; beheerder."""
    worker_a = StaffFactory()
    leader_a = StaffFactory(leader=True, team=worker_a.team)
    worker_b = StaffFactory()
    leader_b = StaffFactory(leader=True, team=worker_b.team)
    open_case = CaseFactory(regisseur=worker_a)
    closed_case = CaseFactory(regisseur=worker_a, status=CaseStatus.CLOSED, closed_on=dt.date.today(),
                              closure_reason=closure_reason())
    return {
        "users": {
            "sociaal_werker": worker_a.user,
            "teamleider": leader_a.user,
            "sociaal_werker_ander_team": worker_b.user,
            "teamleider_ander_team": leader_b.user,
            "gemeente": StaffFactory(municipality=True).user,
            # is_staff is deliberately left False: the role grants the admin, not the flag.
            "beheerder": StaffFactory(administrator=True).user,
            "anoniem": None,
        },
        "worker_a": worker_a, "leader_a": leader_a, "worker_b": worker_b,
        "open_case": open_case, "closed_case": closed_case,
    }


# Page -> expected status per user; LOGIN means a redirect to the login page.
PAGES = {
    "mijn_caseload": {"sociaal_werker": OK, "teamleider": OK, "sociaal_werker_ander_team": OK,
                      "teamleider_ander_team": OK, "gemeente": FORBIDDEN, "beheerder": FORBIDDEN, "anoniem": LOGIN},
    "nieuwe_melding": {"sociaal_werker": OK, "teamleider": OK, "sociaal_werker_ander_team": OK,
                       "teamleider_ander_team": OK, "gemeente": FORBIDDEN, "beheerder": FORBIDDEN, "anoniem": LOGIN},
    "team": {"sociaal_werker": FORBIDDEN, "teamleider": OK, "sociaal_werker_ander_team": FORBIDDEN,
             "teamleider_ander_team": OK, "gemeente": FORBIDDEN, "beheerder": FORBIDDEN, "anoniem": LOGIN},
    "casus_team_a": {"sociaal_werker": OK, "teamleider": OK, "sociaal_werker_ander_team": FORBIDDEN,
                     "teamleider_ander_team": FORBIDDEN, "gemeente": FORBIDDEN, "beheerder": FORBIDDEN,
                     "anoniem": LOGIN},
    "afgesloten_casus_team_a": {"sociaal_werker": OK, "teamleider": OK, "sociaal_werker_ander_team": FORBIDDEN,
                                "teamleider_ander_team": FORBIDDEN, "gemeente": FORBIDDEN, "beheerder": FORBIDDEN,
                                "anoniem": LOGIN},
    "beheer": {"sociaal_werker": FORBIDDEN, "teamleider": FORBIDDEN, "sociaal_werker_ander_team": FORBIDDEN,
               "teamleider_ander_team": FORBIDDEN, "gemeente": FORBIDDEN, "beheerder": OK, "anoniem": LOGIN},
    "beheer_auditlog": {"sociaal_werker": FORBIDDEN, "teamleider": FORBIDDEN, "sociaal_werker_ander_team": FORBIDDEN,
                        "teamleider_ander_team": FORBIDDEN, "gemeente": FORBIDDEN, "beheerder": OK,
                        "anoniem": LOGIN},
}


def page_url(world, page):
    return {
        "mijn_caseload": reverse("cases:my_caseload"),
        "nieuwe_melding": reverse("cases:new_melding"),
        "team": reverse("cases:team"),
        "casus_team_a": reverse("cases:case_detail", args=[world["open_case"].pk]),
        "afgesloten_casus_team_a": reverse("cases:case_detail", args=[world["closed_case"].pk]),
        "beheer": reverse("admin:index"),
        "beheer_auditlog": reverse("admin:common_auditevent_changelist"),
    }[page]


def get_as(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url, follow=False)


@pytest.mark.parametrize("page,role", [(page, role) for page, row in PAGES.items() for role in row])
def test_each_role_gets_exactly_its_pages(client, world, page, role):
    expected = PAGES[page][role]
    response = get_as(client, world["users"][role], page_url(world, page))
    if expected == LOGIN:
        assert response.status_code == 302
        # The admin sends anonymous users through its own login URL to the one login page.
        final = client.get(response.url) if response.url.startswith("/beheer/") else response
        assert final.status_code == 302 and final.url.startswith(reverse(LOGIN)), final.url
    else:
        assert response.status_code == expected, (page, role, response.status_code)


def action_posts(world, case):
    """Every action on the casus page with data that would succeed for the case's own team."""
    today = dt.date.today().isoformat()
    return {
        "case_first_contact": {"contact-contact_date": today},
        "case_transfer": {"transfer-regisseur": world["leader_a"].pk, "transfer-reason": "Verlof",
                          "transfer-on": today},
        "case_close": {"close-reason": closure_reason().pk, "close-closed_on": today},
        "case_add_member": {"member-first_name": "Kees", "member-last_name": "Smit",
                            "member-date_of_birth": "1990-01-01", "member-role": "partner",
                            "member-living_at_home": "on"},
    }


def snapshot(case):
    case.refresh_from_db()
    return (case.status, case.regisseur_id, case.first_contact_date, case.closed_on,
            DirectorAssignment.objects.filter(case=case).count(),
            HouseholdMembership.objects.filter(household=case.household).count())


@pytest.mark.parametrize("role", ["sociaal_werker_ander_team", "teamleider_ander_team", "gemeente", "beheerder"])
def test_nobody_outside_the_team_can_act_on_its_case(client, world, role):
    case = world["open_case"]
    client.force_login(world["users"][role])
    before = snapshot(case)
    for name, data in action_posts(world, case).items():
        response = client.post(reverse(f"cases:{name}", args=[case.pk]), data)
        assert response.status_code == FORBIDDEN, name
    closed = world["closed_case"]
    response = client.post(reverse("cases:case_reopen", args=[closed.pk]), {
        "reopen-melding_date": dt.date.today().isoformat(), "reopen-melding_source": melding_source().pk,
        "reopen-regisseur": world["worker_a"].pk})
    assert response.status_code == FORBIDDEN
    assert snapshot(case) == before
    assert not Case.objects.filter(reopened_from=closed).exists()


def test_anonymous_actions_are_sent_to_the_login_page(client, world):
    case = world["open_case"]
    for name, data in action_posts(world, case).items():
        response = client.post(reverse(f"cases:{name}", args=[case.pk]), data)
        assert response.status_code == 302 and response.url.startswith(reverse(LOGIN))
    assert snapshot(case)[0] == CaseStatus.REGISTERED


def test_actions_only_accept_post(client, world):
    client.force_login(world["users"]["sociaal_werker"])
    for name in ("case_first_contact", "case_transfer", "case_close", "case_add_member", "case_reopen"):
        assert client.get(reverse(f"cases:{name}", args=[world["open_case"].pk])).status_code == 405


def test_team_members_of_the_case_may_act_even_when_not_its_director(client, world):
    client.force_login(world["users"]["teamleider"])
    response = client.post(reverse("cases:case_first_contact", args=[world["open_case"].pk]),
                           {"contact-contact_date": dt.date.today().isoformat()})
    assert response.status_code == 302
    assert snapshot(world["open_case"])[0] == CaseStatus.IN_PROGRESS


def test_lists_hold_only_the_own_teams_cases(client, world):
    other_case = CaseFactory(regisseur=world["worker_b"])
    label_b = other_case.household.memberships.get().person.last_name
    client.force_login(world["users"]["teamleider"])
    team_page = client.get(reverse("cases:team"))
    assert [c.pk for c in team_page.context["cases"]] == [world["open_case"].pk]
    assert label_b not in team_page.content.decode()
    client.force_login(world["users"]["sociaal_werker_ander_team"])
    caseload = client.get(reverse("cases:my_caseload"))
    assert [c.pk for c in caseload.context["cases"]] == [other_case.pk]


def test_a_superuser_without_role_may_use_the_admin(client, world):
    from tests.factories import UserFactory

    admin_user = UserFactory(is_superuser=True)
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == OK


def test_staff_flag_alone_does_not_open_the_admin(client, world):
    worker = world["users"]["sociaal_werker"]
    worker.is_staff = True
    worker.save()
    client.force_login(worker)
    assert client.get(reverse("admin:index")).status_code == FORBIDDEN
    assert client.get(reverse("admin:login")).status_code == FORBIDDEN


def test_an_inactive_beheerder_membership_grants_nothing(client, world):
    beheerder = world["users"]["beheerder"]
    beheerder.memberships.update(active=False)
    client.force_login(beheerder)
    assert client.get(reverse("admin:index")).status_code == FORBIDDEN


# --- Audit rows written by the views -------------------------------------------------------------

def test_viewing_a_case_logs_a_read_of_the_case_and_of_every_person_shown(client, world):
    case = world["open_case"]
    child = MembershipFactory(household=case.household, role="kind", person__date_of_birth=dt.date(2016, 4, 4))
    user = world["users"]["sociaal_werker"]
    client.force_login(user)
    client.get(reverse("cases:case_detail", args=[case.pk]), REMOTE_ADDR="10.1.2.3")
    reads = AuditEvent.objects.filter(action=AuditAction.READ, case=case, user=user)
    assert reads.filter(object_type="case", object_id=str(case.pk)).count() == 1
    persons = set(case.household.memberships.values_list("person_id", flat=True))
    assert set(reads.filter(object_type="person").values_list("person_id", flat=True)) == persons
    assert child.person_id in persons
    assert set(reads.values_list("source_ip", flat=True)) == {"10.1.2.3"}
    assert set(reads.values_list("client", flat=True)) == {"web"}

    client.get(reverse("cases:case_detail", args=[case.pk]))
    assert reads.filter(object_type="case").count() == 2  # every view, not just the first


def test_a_refused_case_view_logs_no_read(client, world):
    client.force_login(world["users"]["sociaal_werker_ander_team"])
    assert client.get(reverse("cases:case_detail", args=[world["open_case"].pk])).status_code == 403
    assert not AuditEvent.objects.filter(case=world["open_case"], action=AuditAction.READ).exists()


def test_lists_log_a_read_of_each_case_shown(client, world):
    user = world["users"]["teamleider"]
    client.force_login(user)
    client.get(reverse("cases:team"))
    assert list(AuditEvent.objects.filter(user=user, action=AuditAction.READ).values_list("case_id", flat=True)) == [
        world["open_case"].pk]
    worker = world["users"]["sociaal_werker"]
    client.force_login(worker)
    client.get(reverse("cases:my_caseload"))
    assert AuditEvent.objects.filter(user=worker, action=AuditAction.READ, case=world["open_case"]).count() == 1


def test_a_household_search_is_logged_and_the_bsn_stays_out_of_urls(client, world):
    case = world["open_case"]
    person = case.household.memberships.get().person
    user = world["users"]["sociaal_werker"]
    client.force_login(user)
    response = client.post(reverse("cases:new_melding"), {"step": "search", "team": case.team_id, "bsn": person.bsn})
    assert response.status_code == 302 and person.bsn not in response.url
    search = AuditEvent.objects.get(action=AuditAction.SEARCH, user=user)
    assert (search.object_type, search.object_id, search.person_id, search.case_id) == (
        "household", str(case.household_id), person.pk, case.pk)


def test_a_bsn_in_the_query_string_is_ignored(client, world):
    person = world["open_case"].household.memberships.get().person
    client.force_login(world["users"]["sociaal_werker"])
    response = client.get(reverse("cases:new_melding"), {"bsn": person.bsn})
    assert response.status_code == 400  # refused, not only ignored (issue 15: tests/test_personal_data_in_urls.py)
    assert person.bsn not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_changes_through_the_views_are_logged_with_the_user(client, world):
    case, user = world["open_case"], world["users"]["sociaal_werker"]
    client.force_login(user)
    today = dt.date.today().isoformat()
    client.post(reverse("cases:case_first_contact", args=[case.pk]), {"contact-contact_date": today})
    client.post(reverse("cases:case_transfer", args=[case.pk]),
                {"transfer-regisseur": world["leader_a"].pk, "transfer-reason": "Verlof"})
    bsn = valid_bsn()
    client.post(reverse("cases:case_add_member", args=[case.pk]), {
        "member-first_name": "Kees", "member-last_name": "Smit", "member-date_of_birth": "1990-01-01",
        "member-role": "partner", "member-bsn": bsn, "member-living_at_home": "on"})
    client.post(reverse("cases:case_close", args=[case.pk]), {"close-reason": closure_reason().pk,
                                                              "close-closed_on": today})
    updates = AuditEvent.objects.filter(case=case, user=user, action=AuditAction.UPDATE, object_type="case")
    assert updates.count() == 3  # first contact, transfer, close
    kees = Person.objects.get(bsn_hash=bsn_lookup_hash(bsn))
    assert AuditEvent.objects.filter(person=kees, case=case, user=user, action=AuditAction.CREATE).count() == 1


def test_registering_a_melding_logs_the_household_persons_and_case(client, world):
    worker = world["worker_a"]
    client.force_login(worker.user)
    client.post(reverse("cases:new_melding"), {
        "step": "new", "team": worker.team_id, "postcode": "9712CD", "house_number": "7", "street": "Vismarkt",
        "city": "Groningen", "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0",
        "members-0-first_name": "Fatima", "members-0-last_name": "El Amrani", "members-0-date_of_birth": "1970-03-03",
        "members-0-role": "ouder", "members-0-living_at_home": "on",
        "melding_date": dt.date.today().isoformat(), "melding_source": melding_source().pk, "regisseur": worker.pk,
    })
    case = Case.objects.get(household__street="Vismarkt")
    creates = AuditEvent.objects.filter(user=worker.user, action=AuditAction.CREATE)
    assert set(creates.values_list("object_type", flat=True)) == {"household", "person", "case"}
    assert creates.get(object_type="case").case == case
    assert creates.get(object_type="person").person.last_name == "El Amrani"
