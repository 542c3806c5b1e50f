"""Mijn caseload and the team page: what they list, overdue work, filters and a constant query count."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import CaseStatus
from common.audit import Actor
from tests.factories import CaseFactory, MembershipFactory, StaffFactory, closure_reason

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def query_count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def close(case):
    services.close_case(actor=Actor(user=case.regisseur.user), case=case, reason=closure_reason(), closed_on=TODAY)


# --- Mijn caseload ---------------------------------------------------------------------------------

def test_my_caseload_lists_my_open_cases_with_age_and_next_action(client):
    worker = StaffFactory()
    colleague = StaffFactory(team=worker.team)
    fresh = CaseFactory(regisseur=worker, melding_date=TODAY - dt.timedelta(days=3), members=False)
    MembershipFactory(household=fresh.household, person__last_name="Vries", person__name_prefix="de")
    overdue = CaseFactory(regisseur=worker, melding_date=TODAY - dt.timedelta(days=30))
    closed = CaseFactory(regisseur=worker)
    close(closed)
    CaseFactory(regisseur=colleague)
    client.force_login(worker.user)

    response = client.get(reverse("cases:my_caseload"))
    rows = response.context["cases"]
    assert [c.pk for c in rows] == [overdue.pk, fresh.pk]  # oldest melding first
    by_pk = {c.pk: c for c in rows}
    assert by_pk[fresh.pk].days_since_melding == 3 and by_pk[overdue.pk].days_since_melding == 30
    assert by_pk[fresh.pk].next_action == "Eerste contact"
    assert by_pk[fresh.pk].next_action_due == fresh.melding_date + dt.timedelta(days=14)
    assert by_pk[overdue.pk].next_action_overdue and not by_pk[fresh.pk].next_action_overdue
    content = response.content.decode()
    assert "Huishouden de Vries" in content
    assert content.count('class="wr-overdue"') == 1 and "(te laat)" in content
    assert (fresh.melding_date + dt.timedelta(days=14)).strftime("%d-%m-%Y") in content
    assert response.context["nav"] == "caseload"


def test_my_caseload_runs_a_constant_number_of_queries(client):
    worker = StaffFactory()
    client.force_login(worker.user)
    CaseFactory(regisseur=worker)
    one = query_count(client, reverse("cases:my_caseload"))
    for _ in range(7):
        case = CaseFactory(regisseur=worker)
        MembershipFactory(household=case.household, role="kind", person__date_of_birth=dt.date(2015, 1, 1))
    assert query_count(client, reverse("cases:my_caseload")) == one


# --- Team ----------------------------------------------------------------------------------------

@pytest.fixture
def team_world(client):
    leader = StaffFactory(leader=True, user__first_name="Ilse", user__last_name="Mulder")
    anna = StaffFactory(team=leader.team, user__first_name="Anna", user__last_name="Smit")
    bram = StaffFactory(team=leader.team, user__first_name="Bram", user__last_name="Kok")
    registered = CaseFactory(regisseur=anna, melding_date=TODAY - dt.timedelta(days=40))
    in_progress = CaseFactory(regisseur=bram, melding_date=TODAY - dt.timedelta(days=10))
    services.register_first_contact(actor=Actor(user=bram.user), case=in_progress, contact_date=TODAY)
    closed = CaseFactory(regisseur=anna)
    close(closed)
    elsewhere = CaseFactory()
    client.force_login(leader.user)
    return {"leader": leader, "anna": anna, "bram": bram, "registered": registered, "in_progress": in_progress,
            "closed": closed, "elsewhere": elsewhere}


def test_the_team_page_lists_every_open_case_of_the_team_with_worker_age_and_status(client, team_world):
    response = client.get(reverse("cases:team"))
    rows = response.context["cases"]
    assert [c.pk for c in rows] == [team_world["registered"].pk, team_world["in_progress"].pk]
    content = response.content.decode()
    assert "Anna Smit" in content and "Bram Kok" in content
    assert "Aangemeld" in content and "In behandeling" in content
    assert rows[0].days_since_melding == 40
    assert response.context["overdue_count"] == 1
    per_worker = {r["regisseur"].pk: (r["open"], r["overdue"]) for r in response.context["per_worker"]}
    assert per_worker == {team_world["anna"].pk: (1, 1), team_world["bram"].pk: (1, 0)}
    assert response.context["nav"] == "team"


def test_the_team_page_filters_by_status_and_worker(client, team_world):
    url = reverse("cases:team")
    by_status = client.get(url, {"status": CaseStatus.IN_PROGRESS})
    assert [c.pk for c in by_status.context["cases"]] == [team_world["in_progress"].pk]
    by_worker = client.get(url, {"regisseur": team_world["anna"].pk})
    assert [c.pk for c in by_worker.context["cases"]] == [team_world["registered"].pk]
    both = client.get(url, {"regisseur": team_world["anna"].pk, "status": CaseStatus.IN_PROGRESS})
    assert list(both.context["cases"]) == []


def test_a_filter_on_a_worker_of_another_team_is_refused(client, team_world):
    stranger = team_world["elsewhere"].regisseur
    response = client.get(reverse("cases:team"), {"regisseur": stranger.pk})
    assert response.context["form"].errors["regisseur"] == ["Kies een medewerker uit de lijst."]
    assert team_world["elsewhere"].pk not in [c.pk for c in response.context["cases"]]


def test_a_leader_of_two_teams_switches_between_them(client, team_world):
    second = StaffFactory(leader=True, user=team_world["leader"].user)
    other_case = CaseFactory(regisseur=StaffFactory(team=second.team))
    response = client.get(reverse("cases:team"), {"team": second.team_id})
    assert response.context["team"] == second.team
    assert [c.pk for c in response.context["cases"]] == [other_case.pk]
    assert "team" in response.context["form"].fields


def test_a_leader_cannot_open_a_team_he_does_not_lead(client, team_world):
    response = client.get(reverse("cases:team"), {"team": team_world["elsewhere"].team_id})
    assert response.context["team"] == team_world["leader"].team
    assert team_world["elsewhere"].pk not in [c.pk for c in response.context["cases"]]


def test_the_team_page_runs_a_constant_number_of_queries(client, team_world):
    url = reverse("cases:team")
    params = {"status": CaseStatus.REGISTERED}
    few, few_filtered = query_count(client, url), query_count(client, url, params)
    for index in range(8):
        regisseur = StaffFactory(team=team_world["leader"].team)
        case = CaseFactory(regisseur=regisseur, melding_date=TODAY - dt.timedelta(days=index))
        MembershipFactory(household=case.household, role="kind", person__date_of_birth=dt.date(2012, 1, 1))
    assert query_count(client, url) == few
    assert query_count(client, url, params) == few_filtered
