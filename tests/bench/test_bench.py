"""`make bench`: a Leeuwarden-scale data set in PostgreSQL, and the progress engine's figures.

Prints: the seed (sizes, seconds); the full aggregate rebuild time; the same cells by one raw SQL
statement (tests/bench/reference.py) and the ratio; the incremental update latency (a measurement
vastgesteld -> its aggregates updated by a Celery worker on Redis when REDIS_URL is set, else
in-process); and dashboard response times (p50/p95 over repeated requests) with their query counts.

SCALE=tiny|demo|leeuwarden|amsterdam (default leeuwarden). Needs DATABASE_URL to PostgreSQL.
"""
import datetime as dt
import os
import resource
import statistics
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseStatus, Role, StaffMembership
from common.audit import Actor
from common.models import Scope
from common.services import create_api_client
from zrm.imports import import_registrations
from demo import bulk as bulk_demo
from reporting import services
from reporting.models import AggregateCell, RebuildRun, RebuildStatus
from reporting.services import tune_transaction
from tests.bench import reference
from tests.cases import import_files
from zrm import services as zrm_services
from zrm.models import InstrumentVersion, Measurement

pytestmark = [pytest.mark.bench, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REQUESTS = 20
LATENCY_SAMPLES = 5
IMPORT_HOUSEHOLDS = 4000  # 20,000 rows


def _percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, -(-p * len(ordered) // 100) - 1)]  # nearest rank, as the dashboards


class _Lines(list):
    """The report, printed line by line as it is measured (a failure later still shows what came before)."""

    def append(self, line):
        super().append(line)
        print(("\n" if len(self) == 1 else "") + line, flush=True)


def _postgres_temp_bytes() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0] or 0


def _time_page(client, url, n=REQUESTS, **headers):
    client.get(url, **headers)  # warm
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    query_count = len(queries.captured_queries)  # now: the log is reset by the next request
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        client.get(url, **headers)
        times.append((time.perf_counter() - started) * 1000)
    return _percentile(times, 50), _percentile(times, 95), query_count


def _cells_from_reference(rows):
    return {(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], None if r[9] is None else round(float(r[9]), 9),
             r[10]) for r in rows}


def _stored_cells():
    return {(c.scope_kind, c.scope_key, c.period_kind, c.period_start, c.indicator, c.key1, c.key2, c.key3, c.count,
             None if c.value is None else round(c.value, 9), c.base)
            for c in AggregateCell.objects.all().iterator(chunk_size=20000)}


def _measure_next(case: Case, today: dt.date) -> Measurement:
    person = Measurement.objects.filter(case=case).order_by("-date").values_list("person_id", flat=True).first()
    last = Measurement.objects.filter(case=case, person_id=person).order_by("-date").first()
    scores = {s.domain.code: min(5, (s.score or 3) + 1) for s in last.scores.select_related("domain")}
    version = InstrumentVersion.objects.get(code="zrm-2017")
    if last.version_id != version.pk:
        scores = {code: 4 for code in version.domains.values_list("code", flat=True)}
    return zrm_services.record_measurement(
        actor=Actor(user=case.regisseur.user), case=case, person=last.person, date=today, type="tussenmeting",
        scores=scores, version=version, assessor=case.regisseur, finalise=True).measurement


def _latency(cases, today, wait):
    latencies, durations = [], []
    for case in cases:
        started = time.perf_counter()
        measurement = _measure_next(case, today)
        run = wait(f"ZRM-meting {measurement.pk}")
        latencies.append((time.perf_counter() - started) * 1000)
        durations.append(run.duration_ms)
    return latencies, durations


