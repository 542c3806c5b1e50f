"""`make bench`: 50 simulated social workers register and score through the browser forms of a real
server while full aggregate rebuilds run; no request fails and nothing is lost.

The app runs as gunicorn on 127.0.0.1 (config.settings.base: DEBUG off, no HTTPS redirect, two-factor
login off, the pytest database) and, with REDIS_URL, a Celery worker takes the incremental refreshes
from Redis as in production (without REDIS_URL they run in the web process after each commit, so a
request that changes a case or a ZRM waits for a running rebuild: the advisory lock of reporting.services). Each
simulated worker has its own account in a seeded team, logs in through the login form and repeats:
Nieuwe melding for a new household (search by BSN, sometimes a second member, register), the case
page, a ZRM of the first member (vaststellen; or concept, reopened and vastgesteld; or left as
concept), its own dashboard (tests/bench/load.py). Meanwhile this process rebuilds every aggregate
(reporting.services.rebuild_all), back to back, until the load window has passed and at least one
rebuild has finished under load.

Afterwards: no request failed (no 5xx, no unexpected 4xx, no form shown again with errors, no lost
connection); the database grew by exactly what the workers tallied (and holds exactly the case and
measurement ids they saw); the audit log has a row for each of those creations and its hash chain is
intact; every new case and every vastgestelde meting got a successful incremental refresh and no
refresh or rebuild failed; and the stored aggregate cells equal those of a fresh rebuild.

SCALE=tiny|demo|leeuwarden|amsterdam (default leeuwarden; demo/bulk SCALES). Knobs: LOAD_WORKERS (50), LOAD_SECONDS (60),
LOAD_ITERATIONS (per worker, 40), LOAD_MAX_SECONDS (900, hard cap of the load), LOAD_GUNICORN_WORKERS (3,
as docker-compose.yml), LOAD_GUNICORN_THREADS (4), LOAD_DRAIN_SECONDS (600, for the worker's queue).
"""
import os
import threading
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from cases.models import Case, Household, HouseholdMembership, Person, Role, StaffMembership, Team
from common.audit_chain import verify_chain
from common.models import AuditAction, AuditEvent
from common.validators import complete_bsn
from demo import bulk as seed
from reporting import services
from reporting.models import AggregateCell, RebuildKind, RebuildRun, RebuildStatus
from tests.bench.load import SocialWorker, Stats, gunicorn_server, percentile
from zrm.models import Measurement, MeasurementStatus

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _env_int(name, default):
    return int(os.environ.get(name) or default)


WORKERS = _env_int("LOAD_WORKERS", 50)
SECONDS = float(os.environ.get("LOAD_SECONDS") or 60)
MAX_ITERATIONS = _env_int("LOAD_ITERATIONS", 40)
MAX_SECONDS = float(os.environ.get("LOAD_MAX_SECONDS") or 900)
GUNICORN_WORKERS = _env_int("LOAD_GUNICORN_WORKERS", 3)
GUNICORN_THREADS = _env_int("LOAD_GUNICORN_THREADS", 4)
DRAIN_SECONDS = float(os.environ.get("LOAD_DRAIN_SECONDS") or 600)
REBUILD_DELAY = 2.0  # s after the load started: the rebuilds meet a load in full swing
PASSWORD = "belastingproef-alleen-voor-tests"  # noqa: S105 - accounts of this test database only


def _test_database_url() -> str:
    from tests.reporting.test_celery_worker import _test_database_url as url

    return url()


def _counts() -> dict:
    return {
        "households": Household.objects.count(),
        "persons": Person.objects.count(),
        "memberships": HouseholdMembership.objects.count(),
        "cases": Case.objects.count(),
        "measurements": Measurement.objects.count(),
        "finalised": Measurement.objects.filter(status=MeasurementStatus.FINAL).count(),
    }


def _bsns(index: int):
    """Fresh valid BSNs for one simulated worker (prefixes from 60,000,000; the seed uses lower ones)."""
    n = 0
    while True:
        bsn = complete_bsn(f"{60_000_000 + index * 100_000 + n:08d}")
        n += 1
        if bsn:
            yield bsn


def _create_workers(n: int) -> list[StaffMembership]:
    """n social workers spread over the seeded teams, each with a password the server can check."""
    User = get_user_model()
    # The test settings hash with MD5; the server (base settings) knows only the default hashers.
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    teams = list(Team.objects.order_by("pk"))
    users = User.objects.bulk_create([User(username=f"load-sw-{i}", password=hashed, first_name="Proef",
                                           last_name=f"Medewerker {i}") for i in range(n)])
    return StaffMembership.objects.bulk_create([
        StaffMembership(user=user, team=teams[i % len(teams)], role=Role.SOCIAL_WORKER, fte=1)
        for i, user in enumerate(users)])


