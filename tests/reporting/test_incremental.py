"""Incremental updates after each change equal the nightly rebuild; failures leave the old figures.

In-process here (Celery eager, the hooks' on_commit callbacks executed); through a real worker on
Redis in tests/reporting/test_celery_worker.py.
"""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import EscalationKind, InterventionType
from cases.services import InterventionData
from common.audit import Actor, seal_committed_rows
from reporting import indicators, services, tasks
from reporting.models import AggregateCell, CaseFact, PersonProgress, RebuildKind, RebuildRun, RebuildStatus
from tests.factories import StaffFactory, closure_reason
from tests.reporting.factories import adults, all_cells, make_case, measure, scores, team_with_workers

pytestmark = pytest.mark.django_db


def facts_snapshot():
    return (all_cells(), sorted(PersonProgress.objects.values_list(
        "person_id", "case_id", "baseline_date", "latest_date", "domains_improved", "regisseur_id")),
        sorted(CaseFact.objects.values_list("case_id", "status", "contact_days", "closed_on", "regisseur_id",
                                            "household_category", "nulmeting_date")))


def scenario():
    """Two teams with cases over the last two years, measured, some closed."""
    today = timezone.localdate()
    team, (anna, bram) = team_with_workers(1, 0.8)
    other, (olga,) = team_with_workers(1)
    cases = []
    for i, worker in enumerate([anna, bram, anna, olga, bram, olga]):
        melding = today - dt.timedelta(days=400 - 50 * i)
        case = make_case(worker, melding, contact=melding + dt.timedelta(days=3 + i), wijk=["Noord", "Zuid"][i % 2])
        person = adults(case)[0]
        measure(case, person, melding + dt.timedelta(days=20), scores(3, financien=2))
        cases.append(case)
    return today, team, (anna, bram), other, olga, cases


def test_each_change_updates_the_aggregates_incrementally_to_what_a_full_rebuild_gives(
        django_capture_on_commit_callbacks):
    today, team, (anna, bram), other, olga, cases = scenario()
    services.rebuild_all()
    before = facts_snapshot()
    actor = Actor(user=anna.user)
    fresh = make_case(anna, today - dt.timedelta(days=20))
    changes = [
        lambda: case_services.register_first_contact(actor=actor, case=fresh,
                                                     contact_date=today - dt.timedelta(days=2)),
        lambda: measure(cases[0], adults(cases[0])[0], today - dt.timedelta(days=10), scores(4), type="tussenmeting"),
        lambda: measure(cases[3], adults(cases[3])[0], today - dt.timedelta(days=5), scores(5), type="tussenmeting"),
        lambda: case_services.transfer_director(actor=actor, case=cases[2], regisseur=bram, reason="verdeling",
                                                on=today - dt.timedelta(days=1)),
        lambda: case_services.record_intervention(actor=actor, case=cases[1], data=InterventionData(
            type=InterventionType.objects.get(code="schuldhulpverlening"), team_action="gestart", deliverer="extern",
            start_date=today - dt.timedelta(days=30))),
        lambda: case_services.record_escalation(actor=actor, case=cases[1], kind=EscalationKind.EVICTION,
                                                prevented=True, date=today - dt.timedelta(days=3)),
        lambda: case_services.close_case(actor=actor, case=cases[4], reason=closure_reason("verhuisd"),
                                         closed_on=today - dt.timedelta(days=1)),
    ]
    for change in changes:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            change()
        assert len(callbacks) == 1, "every change schedules exactly one refresh after its commit"
    # A correction of the baseline of the first case (a vastgestelde correction supersedes it).
    original = cases[0].zrm_measurements.order_by("date").first()
    with django_capture_on_commit_callbacks(execute=True):
        measure(cases[0], adults(cases[0])[0], original.date, scores(3, financien=1), supersedes=original,
                reason="verkeerde score")

    runs = RebuildRun.objects.filter(kind=RebuildKind.INCREMENTAL)
    assert runs.count() >= 8 and not runs.exclude(status=RebuildStatus.SUCCESS).exists()
    incremental = facts_snapshot()
    assert any(c[4] == "escalations" for c in incremental[0])
    assert incremental[0] != before[0] and incremental[2] != before[2]

    services.rebuild_all()

    assert facts_snapshot() == incremental


def test_nothing_is_scheduled_for_a_write_that_rolls_back(django_capture_on_commit_callbacks):
    _, (worker,) = team_with_workers()
    case = make_case(worker, timezone.localdate() - dt.timedelta(days=10))
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(ValidationError), transaction.atomic():
            measure(case, adults(case)[0], timezone.localdate() - dt.timedelta(days=1), scores(3))
            raise ValidationError("afgebroken")
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        measure(case, adults(case)[0], timezone.localdate() - dt.timedelta(days=1), scores(3))
    assert len([callback for callback in callbacks if callback is not seal_committed_rows]) == 1  # not the audit sealer


def test_a_failed_rebuild_leaves_the_previous_figures_and_is_recorded(monkeypatch):
    today, team, *_ = scenario()
    services.rebuild_all()
    before = facts_snapshot()
    make_case(team.memberships.first(), today - dt.timedelta(days=3))  # would change the figures

    broken = indicators.Indicator("kapot", lambda ctx: f"SELECT no_such_column FROM {indicators.CELLS}")
    monkeypatch.setattr(indicators.registry, "INDICATORS", [*indicators.INDICATORS, broken])
    with pytest.raises(Exception):
        services.rebuild_all()

    assert facts_snapshot() == before
    run = RebuildRun.objects.order_by("-pk").first()
    assert run.status == RebuildStatus.FAILED and run.kind == RebuildKind.FULL
    assert "no_such_column" in run.error and run.finished_at is not None


def test_the_beheerder_sees_failed_rebuilds_with_their_error_in_the_admin(client):
    RebuildRun.objects.create(kind=RebuildKind.FULL, status=RebuildStatus.FAILED, error="OperationalError: kapot")
    RebuildRun.objects.create(kind=RebuildKind.INCREMENTAL, status=RebuildStatus.SUCCESS, scope="casus 1")
    client.force_login(StaffFactory(administrator=True).user)
    response = client.get(reverse("admin:reporting_rebuildrun_changelist"))
    assert response.status_code == 200
    assert "OperationalError: kapot" in response.content.decode() and "Mislukt" in response.content.decode()
    client.force_login(StaffFactory().user)
    assert client.get(reverse("admin:reporting_rebuildrun_changelist")).status_code == 403


def test_tasks_acknowledge_late_retry_with_backoff_and_have_time_limits(settings):
    for task in (tasks.rebuild_aggregates, tasks.refresh_after_measurement, tasks.refresh_case):
        assert task.acks_late is True
        assert task.max_retries == 5 and task.retry_backoff and task.autoretry_for == (Exception,)
        assert task.soft_time_limit and task.time_limit > task.soft_time_limit
    schedule = settings.CELERY_BEAT_SCHEDULE["reporting-rebuild-aggregates"]
    assert schedule["task"] == tasks.rebuild_aggregates.name


def test_the_nightly_task_rebuilds_everything():
    _, (worker,) = team_with_workers()
    make_case(worker, timezone.localdate() - dt.timedelta(days=3))
    written = tasks.rebuild_aggregates.delay().get()
    assert written == AggregateCell.objects.count() > 0
    assert RebuildRun.objects.get().status == RebuildStatus.SUCCESS
