"""A worker killed in the middle of the nightly aggregate rebuild: the task comes back and the figures are right.

Issue 8: tasks are idempotent and acknowledged late (reporting/tasks.py; config/settings/base.py:
task_acks_late, task_reject_on_worker_lost, prefetch 1). A real prefork worker on Redis runs
rebuild_aggregates over a bulk data set. While its pool process is deep in the rebuild's transaction
(the old cells deleted, new ones being inserted) it gets SIGKILL. The worker's main process sees its child
die and puts the message back on the queue; a new pool process runs the task again, and the stored rows
equal those of a clean rebuild_all done afterwards. Meanwhile readers keep seeing the previous figures,
never a half-written table, and the killed attempt's RebuildRun does not stay "running".

The process killed is shown to be the one running the task: the only pool child of the worker, owning the
database connection that holds the rebuild's advisory lock while that task's RebuildRun is running (found
through /proc: Linux), and Celery's log names it as the process lost.

Skipped (with the reason, see tests/conftest.py) unless DATABASE_URL points to PostgreSQL and REDIS_URL is set.
"""
import datetime as dt
import os
import signal
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from celery.result import EagerResult
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from demo import bulk
from reporting import services
from reporting.models import AggregateCell, CaseFact, DomainProgress, PersonProgress, RebuildRun, RebuildStatus
from reporting.tasks import rebuild_aggregates
from tests.reporting.factories import all_cells
from tests.reporting.test_celery_worker import _log_tail, celery_worker, tasks_through_redis

WAIT_SECONDS = 120
POLL_SECONDS = 0.02
INSERT_CELLS = f"INSERT INTO {AggregateCell._meta.db_table} "

# The session holding the rebuild's advisory lock (a bigint key: its high half in classid, low half in objid).
LOCK_HOLDER = """
    SELECT a.pid, a.client_port, a.query
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid = %s AND l.objid = %s
      AND a.datname = current_database()
"""


def _lock_holder() -> tuple[int, int, str] | None:
    with connection.cursor() as cursor:
        cursor.execute(LOCK_HOLDER, [services.ADVISORY_LOCK >> 32, services.ADVISORY_LOCK & 0xFFFFFFFF])
        return cursor.fetchone()


