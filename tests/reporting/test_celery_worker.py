"""A task sent through Redis is executed by a real `celery worker` process and changes the database.

Skipped (with the reason, see tests/conftest.py) unless DATABASE_URL points to PostgreSQL and
REDIS_URL is set: the worker is a separate process that must reach the same test database and
the same broker.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from celery.result import EagerResult
from django.db import connection

from config.celery import app as celery_app
from reporting.models import TeamCaseCount
from reporting.tasks import recount_open_cases
from tests.database import database_url
from tests.factories import CaseFactory, StaffFactory

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60


def _test_database_url() -> str:
    """The URL of the database this test runs in (pytest-django's test_... copy)."""
    return database_url()


def _forget_connections(app) -> None:
    # Celery caches the broker pool, the routing (default queue) and the result backend; drop
    # them so that the configuration set below (and restored afterwards) takes effect.
    app._pool = None
    app.__dict__.pop("amqp", None)
    app._backend_cache = None
    if hasattr(app._local, "backend"):
        del app._local.backend


@contextmanager
def tasks_through_redis(redis_url: str, queue: str):
    """Switch the Celery app from eager (test settings) to Redis, on a queue of its own."""
    keys = ("task_always_eager", "broker_url", "result_backend", "task_default_queue")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(task_always_eager=False, broker_url=redis_url, result_backend=redis_url,
                           task_default_queue=queue)
    _forget_connections(celery_app)
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        _forget_connections(celery_app)
        client = redis.Redis.from_url(redis_url)
        leftovers = client.keys(f"*{queue}*")  # the queue's own bindings; nothing shared
        if leftovers:
            client.delete(*leftovers)
        client.close()


@contextmanager
def celery_worker(queue: str, log_path: Path, *, pool: str = "solo"):
    """A `celery worker` process on `queue`; pool="prefork" runs tasks in one pool child process (which a
    test can kill) instead of in the worker process itself."""
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "SECRET_KEY": "celery-worker-test-only",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={pool}", "-Q", queue,
        "-n", f"{queue}@%h", "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]
    if pool != "solo":
        command.append("--concurrency=1")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _log_tail(log_path: Path) -> str:
    return log_path.read_text(errors="replace")[-3000:]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # like every transactional test of the suite
def test_recount_task_sent_through_redis_is_run_by_a_real_worker():
    worker = StaffFactory()
    CaseFactory(regisseur=worker)
    CaseFactory(regisseur=worker)
    other_team_case = CaseFactory()  # another team: not asked for, not counted
    team = worker.team
    assert not TeamCaseCount.objects.exists()

    queue = f"wijkregie-test-{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "worker.log"
        with tasks_through_redis(os.environ["REDIS_URL"], queue), celery_worker(queue, log_path) as process:
            result = recount_open_cases.delay([team.id])
            assert not isinstance(result, EagerResult), "the task ran in-process instead of through Redis"

            deadline = time.monotonic() + WAIT_SECONDS
            while not result.ready():
                assert process.poll() is None, f"the worker stopped:\n{_log_tail(log_path)}"
                assert time.monotonic() < deadline, f"no result within {WAIT_SECONDS} s:\n{_log_tail(log_path)}"
                time.sleep(0.25)
            assert result.successful(), f"{result.result!r}\n{_log_tail(log_path)}"
            assert result.result == 1  # (not result.get(): an earlier eager task may still be on Celery's task stack)
            result.forget()
        assert process.returncode is not None, "the worker was left running"
        assert f"reporting.tasks.recount_open_cases[{result.id}] succeeded" in log_path.read_text(errors="replace")

    row = TeamCaseCount.objects.get(team=team)
    assert row.open_cases == 2
    assert not TeamCaseCount.objects.filter(team=other_team_case.team).exists()
    # The app is back in the test settings' eager mode.
    assert celery_app.conf.task_always_eager is True


# --- The progress engine's incremental path through a real worker --------------------------------

def _wait_for_runs(expected: int, since, process, log_path: Path) -> None:
    """Until `expected` incremental RebuildRuns started after `since` succeeded (none failed)."""
    from reporting.models import RebuildKind, RebuildRun, RebuildStatus

    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        runs = RebuildRun.objects.filter(kind=RebuildKind.INCREMENTAL, started_at__gte=since)
        failed = runs.filter(status=RebuildStatus.FAILED).first()
        assert failed is None, f"{failed.error}\n{_log_tail(log_path)}"
        if runs.filter(status=RebuildStatus.SUCCESS).count() >= expected:
            return
        assert process.poll() is None, f"the worker stopped:\n{_log_tail(log_path)}"
        assert time.monotonic() < deadline, f"no {expected} refreshes within {WAIT_SECONDS} s:\n{_log_tail(log_path)}"
        time.sleep(0.25)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # code lists and ZRM versions from migrations
def test_changes_reach_the_aggregates_through_a_worker_and_equal_the_nightly_rebuild():
    import datetime as dt

    from django.utils import timezone

    from cases import services as case_services
    from common.audit import Actor
    from reporting import services as reporting_services
    from reporting.models import RebuildRun
    from tests.reporting.factories import adults, all_cells, make_case, measure, scores, team_with_workers

    today = timezone.localdate()
    _, (anna, bram) = team_with_workers(1, 0.5)
    cases = []
    for i, worker in enumerate([anna, bram, anna]):
        melding = today - dt.timedelta(days=300 - 60 * i)
        case = make_case(worker, melding, contact=melding + dt.timedelta(days=4))
        measure(case, adults(case)[0], melding + dt.timedelta(days=21), scores(3, financien=2))
        cases.append(case)
    reporting_services.rebuild_all()  # (the commits above already refreshed in-process: Celery is eager here)
    before = all_cells()
    fresh = make_case(bram, today - dt.timedelta(days=12))

    queue = f"wijkregie-test-{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "worker.log"
        with tasks_through_redis(os.environ["REDIS_URL"], queue), celery_worker(queue, log_path) as process:
            since = timezone.now()
            measure(cases[0], adults(cases[0])[0], today - dt.timedelta(days=2), scores(4), type="tussenmeting")
            measure(cases[1], adults(cases[1])[0], today - dt.timedelta(days=1), scores(4, financien=1),
                    type="tussenmeting")
            case_services.register_first_contact(actor=Actor(user=bram.user), case=fresh,
                                                 contact_date=today - dt.timedelta(days=1))
            _wait_for_runs(3, since, process, log_path)
            log = log_path.read_text(errors="replace")
        assert "reporting.tasks.refresh_after_measurement" in log and "reporting.tasks.refresh_case" in log
        assert process.returncode is not None, "the worker was left running"

    incremental = all_cells()
    assert incremental != before
    assert RebuildRun.objects.filter(task_id__gt="").count() >= 3  # run by the worker, with its task id
    reporting_services.rebuild_all()
    assert all_cells() == incremental
    assert celery_app.conf.task_always_eager is True