def _cells() -> set:
    return set(AggregateCell.objects.values_list(
        "scope_kind", "scope_key", "period_kind", "period_start", "indicator", "key1", "key2", "key3", "count",
        "value", "base").iterator(chunk_size=20000))


def _server_env(queue: str | None) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",  # production minus HTTPS-only cookies and 2FA
        "DATABASE_URL": _test_database_url(),
        "DATABASE_CONN_MAX_AGE": "60",  # as docker-compose.yml
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
        "WIJKREGIE_REQUIRE_2FA": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    if queue:
        env["WIJKREGIE_LOAD_QUEUE"] = queue
    else:
        env.pop("REDIS_URL", None)  # tasks run eagerly in the web process
    return env


def _wait_for_refreshes(case_ids, measurement_ids, since, timeout) -> tuple[set, set, float]:
    """Until every case has a successful 'casus gewijzigd' refresh and every vastgestelde meting its
    'ZRM-meting <id>' refresh (or the timeout); returns the ids still missing and the seconds waited."""
    started = time.monotonic()
    while True:
        runs = RebuildRun.objects.filter(kind=RebuildKind.INCREMENTAL, status=RebuildStatus.SUCCESS,
                                         started_at__gte=since).values_list("trigger", "scope")
        refreshed_cases, refreshed_measurements = set(), set()
        for trigger, scope in runs:
            if trigger == "casus gewijzigd":
                refreshed_cases.add(int(scope.split(";")[0].removeprefix("casus ")))
            elif trigger.startswith("ZRM-meting "):
                refreshed_measurements.add(int(trigger.removeprefix("ZRM-meting ")))
        missing_cases = set(case_ids) - refreshed_cases
        missing_measurements = set(measurement_ids) - refreshed_measurements
        waited = time.monotonic() - started
        if not (missing_cases or missing_measurements) or waited > timeout:
            return missing_cases, missing_measurements, waited
        time.sleep(0.5)


def _forget_queue(redis_url: str, queue: str, since) -> None:
    """Remove this test's queue, its bindings and the results of its tasks from Redis (nothing shared)."""
    client = redis.Redis.from_url(redis_url)
    task_ids = RebuildRun.objects.filter(started_at__gte=since).exclude(task_id="").values_list("task_id", flat=True)
    leftovers = client.keys(f"*{queue}*") + [f"celery-task-meta-{task_id}" for task_id in task_ids]
    if leftovers:
        client.delete(*leftovers)
    client.close()


def _log_problems(path: Path) -> list[str]:
    """Lines of the server's or the worker's log that show a failure."""
    if not path.exists():
        return []
    markers = ("Traceback", "WORKER TIMEOUT", "[ERROR]", " ERROR ", "ERROR/", "CRITICAL")
    return [line for line in path.read_text(errors="replace").splitlines() if any(m in line for m in markers)]