def _wait_for_run(trigger, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = RebuildRun.objects.filter(trigger=trigger).exclude(status=RebuildStatus.RUNNING).first()
        if run is not None:
            assert run.status == RebuildStatus.SUCCESS, run.error
            return run
        time.sleep(0.02)
    raise AssertionError(f"no refresh for {trigger} within {timeout} s")


def _import_benchmark(lines, leader, today):
    """A migration file (households, persons, cases, vastgestelde measurements, trajectories) through the
    import service, as `manage.py import_registrations` runs it: rows per second (target >= 2,000)."""
    data = import_files.dataset(team=leader.team.name, regisseur=leader.user.username, households=IMPORT_HOUSEHOLDS,
                                prefix="BENCH", bsn_start=60_000_000, today=today)
    with tempfile.TemporaryDirectory() as tmp:
        path = import_files.write_csv_folder(data, Path(tmp) / "import")
        started = time.perf_counter()
        summary = import_registrations(path, actor=Actor(user=None, client="bench:import_registrations"))
        elapsed = time.perf_counter() - started
    assert summary.written, "the benchmark's import file was rejected"
    per_sheet = ", ".join(f"{name} {sheet.created:,}" for name, sheet in summary.sheets.items())
    lines.append(f"bulk import (one transaction, validated first): {summary.rows:,} rows in {elapsed:.1f} s = "
                 f"{summary.rows / elapsed:,.0f} rows/s ({per_sheet})")


def test_progress_engine_benchmark(client):
    scale = bulk_demo.SCALES[os.environ.get("SCALE", "leeuwarden")]
    today = timezone.localdate()
    lines = _Lines()
    lines.append(f"Wijkregie benchmark, scale {scale.name}, PostgreSQL {connection.pg_version // 10000}, "
                 f"{os.cpu_count()} CPUs, {today:%Y-%m-%d}")

    counts = bulk_demo.seed(scale, today)
    lines.append(
        f"seed: {counts['teams']} teams, {counts['fte']} fte, {counts['households']:,} households, "
        f"{counts['persons']:,} persons, {counts['cases']:,} cases ({counts['open_cases']:,} open), "
        f"{counts['measurements']:,} measurements ({counts['scores']:,} scores), "
        f"{counts['interventions']:,} interventions, {counts['plans']:,} plans, {counts['escalations']:,} "
        f"escalations in {counts['seconds']} s")

    temp_before = _postgres_temp_bytes()
    tracemalloc.start()
    started = time.perf_counter()
    run = services.rebuild_all(on=today)
    rebuild = time.perf_counter() - started
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    lines.append(f"full rebuild: {rebuild:.1f} s, {run.cells_written:,} cells "
                 f"(facts, progress of every person, all teams x wijken x months/quarters/years)")
    lines.append(f"rebuild memory: Python peak {python_peak / 2**20:.1f} MiB (tracemalloc; the work is set-based SQL), "
                 f"bench process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB, "
                 f"PostgreSQL temporary files {(_postgres_temp_bytes() - temp_before) / 2**20:.0f} MiB "
                 f"(work_mem 64MB per sort/hash)")

    sql_text = reference.reference_sql(today)
    with transaction.atomic(), connection.cursor() as cursor:
        tune_transaction(cursor)  # the same planner settings as the rebuild
        started = time.perf_counter()
        cursor.execute(sql_text, [])
        rows = cursor.fetchall()
        ref_seconds = time.perf_counter() - started
    same = _cells_from_reference(rows) == _stored_cells()
    lines.append(f"reference (one raw SQL statement, same cells): {ref_seconds:.1f} s, {len(rows):,} rows, "
                 f"identical: {'yes' if same else 'NO'}; ratio rebuild/reference: {rebuild / ref_seconds:.2f}")
    assert same, "the rebuild and the reference disagree"

    sample = list(Case.objects.exclude(status=CaseStatus.CLOSED).filter(
        zrm_measurements__isnull=False).distinct().order_by("pk")[:LATENCY_SAMPLES])
    if os.environ.get("REDIS_URL"):
        from tests.reporting.test_celery_worker import celery_worker, tasks_through_redis

        queue = f"wijkregie-bench-{uuid.uuid4().hex[:12]}"
        with tempfile.TemporaryDirectory() as tmp, tasks_through_redis(os.environ["REDIS_URL"], queue), \
                celery_worker(queue, Path(tmp) / "worker.log"):
            time.sleep(3)  # the worker's start-up is not part of the latency
            latencies, durations = _latency(sample, today, _wait_for_run)
        mode = "through a Celery worker on Redis"
    else:
        latencies, durations = _latency(sample, today, _wait_for_run)
        mode = "in-process (REDIS_URL unset)"
    lines.append(f"incremental update {mode}: finalise -> aggregates updated p50 {statistics.median(latencies):.0f} ms,"
                 f" max {max(latencies):.0f} ms (the refresh itself p50 {statistics.median(durations):.0f} ms; "
                 f"{len(latencies)} measurements)")

    leader = StaffMembership.objects.filter(role=Role.TEAM_LEADER).order_by("team_id").first()
    worker = StaffMembership.objects.filter(role=Role.SOCIAL_WORKER, team=leader.team).first()
    gemeente = StaffMembership.objects.create(user=type(leader.user).objects.create(username="bench-gemeente"),
                                              role=Role.MUNICIPALITY, team=None)
    pages = [
        ("team dashboard (stored cells)", leader, reverse("reporting:team_dashboard")),
        ("team dashboard, worker filter (live SQL)", leader,
         reverse("reporting:team_dashboard") + f"?medewerker={worker.pk}"),
        ("drill-down: open cases", leader, reverse("reporting:drilldown") + "?indicator=caseload"),
        ("gemeente dashboard", gemeente, reverse("reporting:municipality")),
        ("my dashboard (social worker)", worker, reverse("reporting:my_dashboard")),
    ]
    open_in_team = Case.objects.filter(team=leader.team).exclude(status=CaseStatus.CLOSED).count()
    lines.append(f"dashboards ({REQUESTS} requests each; the team has {open_in_team:,} open cases; target p95 "
                 f"<= 300 ms):")
    for label, staff, url in pages:
        client.force_login(staff.user)
        p50, p95, queries = _time_page(client, url)
        lines.append(f"  {label}: p50 {p50:.0f} ms, p95 {p95:.0f} ms, {queries} queries")

    case = (Case.objects.filter(regisseur=worker).exclude(status=CaseStatus.CLOSED)
            .filter(zrm_measurements__isnull=False).order_by("pk").first())
    mine = Case.objects.filter(regisseur=worker).exclude(status=CaseStatus.CLOSED).count()
    period = timezone.localdate().replace(month=1, day=1)
    _, token = create_api_client(name="bench-gemeente", scopes=[Scope.AGGREGATES_READ])
    lines.append(f"pages and API ({REQUESTS} requests each; the social worker has {mine} open cases, the case "
                 f"{case.zrm_measurements.count()} measurements; target p95 <= 150 ms):")
    endpoints = [
        ("Mijn caseload", worker, reverse("cases:my_caseload"), {}),
        ("case page", worker, reverse("cases:case_detail", args=[case.pk]), {}),
        ("ZRM history of a person", worker, reverse("zrm:person_history", args=[
            case.pk, case.zrm_measurements.values_list("person_id", flat=True).first()]), {}),
        ("API GET /casussen (staff session)", worker, "/api/v1/casussen", {}),
        ("API GET /casussen/{id}", worker, f"/api/v1/casussen/{case.pk}", {}),
        ("API GET /casussen/{id}/zrm-metingen", worker, f"/api/v1/casussen/{case.pk}/zrm-metingen", {}),
        ("API GET /huishoudens", worker, "/api/v1/huishoudens", {}),
        ("API GET /aggregaten, a year, all teams (token)", None,
         f"/api/v1/aggregaten?periodKind=year&periodStart={period:%Y-%m-%d}", {"HTTP_AUTHORIZATION": f"Bearer {token}"}),
        ("API GET /aggregaten/perioden (token)", None, "/api/v1/aggregaten/perioden",
         {"HTTP_AUTHORIZATION": f"Bearer {token}"}),
    ]
    for label, staff, url, headers in endpoints:
        client.logout()
        if staff is not None:
            client.force_login(staff.user)
        p50, p95, queries = _time_page(client, url, **headers)
        lines.append(f"  {label}: p50 {p50:.0f} ms, p95 {p95:.0f} ms, {queries} queries")

    _import_benchmark(lines, leader, today)