def _children(parent: int) -> list[int]:
    """The processes whose parent is `parent` (from /proc/<pid>/stat: the fields after the command name)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[1]) == parent:
            children.append(int(stat.parent.name))
    return children


def _owner_of_local_port(pids: list[int], port: int) -> int | None:
    """Which of `pids` has the TCP socket with local port `port` open (the client end of a database session)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            columns = line.split()
            if int(columns[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{columns[9]}]")
    for pid in pids:
        try:
            descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in descriptors:
            try:
                if os.readlink(fd) in inodes:
                    return pid
            except OSError:
                continue
    return None


def _pool_process_inserting_cells(task_id: str, worker, log_path: Path) -> int:
    """Wait until the task's rebuild is in its cells phase; the pid of the pool process running it."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        assert worker.poll() is None, f"the worker stopped:\n{_log_tail(log_path)}"
        assert time.monotonic() < deadline, f"the rebuild did not start within {WAIT_SECONDS} s:\n{_log_tail(log_path)}"
        runs = list(RebuildRun.objects.filter(task_id=task_id).values_list("status", flat=True))
        assert runs in ([], [RebuildStatus.RUNNING]), f"the rebuild ended before it was interrupted: {runs}"
        holder = _lock_holder()
        if runs and holder and holder[2].lstrip().startswith(INSERT_CELLS):
            children = _children(worker.pid)
            assert len(children) == 1, f"expected one pool process (concurrency 1), found {children}"
            if holder[1] == -1:  # a Unix socket (the embedded server) has no port to match; one pool process
                return children[0]
            owner = _owner_of_local_port(children, holder[1])
            assert owner == children[0], (
                f"the session holding the rebuild lock (port {holder[1]}) is not the pool process {children}")
            return owner
        time.sleep(POLL_SECONDS)


def _wait_until_ready(result, worker, log_path: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not result.ready():
        assert worker.poll() is None, f"the worker stopped:\n{_log_tail(log_path)}"
        assert time.monotonic() < deadline, f"no result within {WAIT_SECONDS} s:\n{_log_tail(log_path)}"
        time.sleep(0.25)


def _rows(model) -> Counter:
    """Every row of a derived table without its serial id (a rebuild renumbers them)."""
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
    return Counter(model.objects.values_list(*fields))


def _stored() -> dict:
    return {"cells": all_cells(), "facts": _rows(CaseFact), "progress": _rows(PersonProgress),
            "domains": _rows(DomainProgress)}


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # code lists and ZRM versions from migrations
def test_rebuild_killed_mid_transaction_is_delivered_again_and_equals_a_clean_rebuild():
    today = timezone.localdate()
    bulk.seed(bulk.SCALES["tiny"], today)  # a rebuild of a few seconds
    # The figures as a rebuild of 45 days ago left them: the worker's rebuild has to replace every one.
    services.rebuild_all(on=today - dt.timedelta(days=45), trigger="test: oude stand")
    before = all_cells()
    assert before

    queue = f"wijkregie-test-{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "worker.log"
        victim = None
        try:
            with tasks_through_redis(os.environ["REDIS_URL"], queue), \
                    celery_worker(queue, log_path, pool="prefork") as worker:
                result = rebuild_aggregates.delay("test: worker gestopt")
                assert not isinstance(result, EagerResult), "the task ran in-process instead of through Redis"

                victim = _pool_process_inserting_cells(result.id, worker, log_path)
                # Its transaction has deleted every old cell and is inserting new ones: readers see the old ones.
                assert AggregateCell.objects.count() == len(before)
                os.kill(victim, signal.SIGKILL)
                # Nothing of the killed attempt is visible (and the redelivery has not committed yet: its
                # figures differ from these, as asserted below).
                assert all_cells() == before

                _wait_until_ready(result, worker, log_path)
                assert result.successful(), f"{result.result!r}\n{_log_tail(log_path)}"
                cells_written = result.result  # (not result.get(): see test_celery_worker)
                assert cells_written > 0
                result.forget()
                log = log_path.read_text(errors="replace")
            assert worker.returncode is not None, "the worker was left running"
        finally:
            if victim is not None:  # SIGKILL is not ignored; this only guards against a kill that never came
                try:
                    os.kill(victim, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    # The worker lost its pool process, and the message was delivered again to a new one.
    assert f"pid:{victim} exited with 'signal 9 (SIGKILL)'" in log, log[-3000:]
    assert log.count(f"Task reporting.tasks.rebuild_aggregates[{result.id}] received") == 2, log[-3000:]
    assert f"Task reporting.tasks.rebuild_aggregates[{result.id}] succeeded" in log

    # The killed attempt's run no longer shows as running: the redelivery marked it interrupted.
    killed, redelivered = RebuildRun.objects.filter(task_id=result.id).order_by("started_at", "pk")
    assert killed.status == RebuildStatus.FAILED
    assert killed.error == services.INTERRUPTED_REDELIVERED
    assert killed.finished_at is not None and killed.finished_at <= redelivered.started_at
    assert redelivered.status == RebuildStatus.SUCCESS and redelivered.cells_written == cells_written
    assert (killed.attempt, redelivered.attempt) == (1, 2)
    assert not RebuildRun.objects.filter(status=RebuildStatus.RUNNING).exists()

    # The figures the redelivered task stored are exactly those of a clean rebuild now.
    from_worker = _stored()
    assert from_worker["cells"] != before  # (so the reads above were of the old figures, before the commit)
    assert len(from_worker["cells"]) == redelivered.cells_written
    services.rebuild_all(trigger="test: schone herberekening")
    clean = _stored()
    for table in from_worker:
        assert from_worker[table] == clean[table], table
    assert celery_app.conf.task_always_eager is True
