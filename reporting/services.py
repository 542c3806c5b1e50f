"""Writes of the reporting app: the facts, progress and aggregate tables, nightly and after changes.

Guarantees:
- rebuild_all: everything recomputed in ONE transaction (facts, progress, every aggregate
  cell); when anything fails the transaction rolls back and the previous figures stand. Readers
  keep seeing the old rows until the commit (no TRUNCATE: MVCC).
- refresh_case: after a change to one case (or a measurement of one person in it), that case's
  facts and progress rows are recomputed with the same SQL as the nightly rebuild, and then only
  the cells of the affected team, wijk and all-teams scopes in the affected periods. Running it
  twice, or out of order, gives the same rows: it reads the current registration, never the event.
- Every run is a RebuildRun row (status, duration, error) the beheerder sees in the admin. A run whose
  process died (SIGKILL, out of memory: no _finish, its transaction rolled back) is marked failed as
  "Onderbroken" when its task is delivered again, or by the next full rebuild (_close_interrupted).
- Every run takes one advisory transaction lock, so a nightly rebuild and an
  incremental update never interleave (the unique constraint on cells would refuse it anyway).
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from cases.models import Case, CaseStatus, Escalation, Intervention, Team
from zrm.models import Measurement

from . import facts
from .indicators import (
    CELLS,
    FS,
    INDICATORS,
    Ctx,
    cell_names,
    fine_names,
    fine_statements,
    insert_statement,
    statements,
)
from .models import (
    AggregateCell,
    CaseFact,
    FineSum,
    PeriodKind,
    PersonProgress,
    RebuildKind,
    RebuildRun,
    RebuildStatus,
    ReportDay,
    ReportPeriod,
    TeamCaseCount,
)

logger = logging.getLogger(__name__)

ADVISORY_LOCK = 5_050_505  # "reporting" tables: one writer at a time
RUN_RETENTION_DAYS = 30


def today() -> dt.date:
    return timezone.localdate()


def recount_open_cases(team_ids: list[int] | None = None) -> int:
    """Recount open cases for the given teams (all teams when None), in one query. Idempotent."""
    teams = Team.objects.all() if team_ids is None else Team.objects.filter(pk__in=team_ids)
    counts = teams.annotate(n=Count("cases", filter=~Q(cases__status=CaseStatus.CLOSED))).values_list("pk", "n")
    now = timezone.now()
    with transaction.atomic():
        for team_id, n in counts:
            TeamCaseCount.objects.update_or_create(team_id=team_id, defaults={"open_cases": n, "computed_at": now})
    return len(counts)


# --- Periods --------------------------------------------------------------------------------

def _period_start(kind: str, day: dt.date) -> dt.date:
    if kind == PeriodKind.MONTH:
        return day.replace(day=1)
    if kind == PeriodKind.QUARTER:
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, 1, 1)


STEP = {PeriodKind.MONTH: relativedelta(months=1), PeriodKind.QUARTER: relativedelta(months=3),
        PeriodKind.YEAR: relativedelta(years=1)}


def period_seq(kind: str, start: dt.date) -> int:
    if kind == PeriodKind.MONTH:
        return start.year * 12 + start.month - 1
    if kind == PeriodKind.QUARTER:
        return start.year * 4 + (start.month - 1) // 3
    return start.year


def periods_between(first: dt.date, last: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """(kind, start, end exclusive) of every month, quarter and year overlapping [first, last]."""
    out = []
    for kind in PeriodKind.values:
        start = _period_start(kind, first)
        while start <= last:
            end = start + STEP[kind]
            out.append((kind, start, end))
            start = end
    return out


def ensure_periods(first: dt.date, last: dt.date) -> None:
    """The periods overlapping [first, last] and the calendar of their days, created where missing."""
    existing = set(ReportPeriod.objects.values_list("kind", "start_date"))
    missing = [(kind, start, end) for kind, start, end in periods_between(first, last)
               if (kind, start) not in existing]
    if not missing:
        return
    created = ReportPeriod.objects.bulk_create([
        ReportPeriod(kind=kind, start_date=start, end_date=end, last_day=end - dt.timedelta(days=1),
                     seq=period_seq(kind, start))
        for kind, start, end in missing])
    ReportDay.objects.bulk_create([
        ReportDay(day=period.start_date + dt.timedelta(days=n), period_id=period.pk)
        for period in created for n in range((period.end_date - period.start_date).days)
    ], batch_size=5000)


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _earliest_date(cursor) -> dt.date | None:
    """The first date anything in the registration happened (the first period to compute)."""
    cursor.execute(
        f"SELECT MIN(d) FROM (SELECT MIN(melding_date) AS d FROM {Case._meta.db_table} "
        f"UNION ALL SELECT MIN(date) FROM {Measurement._meta.db_table} "
        f"UNION ALL SELECT MIN(start_date) FROM {Intervention._meta.db_table} "
        f"UNION ALL SELECT MIN(date) FROM {Escalation._meta.db_table}) x", [])
    return _as_date(cursor.fetchone()[0])


def _case_earliest_date(cursor, case_id: int) -> dt.date | None:
    case_id = int(case_id)
    cursor.execute(
        f"SELECT MIN(d) FROM (SELECT melding_date AS d FROM {Case._meta.db_table} WHERE id = {case_id} "
        f"UNION ALL SELECT MIN(date) FROM {Measurement._meta.db_table} WHERE case_id = {case_id} "
        f"UNION ALL SELECT MIN(start_date) FROM {Intervention._meta.db_table} WHERE case_id = {case_id} "
        f"UNION ALL SELECT MIN(end_date) FROM {Intervention._meta.db_table} WHERE case_id = {case_id} "
        f"UNION ALL SELECT MIN(date) FROM {Escalation._meta.db_table} WHERE case_id = {case_id}) x", [])
    return _as_date(cursor.fetchone()[0])


# --- Runs -------------------------------------------------------------------------------------

def tune_transaction(cursor) -> None:
    """For the current transaction: no JIT (compiling these one-off aggregate statements costs more than it
    saves, seconds per statement) and enough memory to sort and hash in memory."""
    cursor.execute("SET LOCAL jit = off", [])
    cursor.execute("SET LOCAL work_mem = '64MB'", [])


def _lock(cursor) -> None:
    """One writer at a time, and planner settings for big set-based statements (this transaction only)."""
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
    tune_transaction(cursor)


INTERRUPTED_REDELIVERED = "Onderbroken: de worker stopte tijdens deze berekening (opnieuw aangeboden)"
INTERRUPTED_STALE = "Onderbroken: na {hours} uur nog niet afgerond; de worker stopte tijdens deze berekening"
# No run is still alive after this long: every task's hard time limit ends it sooner (rebuild_aggregates 25
# minutes, CELERY_TASK_TIME_LIMIT 30 by default). Not below the broker's visibility timeout (settings/base.py).
STALE_RUN_AFTER = dt.timedelta(hours=1)


def _close_interrupted(kind: str, task_id: str) -> int:
    """Mark runs left "running" by an attempt whose process died as failed, so that the beheerder does not
    see them running forever; returns the highest attempt recorded for `task_id` (0: none).

    - The same Celery task id starting again: the broker delivered its message again because the worker
      was lost (acks_late with task_reject_on_worker_lost, or the visibility timeout), so the earlier
      delivery no longer runs.
    - A new full rebuild: runs started more than STALE_RUN_AFTER ago (a run still waiting for the lock
      is younger). Should one still finish after all, _finish records its real outcome.
    """
    running = RebuildRun.objects.filter(status=RebuildStatus.RUNNING)
    now = timezone.now()
    previous = 0
    if task_id:
        previous = RebuildRun.objects.filter(task_id=task_id).aggregate(m=Max("attempt"))["m"] or 0
        running.filter(task_id=task_id).update(status=RebuildStatus.FAILED, finished_at=now,
                                               error=INTERRUPTED_REDELIVERED)
    if kind == RebuildKind.FULL:
        hours = STALE_RUN_AFTER.total_seconds() / 3600
        running.filter(started_at__lt=now - STALE_RUN_AFTER).update(
            status=RebuildStatus.FAILED, finished_at=now, error=INTERRUPTED_STALE.format(hours=f"{hours:g}"))
    return previous


def _start(kind: str, trigger: str, scope: str, task_id: str, attempt: int) -> RebuildRun:
    # A delivery after an interrupted one counts as the next attempt (a Celery retry already does).
    attempt = max(attempt, _close_interrupted(kind, task_id) + 1)
    return RebuildRun.objects.create(kind=kind, trigger=trigger[:100], scope=scope[:500], task_id=task_id or "",
                                     attempt=attempt)


def _finish(run: RebuildRun, started: float, *, cells: int | None = None, error: BaseException | None = None):
    run.finished_at = timezone.now()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    if error is None:
        run.status, run.cells_written = RebuildStatus.SUCCESS, cells
    else:
        # The message names tables and ids, never personal data; the traceback goes to the worker log.
        run.status, run.error = RebuildStatus.FAILED, f"{type(error).__name__}: {error}"[:4000]
    RebuildRun.objects.filter(pk=run.pk).update(
        status=run.status, finished_at=run.finished_at, duration_ms=run.duration_ms, cells_written=run.cells_written,
        error=run.error,
    )
    return run


def _analyze(cursor, *tables: str) -> None:
    """Fresh statistics for tables just rebuilt in this transaction, so the next statements are planned for
    their real size (without it the planner takes them for empty and picks slow joins)."""
    cursor.execute(f"ANALYZE {', '.join(tables)}", [])


def _insert_fine(cursor, ctx_factory, only=None) -> None:
    for insert, params in fine_statements(ctx_factory, only):
        cursor.execute(insert, params)


def _insert_cells(cursor, ctx_factory, only=None) -> int:
    written = 0
    for select, params in statements(ctx_factory, only):
        cursor.execute(insert_statement(select), params)
        written += max(cursor.rowcount, 0)
    return written


# --- Nightly: everything ------------------------------------------------------------------

def rebuild_all(*, on: dt.date | None = None, trigger: str = "nachtelijk", task_id: str = "",
                attempt: int = 1) -> RebuildRun:
    """Recompute every fact, progress row and aggregate cell in one transaction (see module docstring).
    Raises when it fails, after recording the failure; the previous figures are untouched then."""
    on = on or today()
    run = _start(RebuildKind.FULL, trigger, "alle teams, wijken en perioden", task_id, attempt)
    started = time.monotonic()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _lock(cursor)
            ensure_periods(_earliest_date(cursor) or on, on)
            facts.delete_progress(cursor)
            facts.delete_case_periods(cursor)
            facts.delete_case_facts(cursor)
            facts.insert_case_facts(cursor)
            _analyze(cursor, facts.CF, ReportDay._meta.db_table, facts.RP)
            facts.insert_progress(cursor, analyze=lambda table: _analyze(cursor, table))
            facts.update_case_categories(cursor)
            facts.insert_case_periods(cursor, on)
            _analyze(cursor, facts.DP, facts.CP, facts.PP, facts.CF)
            cursor.execute(f"DELETE FROM {FS}", [])
            _insert_fine(cursor, lambda: Ctx(today=on))
            _analyze(cursor, FS)
            cursor.execute(f"DELETE FROM {CELLS}", [])
            written = _insert_cells(cursor, lambda: Ctx(today=on, stored=True))
    except BaseException as exc:
        _finish(run, started, error=exc)
        logger.exception("reporting rebuild %s failed", run.pk)
        raise
    RebuildRun.objects.filter(status=RebuildStatus.SUCCESS, kind=RebuildKind.INCREMENTAL,
                              started_at__lt=timezone.now() - dt.timedelta(days=RUN_RETENTION_DAYS)).delete()
    return _finish(run, started, cells=written)


# --- After a change: one case -----------------------------------------------------------------

PROGRESS_IDENTITY = ("team_id", "wijk", "regisseur_id", "household_type", "age_group", "baseline_measurement_id",
                     "baseline_date")


def _progress_rows(case_id: int, person_id: int | None) -> dict[int, dict]:
    qs = PersonProgress.objects.filter(case_id=case_id)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    return {row["person_id"]: row for row in qs.values("person_id", *PROGRESS_IDENTITY, "latest_measurement_id",
                                                         "latest_date", "measurement_count")}


def _progress_dates(old: dict[int, dict], new: dict[int, dict]) -> list[dt.date]:
    """The dates whose periods a change of progress rows touches: a row added, removed or moved to other
    cuts: its baseline and latest dates; only a new latest measurement: the old and new latest dates."""
    dates = []
    for person in set(old) | set(new):
        before, after = old.get(person), new.get(person)
        if before == after:
            continue
        rows = [row for row in (before, after) if row]
        if before and after and all(before[k] == after[k] for k in PROGRESS_IDENTITY):
            dates += [row["latest_date"] for row in rows]
        else:
            dates += [row[k] for row in rows for k in ("baseline_date", "latest_date")]
    return dates


def _fact_row(case_id: int) -> dict | None:
    return CaseFact.objects.filter(case_id=case_id).values().first()


def _periods_overlapping(ranges: Iterable[tuple[dt.date, dt.date]], on: dt.date) -> list[ReportPeriod]:
    ranges = [(start, min(end, on)) for start, end in ranges if start is not None and start <= on]
    if not ranges:
        return []
    condition = Q()
    for start, end in ranges:
        condition |= Q(start_date__lte=end, end_date__gt=start)
    return list(ReportPeriod.objects.filter(condition, start_date__lte=on))


def refresh_case(case_id: int, *, person_id: int | None = None, whole_case: bool = True,
                 dates: Iterable[dt.date] = (), on: dt.date | None = None, trigger: str = "",
                 task_id: str = "", attempt: int = 1) -> RebuildRun:
    """Recompute one case's facts and progress (one person's when given), then the affected cells.

    Affected periods: with `whole_case`, every period from the case's first related date to
    today (a case change can move any of its figures); otherwise the periods of the old and new
    baseline and latest dates of the recomputed progress rows, the periods around `dates`
    (measurement dates, +- the follow-up tolerance), and the whole case when its facts changed.
    """
    on = on or today()
    tolerance = dt.timedelta(days=settings.WIJKREGIE["ZRM_FOLLOWUP_TOLERANCE_DAYS"])
    scope = f"casus {int(case_id)}" + (f", persoon {int(person_id)}" if person_id else "")
    run = _start(RebuildKind.INCREMENTAL, trigger, scope, task_id, attempt)
    started = time.monotonic()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _lock(cursor)
            cases = [case_id]
            persons = None if person_id is None else [person_id]
            old_fact, old_progress = _fact_row(case_id), _progress_rows(case_id, person_id)
            facts.delete_progress(cursor, cases, persons)
            facts.delete_case_periods(cursor, cases)
            facts.delete_case_facts(cursor, cases)
            facts.insert_case_facts(cursor, cases)
            facts.insert_progress(cursor, cases, persons)
            facts.update_case_categories(cursor, cases)
            new_fact, new_progress = _fact_row(case_id), _progress_rows(case_id, person_id)

            ranges: list[tuple[dt.date, dt.date]] = []
            whole_case = whole_case or old_fact != new_fact
            if whole_case:
                first = _case_earliest_date(cursor, case_id)
                if first is not None:
                    ranges.append((first, on))
            ranges += [(day, day) for day in _progress_dates(old_progress, new_progress)]
            ranges += [(day - tolerance, day + tolerance) for day in dates if day is not None]
            ensure_periods(min([start for start, _ in ranges] + [on]), on)
            facts.insert_case_periods(cursor, on, cases)
            periods = _periods_overlapping(ranges, on)

            rows = [row for row in (old_fact, new_fact) if row] + [*old_progress.values(), *new_progress.values()]
            team_ids = sorted({row["team_id"] for row in rows})
            wijken = sorted({row["wijk"] for row in rows})
            # A measurement that left the case's facts alone changes only the ZRM progress figures.
            only = None if whole_case else [i for i in INDICATORS if i.progress_only]
            written = 0
            if periods and team_ids:
                period_q = Q()
                for period in periods:
                    period_q |= Q(period_kind=period.kind, period_start=period.start_date)
                scope_q = (Q(scope_kind="team", scope_key__in=[str(t) for t in team_ids])
                           | Q(scope_kind="wijk", scope_key__in=wijken) | Q(scope_kind="all"))
                ids = [period.pk for period in periods]
                span = (min(p.start_date for p in periods), max(p.end_date for p in periods))
                # The fine sums of this case's team and wijk in the touched months and periods, then the cells.
                pairs = sorted({(row["team_id"], row["wijk"]) for row in rows})
                pair_q = Q()
                for team, wijk in pairs:
                    pair_q |= Q(team_id=team, wijk=wijk)
                FineSum.objects.filter(pair_q, indicator__in=fine_names(only), period_id__in=ids).delete()
                _insert_fine(cursor, lambda: Ctx(today=on, fine_pairs=pairs, fine_period_ids=ids, date_range=span),
                             only)
                cells = AggregateCell.objects.filter(scope_q).filter(period_q)
                if only is not None:
                    cells = cells.filter(indicator__in=cell_names(only))
                cells.delete()
                written = _insert_cells(cursor, lambda: Ctx(today=on, stored=True, period_ids=ids,
                                                            team_ids=team_ids, wijken=wijken), only)
            RebuildRun.objects.filter(pk=run.pk).update(scope=f"{scope}; {len(periods)} perioden"[:500])
    except BaseException as exc:
        _finish(run, started, error=exc)
        logger.exception("reporting refresh %s failed", run.pk)
        raise
    return _finish(run, started, cells=written)


def refresh_after_measurement(measurement_id: int, **kwargs) -> RebuildRun | None:
    """A measurement was vastgesteld (or corrected): that person's progress in that case, and what follows."""
    row = (Measurement.objects.filter(pk=measurement_id)
           .values("case_id", "person_id", "date", "supersedes__date").first())
    if row is None:
        return None
    return refresh_case(row["case_id"], person_id=row["person_id"], whole_case=False,
                        dates=[row["date"], row["supersedes__date"]], trigger=f"ZRM-meting {int(measurement_id)}",
                        **kwargs)
