"""Overdue plan reviews and goals past their target date on Mijn caseload and the team page."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import selectors, services
from cases.models import Goal, Plan
from tests.cases.test_views_plan import TODAY, actor_of, complete_plan, plan_case, start
from tests.factories import CaseFactory, StaffFactory
from tests.zrm.factories import domain

pytestmark = pytest.mark.django_db
PAST = TODAY - dt.timedelta(days=5)


def overdue_review(plan, on=PAST):
    # A review date cannot be set in the past through the service: time has passed since it was planned.
    Plan.objects.filter(pk=plan.pk).update(review_date=on)


def goal(plan, person, target_date, **kwargs):
    return services.add_goal(actor=actor_of(plan.case), plan=plan, person=person,
                             domain=domain("zrm-2017", "financien"), description="Doel", target_date=target_date,
                             actor_type="client", **kwargs)


def test_plan_due_items_lists_overdue_reviews_and_goals_past_their_date():
    case, adult = plan_case()
    plan = complete_plan(case, adult)  # its goal is due LATER: not overdue
    overdue_review(plan)
    goal(plan, adult, PAST - dt.timedelta(days=3))
    goal(plan, adult, PAST)
    achieved = goal(plan, adult, PAST - dt.timedelta(days=30))
    Goal.objects.filter(pk=achieved.pk).update(achieved=True)
    quiet, other = plan_case()
    start(quiet, [other])  # a concept plan without dates: nothing overdue

    items = selectors.plan_due_items([case.pk, quiet.pk], TODAY)
    assert items == {case.pk: [
        {"label": "2 doelen over de streefdatum", "due": PAST - dt.timedelta(days=3), "kind": "goals"},
        {"label": "Evaluatie plan van aanpak (versie 1)", "due": PAST, "kind": "review"},
    ]}


def test_an_evaluated_plan_and_a_future_review_are_not_overdue():
    case, adult = plan_case()
    plan = services.finalise_plan(actor=actor_of(case), plan=complete_plan(case, adult))
    Plan.objects.filter(pk=plan.pk).update(review_date=TODAY)  # due today is not late
    assert selectors.plan_due_items([case.pk], TODAY) == {}
    goal_row = plan.goals.get()
    Goal.objects.filter(pk=goal_row.pk).update(target_date=PAST)
    services.evaluate_plan(actor=actor_of(case), plan=plan, evaluation="Klaar")
    assert selectors.plan_due_items([case.pk], TODAY + dt.timedelta(days=1)) == {}


def test_my_caseload_shows_an_overdue_review_and_goals_past_their_date(client):
    case, adult = plan_case()
    plan = complete_plan(case, adult)
    overdue_review(plan)
    goal(plan, adult, PAST)
    client.force_login(case.regisseur.user)
    response = client.get(reverse("cases:my_caseload"))
    row = next(c for c in response.context["cases"] if c.pk == case.pk)
    assert [item["label"] for item in row.plan_due] == ["Evaluatie plan van aanpak (versie 1)",
                                                        "1 doel over de streefdatum"]
    content = response.content.decode()
    assert f"Evaluatie plan van aanpak (versie 1): {PAST:%d-%m-%Y} (te laat)" in content
    assert f"1 doel over de streefdatum: {PAST:%d-%m-%Y} (te laat)" in content


def test_the_team_page_shows_overdue_plan_work_of_every_worker(client):
    case, adult = plan_case()
    plan = complete_plan(case, adult)
    overdue_review(plan)
    leader = StaffFactory(leader=True, team=case.team)
    client.force_login(leader.user)
    response = client.get(reverse("cases:team"))
    row = next(c for c in response.context["cases"] if c.pk == case.pk)
    assert row.plan_due[0]["label"] == "Evaluatie plan van aanpak (versie 1)"
    assert f"Evaluatie plan van aanpak (versie 1): {PAST:%d-%m-%Y} (te laat)" in response.content.decode()


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_lists_with_overdue_plans_run_a_constant_number_of_queries(client):
    worker = StaffFactory()
    leader = StaffFactory(leader=True, team=worker.team)

    def overdue_case():
        case, adult = plan_case(regisseur=worker)
        plan = complete_plan(case, adult)
        overdue_review(plan)
        goal(plan, adult, PAST)

    overdue_case()
    client.force_login(worker.user)
    caseload = _count(client, reverse("cases:my_caseload"))
    client.force_login(leader.user)
    team = _count(client, reverse("cases:team"))
    for _ in range(5):
        overdue_case()
    CaseFactory(regisseur=worker)
    client.force_login(worker.user)
    assert _count(client, reverse("cases:my_caseload")) == caseload
    client.force_login(leader.user)
    assert _count(client, reverse("cases:team")) == team