def test_fifty_social_workers_register_and_score_while_the_aggregates_rebuild():
    scale = seed.SCALES[os.environ.get("SCALE", "leeuwarden")]
    today = timezone.localdate()
    redis_url = os.environ.get("REDIS_URL")
    lines = [f"Wijkregie load test, scale {scale.name}, PostgreSQL {connection.pg_version // 10000}, "
             f"{os.cpu_count()} CPUs, {today:%Y-%m-%d}"]

    counts = seed.seed(scale, today)
    lines.append(f"seed: {counts['households']:,} households, {counts['cases']:,} cases, "
                 f"{counts['measurements']:,} measurements in {counts['seconds']} s")
    started = time.perf_counter()
    services.rebuild_all(on=today, trigger="belastingtest: vooraf")
    idle_rebuild = time.perf_counter() - started
    staff = _create_workers(WORKERS)
    before = _counts()
    audit_before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    since = timezone.now()

    stats = Stats()
    queue = f"wijkregie-load-{uuid.uuid4().hex[:12]}" if redis_url else None
    rebuilds: list[tuple[float, float, int]] = []  # (start, end, cells), monotonic seconds
    rebuild_errors: list[str] = []
    with TemporaryDirectory() as tmp, ExitStack() as worker_stack, ExitStack() as server_stack:
        server_log, worker_log = Path(tmp) / "gunicorn.log", Path(tmp) / "worker.log"
        if redis_url:
            from tests.reporting.test_celery_worker import celery_worker

            worker_stack.callback(_forget_queue, redis_url, queue, since)
            worker_stack.enter_context(celery_worker(queue, worker_log))
            mode = "by a Celery worker on Redis (its own queue)"
        else:
            mode = "eagerly in the web process after each commit (REDIS_URL unset)"
        base_url, _ = server_stack.enter_context(gunicorn_server(
            _server_env(queue), server_log, workers=GUNICORN_WORKERS, threads=GUNICORN_THREADS))

        workers = [SocialWorker(i, base_url, s.user.username, PASSWORD, seed=2019, bsns=_bsns(i), stats=stats)
                   for i, s in enumerate(staff)]
        # Everybody logs in at once (the morning), through the login form.
        started = time.perf_counter()
        logins = [threading.Thread(target=w.login) for w in workers]
        for t in logins:
            t.start()
        for t in logins:
            t.join()
        login_seconds = time.perf_counter() - started
        signed_in = [w for w in workers if not w.errors]

        go, stop = threading.Event(), threading.Event()
        threads = [threading.Thread(target=w.run, args=(today.isoformat(), go, stop, MAX_ITERATIONS))
                   for w in signed_in]

        def rebuild_under_load():
            try:
                if stop.wait(REBUILD_DELAY):
                    return
                while True:
                    start = time.monotonic()
                    run = services.rebuild_all(on=today, trigger="belastingtest: onder belasting")
                    rebuilds.append((start, time.monotonic(), run.cells_written or 0))
                    if stop.is_set():
                        return
            except Exception as exc:  # recorded and asserted below
                rebuild_errors.append(f"{type(exc).__name__}: {exc}"[:300])
            finally:
                connection.close()  # this thread's own connection

        rebuilder = threading.Thread(target=rebuild_under_load)
        for t in threads:
            t.start()
        load_start = time.monotonic()
        go.set()
        rebuilder.start()
        while True:
            elapsed = time.monotonic() - load_start
            if elapsed >= MAX_SECONDS or not any(t.is_alive() for t in threads) or not rebuilder.is_alive():
                break
            if elapsed >= SECONDS and rebuilds:
                break
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join()
        load_end = time.monotonic()
        rebuilder.join()
        server_stack.close()

        tallies = [w.tally for w in workers]
        case_ids = {c for t in tallies for c in t.cases}
        measurement_ids = {m for t in tallies for m in t.measurements}
        finalised_ids = {m for t in tallies for m in t.finalised}
        # The worker works off its queue (eager mode: done already).
        missing_cases, missing_measurements, drained = _wait_for_refreshes(
            case_ids, finalised_ids, since, DRAIN_SECONDS)
        worker_stack.close()
        server_problems, worker_problems = _log_problems(server_log), _log_problems(worker_log)

    duration = load_end - load_start
    errors = [e for w in workers for e in w.errors]
    expected = {
        "households": sum(t.households for t in tallies),
        "persons": sum(t.persons for t in tallies),
        "memberships": sum(t.persons for t in tallies),
        "cases": sum(len(t.cases) for t in tallies),
        "measurements": sum(len(t.measurements) for t in tallies),
        "finalised": sum(len(t.finalised) for t in tallies),
    }
    after = _counts()
    found = {key: after[key] - before[key] for key in expected}
    users = [s.user_id for s in staff]
    db_case_ids = set(Case.objects.filter(regisseur__in=staff).values_list("pk", flat=True))
    db_measurement_ids = set(Measurement.objects.filter(created_by__in=users).values_list("pk", flat=True))
    db_finalised_ids = set(Measurement.objects.filter(created_by__in=users, status=MeasurementStatus.FINAL)
                           .values_list("pk", flat=True))

    new_audit = AuditEvent.objects.filter(pk__gt=audit_before, user__in=users)
    audit_found = Counter(new_audit.filter(action=AuditAction.CREATE).values_list("object_type", flat=True))
    audit_expected = {"household": expected["households"], "person": expected["persons"],
                      "case": expected["cases"], "measurement": expected["measurements"]}
    audit_final = new_audit.filter(action=AuditAction.UPDATE, object_type="measurement",
                                   purpose="ZRM-meting vastgesteld").count()
    chain = verify_chain()
    chain_checked, chain_broken = chain.sealed, "; ".join(p.message for p in chain.problems) or None

    failed_runs = list(RebuildRun.objects.filter(started_at__gte=since, status=RebuildStatus.FAILED)
                       .values_list("trigger", "error"))
    incremental = RebuildRun.objects.filter(started_at__gte=since, kind=RebuildKind.INCREMENTAL,
                                            status=RebuildStatus.SUCCESS).count()

    stored = _cells()
    started = time.perf_counter()
    services.rebuild_all(on=today, trigger="belastingtest: controle")
    check_rebuild = time.perf_counter() - started
    fresh = _cells()

    total = stats.total()
    first = rebuilds[0] if rebuilds else None
    lines += [
        f"server: gunicorn {GUNICORN_WORKERS} workers x {GUNICORN_THREADS} threads on 127.0.0.1, incremental "
        f"refreshes {mode}",
        f"workers: {len(workers)} simulated social workers ({len(signed_in)} signed in, in {login_seconds:.1f} s), "
        f"browser forms (login, Nieuwe melding, case page, ZRM entry, own dashboard)",
        f"load: {duration:.1f} s, {sum(t.iterations for t in tallies)} iterations, {total:,} requests, "
        f"{stats.between(load_start, load_end) / duration:.1f} req/s",
        f"rebuild idle: {idle_rebuild:.1f} s; under load: {len(rebuilds)} rebuilds, "
        + (f"the first {first[1] - first[0]:.1f} s (while {stats.between(first[0], first[1])} requests completed), "
           f"p50 {percentile([e - s for s, e, _ in rebuilds], 50):.1f} s, "
           f"max {max(e - s for s, e, _ in rebuilds):.1f} s, {first[2]:,} cells" if first else "none finished")
        + (f"; errors: {rebuild_errors}" if rebuild_errors else ""),
        "requests (count, latency, statuses):",
        *stats.lines(),
        f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:20])
        + (f"\n  ... {len(errors) - 20} more" if len(errors) > 20 else ""),
        "created (expected by the workers' tallies / found as database delta): "
        + ", ".join(f"{key} {expected[key]}/{found[key]}" for key in expected),
        f"ids: cases {'same' if db_case_ids == case_ids else 'DIFFERENT'}, measurements "
        f"{'same' if db_measurement_ids == measurement_ids else 'DIFFERENT'}, vastgesteld "
        f"{'same' if db_finalised_ids == finalised_ids else 'DIFFERENT'}",
        "audit rows (expected/found): " + ", ".join(f"create {k} {v}/{audit_found.get(k, 0)}"
                                                   for k, v in audit_expected.items())
        + f", vastgesteld {expected['finalised']}/{audit_final}; chain: {chain_checked:,} rows, "
        + ("intact" if chain_broken is None else f"BROKEN at row {chain_broken}"),
        f"refreshes: {incremental} incremental runs succeeded ({drained:.0f} s waited after the load); "
        f"missing for {len(missing_cases)} cases and "
        f"{len(missing_measurements)} measurements; failed runs: {len(failed_runs)}"
        + "".join(f"\n  {trigger}: {error[:200]}" for trigger, error in failed_runs[:10]),
        f"aggregates after the load equal a fresh rebuild ({check_rebuild:.1f} s): "
        + ("yes" if stored == fresh else f"NO ({len(stored - fresh)} stale, {len(fresh - stored)} missing cells)"),
        f"server log problems: {len(server_problems)}; worker log problems: {len(worker_problems)}"
        + "".join(f"\n  {line[:200]}" for line in (server_problems + worker_problems)[:10]),
    ]
    print("\n" + "\n".join(lines))

    assert len(signed_in) == len(workers), "not every simulated worker could log in"
    assert rebuilds and not rebuild_errors, "no rebuild finished under load"
    assert stats.between(first[0], first[1]) > 0, "the load did not overlap the rebuild"
    assert not errors, f"{len(errors)} requests failed"
    assert expected["cases"] > 0 and found == expected, "the database does not hold what the workers created"
    assert (db_case_ids, db_measurement_ids, db_finalised_ids) == (case_ids, measurement_ids, finalised_ids)
    assert {k: audit_found.get(k, 0) for k in audit_expected} == audit_expected
    assert audit_final == expected["finalised"]
    assert chain_broken is None, "the audit log's hash chain is broken"
    assert not failed_runs, "a refresh or rebuild failed"
    assert not (missing_cases or missing_measurements), "a case or measurement never got its refresh"
    assert stored == fresh, "the aggregates after the load differ from a fresh rebuild"
    assert not server_problems and not worker_problems
