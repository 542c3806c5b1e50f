"""The aggregate indicators, each ONE SELECT statement over the reporting facts (reporting/facts.py).

One module per subdomain: caseload.py (snapshots of open cases, household mix), inflow.py (meldingen,
reopenings, closings), timeliness.py (norms in time), interventions.py (interventions, escalations),
progress.py (ZRM progress); base.py holds the building blocks (Ctx, Spec), registry.py the list of
indicators and their statements, drilldown.py the cases behind a number.

Every statement returns cells: scope_kind, scope_key, period_kind, period_start, indicator,
key1, key2, key3, count, value, base. The nightly rebuild and the incremental update put them
in AggregateCell with INSERT ... SELECT; a dashboard with extra filters (worker, household
type, age group) runs the same SELECTs with those filters added. Only set-based SQL: GROUP BY,
window functions (ROW_NUMBER, COUNT/SUM OVER), EXISTS; PostgreSQL SQL (ratios are double precision
divisions of exact integer sums).

How a statement is built: the raw rows are aggregated once, at the finest grain (team x wijk x
month x keys, or x period for the cases-per-period facts): the fine sums (FineSum); those are
rolled up to months, quarters and years through the day calendar, and to the team, wijk and
all-teams scopes. Every figure is a sum of counts there, so the roll-up is exact; shares and
means are divided only at the end. The nightly rebuild stores the fine sums and rolls the cells
up from them; an incremental update recomputes only the fine sums of the changed case's team and
wijk in the touched months, then rolls up the touched cells. A dashboard with extra filters, and
the benchmark's one-statement reference, compute the fine sums inside the statement. The median
and p90 are not sums: they are ranked per scope, from the facts.

Which period a fact belongs to (a period runs from start_date to end_date, exclusive):

- snapshot indicators (caseload, monitoring, per worker): cases open at the end of the period
  (its last day, or today for the current period), by the director of that day (CasePeriod);
- monitoring: an open case whose plan was vastgesteld on or before that day and that has no
  intervention running that day (the team only keeps an eye on it); every other open case is
  active;
- inflow, first contact, plan within norm, nulmeting on time, reopenings: by melding date;
- follow-up ZRMs: by due date (6/12/18 months after the first nulmeting), on time when an
  effective tussenmeting lies within ZRM_FOLLOWUP_TOLERANCE_DAYS of it; counted once the
  window has passed (or it was done), not for cases closed before it was due;
- household type and category mix: cases open at any time in the period;
- closing reasons: by closing date; escalations: by their date; interventions: the team's
  action date (started: start date; stopped: end date; already running: the melding date);
- ZRM progress (per domain, buckets, categories, per-person means): persons with a follow-up
  whose latest measurement falls in the period; problem clusters and intake: persons whose
  baseline falls in the period.

Median and p90 use the nearest-rank definition: the value at rank ceil(p/100 x n) of the n
values in ascending order (the median of an even count is the lower middle value).
"""
from .base import CELL_COLUMNS, CELLS, FINE_COLUMNS, FS, Ctx, Output, Source, Spec, ratio
from .drilldown import DRILLS, drill_sql, positional
from .registry import (
    INDICATORS,
    Indicator,
    cell_names,
    fine_names,
    fine_statements,
    insert_statement,
    statements,
)

__all__ = [
    "CELLS", "CELL_COLUMNS", "DRILLS", "FINE_COLUMNS", "FS", "INDICATORS", "Ctx", "Indicator", "Output", "Source",
    "Spec", "cell_names", "drill_sql", "fine_names", "fine_statements", "insert_statement", "positional", "ratio",
    "statements",
]
