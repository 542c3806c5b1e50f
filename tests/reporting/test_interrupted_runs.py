"""A RebuildRun left "running" by an attempt whose process died does not stay "running" for the beheerder.

When the same Celery task starts again (the broker delivered it again after the worker was lost) its
earlier run is marked failed as interrupted and the new run counts as the next attempt; a new full rebuild
marks every run older than any attempt can live (services.STALE_RUN_AFTER). Runs that may still be alive,
and runs that already finished, are left alone. The end-to-end case, with a real worker killed in the
middle of a rebuild, is tests/reliability/test_worker_killed.py.
"""
import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from reporting import services, tasks
from reporting.models import RebuildKind, RebuildRun, RebuildStatus
from tests.reporting.factories import make_case, team_with_workers

pytestmark = pytest.mark.django_db


def _running(kind=RebuildKind.FULL, *, task_id="", age=dt.timedelta(0), attempt=1) -> RebuildRun:
    run = RebuildRun.objects.create(kind=kind, task_id=task_id, attempt=attempt, trigger="nachtelijk")
    RebuildRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - age)
    return run


def _reload(run: RebuildRun) -> RebuildRun:
    return RebuildRun.objects.get(pk=run.pk)


def test_a_rebuild_delivered_again_marks_its_interrupted_run_failed_and_is_the_next_attempt():
    killed = _running(task_id="taak-1")
    other = _running(RebuildKind.INCREMENTAL, task_id="taak-2")  # another task, perhaps waiting for the lock

    run = services.rebuild_all(task_id="taak-1")

    killed = _reload(killed)
    assert killed.status == RebuildStatus.FAILED
    assert killed.error == "Onderbroken: de worker stopte tijdens deze berekening (opnieuw aangeboden)"
    assert killed.finished_at is not None and killed.finished_at <= run.started_at
    assert (run.status, run.attempt, run.task_id) == (RebuildStatus.SUCCESS, 2, "taak-1")
    other = _reload(other)
    assert other.status == RebuildStatus.RUNNING and other.error == "" and other.finished_at is None


def test_the_celery_task_passes_its_id_so_its_redelivery_closes_the_interrupted_run():
    killed = _running(task_id="nacht-42")
    tasks.rebuild_aggregates.apply(task_id="nacht-42")  # in-process, with that request id
    runs = list(RebuildRun.objects.filter(task_id="nacht-42").order_by("pk"))
    assert [(r.status, r.attempt) for r in runs] == [(RebuildStatus.FAILED, 1), (RebuildStatus.SUCCESS, 2)]
    assert runs[0].pk == killed.pk and runs[0].error == services.INTERRUPTED_REDELIVERED


def test_an_incremental_refresh_delivered_again_closes_its_interrupted_run():
    _, (worker,) = team_with_workers()
    case = make_case(worker, timezone.localdate() - dt.timedelta(days=10))
    killed = _running(RebuildKind.INCREMENTAL, task_id="casus-7")
    stale_elsewhere = _running(RebuildKind.INCREMENTAL, task_id="casus-8", age=dt.timedelta(hours=3))

    run = services.refresh_case(case.pk, trigger="casus gewijzigd", task_id="casus-7")

    assert _reload(killed).status == RebuildStatus.FAILED
    assert _reload(killed).error == services.INTERRUPTED_REDELIVERED
    assert run.status == RebuildStatus.SUCCESS and run.attempt == 2
    # An incremental refresh only answers for its own task; old runs of others wait for the full rebuild.
    assert _reload(stale_elsewhere).status == RebuildStatus.RUNNING


def test_a_new_full_rebuild_marks_runs_older_than_any_attempt_lives_and_leaves_younger_ones():
    hour = services.STALE_RUN_AFTER
    lost_refresh = _running(RebuildKind.INCREMENTAL, task_id="casus-1", age=hour + dt.timedelta(minutes=1))
    lost_nightly = _running(age=3 * hour)
    young = _running(task_id="handmatig", age=hour - dt.timedelta(minutes=5))  # may be waiting for the lock
    failed = _running(age=2 * hour)
    RebuildRun.objects.filter(pk=failed.pk).update(status=RebuildStatus.FAILED, error="OperationalError: weg")

    run = services.rebuild_all()

    for stale in (lost_refresh, lost_nightly):
        stale = _reload(stale)
        assert stale.status == RebuildStatus.FAILED and stale.finished_at is not None
        assert stale.error == "Onderbroken: na 1 uur nog niet afgerond; de worker stopte tijdens deze berekening"
    assert _reload(young).status == RebuildStatus.RUNNING and _reload(young).error == ""
    assert _reload(failed).error == "OperationalError: weg"  # finished runs keep their own outcome
    assert run.status == RebuildStatus.SUCCESS and run.attempt == 1


def test_a_celery_retry_keeps_its_attempt_number_and_the_failed_attempt_its_error():
    failed = _running(task_id="taak-3")
    RebuildRun.objects.filter(pk=failed.pk).update(status=RebuildStatus.FAILED, error="OperationalError: weg")

    run = services.rebuild_all(task_id="taak-3", attempt=2)  # autoretry: request.retries + 1

    assert run.attempt == 2 and run.status == RebuildStatus.SUCCESS
    assert _reload(failed).error == "OperationalError: weg"


def test_redelivery_is_configured_and_no_live_attempt_counts_as_stale():
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    for task in (tasks.rebuild_aggregates, tasks.refresh_after_measurement, tasks.refresh_case):
        assert task.acks_late and task.reject_on_worker_lost
        # A message comes back after the visibility timeout even if its task still runs: the time limit
        # ends every task before that, and before its run would count as stale.
        assert task.time_limit < visibility <= services.STALE_RUN_AFTER.total_seconds()
    assert settings.CELERY_TASK_TIME_LIMIT < visibility
