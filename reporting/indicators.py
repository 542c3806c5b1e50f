"""The aggregate indicators, each ONE SELECT statement over the reporting facts (reporting/facts.py).

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
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings

from cases.models import ClosureReason, Escalation, Intervention, InterventionType, MeldingSource, Role, StaffMembership
from zrm.models import Domain, InstrumentVersion, Measurement

from .facts import CF, CP, DP, PP, effective, int_list
from .models import AggregateCell, FineSum, PeriodKind, ReportDay, ReportPeriod

RP = ReportPeriod._meta.db_table
RD = ReportDay._meta.db_table
CELLS = AggregateCell._meta.db_table
FS = FineSum._meta.db_table
SUM_COLUMNS = [f"s{i}" for i in range(1, 10)]
FINE_COLUMNS = "indicator, team_id, wijk, period_id, key1, key2, key3, " + ", ".join(SUM_COLUMNS)
SM = StaffMembership._meta.db_table
INT = Intervention._meta.db_table
ITYPE = InterventionType._meta.db_table
ESC = Escalation._meta.db_table
SRC = MeldingSource._meta.db_table
REASON = ClosureReason._meta.db_table
M = Measurement._meta.db_table
D = Domain._meta.db_table
V = InstrumentVersion._meta.db_table

CELL_COLUMNS = "scope_kind, scope_key, period_kind, period_start, indicator, key1, key2, key3, count, value, base"
ALL_SCOPES = ("team", "wijk", "all")
NO_VALUE = "CAST(NULL AS DOUBLE PRECISION)"
NO_BASE = "CAST(NULL AS INTEGER)"
UNKNOWN = "onbekend"


@dataclass
class Ctx:
    """What to compute: scope kinds, optionally restricted to keys, periods and filters."""

    today: dt.date
    scopes: tuple[str, ...] = ALL_SCOPES
    period_ids: list[int] | None = None
    period: tuple[str, dt.date] | None = None
    date_range: tuple[dt.date, dt.date] | None = None  # raw rows: [from, to) covering the periods asked for
    team_ids: list[int] | None = None  # the team scope's keys
    wijken: list[str] | None = None  # the wijk scope's keys
    worker_id: int | None = None
    household_type: str | None = None
    age_group: str | None = None
    stored: bool = False  # roll cells up from the FineSum table (else: fine sums computed in the statement)
    fine_pairs: list[tuple[int, str]] | None = None  # recompute fine sums of these (team, wijk) only
    fine_period_ids: list[int] | None = None  # ... and of these months / periods only
    params: dict = field(default_factory=dict)

    @property
    def today_sql(self) -> str:
        return f"DATE '{self.today.isoformat()}'"

    def param(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"

    def only(self, scope: str) -> bool:
        return tuple(self.scopes) == (scope,)


# --- Building blocks ------------------------------------------------------------------------

def _filters(ctx: Ctx, a: str, *, person: bool = False, worker: bool = True) -> list[str]:
    """Conditions on a fact alias (CaseFact, PersonProgress or a derived row with the same columns)."""
    conds = []
    if ctx.team_ids is not None and ctx.only("team"):
        conds.append(f"{a}.team_id IN ({int_list(ctx.team_ids)})")
    if ctx.wijken is not None and ctx.only("wijk"):
        conds.append(f"{a}.wijk IN ({', '.join(ctx.param(w) for w in ctx.wijken) or 'NULL'})")
    if worker and ctx.worker_id is not None:
        conds.append(f"{a}.regisseur_id = {int(ctx.worker_id)}")
    if ctx.household_type:
        conds.append(f"{a}.household_type = {ctx.param(ctx.household_type)}")
    if person and ctx.age_group:
        conds.append(f"{a}.age_group = {ctx.param(ctx.age_group)}")
    return conds


def _period_filter(ctx: Ctx, p: str = "p") -> list[str]:
    conds = [f"{p}.start_date <= {ctx.today_sql}"]
    if ctx.period_ids is not None:
        conds.append(f"{p}.id IN ({int_list(ctx.period_ids)})")
    if ctx.period is not None:
        conds.append(f"{p}.kind = {ctx.param(ctx.period[0])} AND {p}.start_date = DATE '{ctx.period[1].isoformat()}'")
    return conds


def _date_filter(ctx: Ctx, expr: str) -> list[str]:
    if ctx.date_range is None:
        return []
    start, end = ctx.date_range
    return [f"{expr} >= DATE '{start.isoformat()}'", f"{expr} < DATE '{end.isoformat()}'"]


def ratio(numerator: str, denominator: str) -> str:
    """numerator / denominator in double precision (exact integer sums divided once), NULL when dividing by 0."""
    return (f"(CASE WHEN ({denominator}) > 0 THEN CAST({numerator} AS DOUBLE PRECISION) / "
            f"CAST({denominator} AS DOUBLE PRECISION) END)")


def _and(conds: list[str]) -> str:
    return " AND ".join(conds) if conds else "1 = 1"


def _keys(keys: list[str]) -> list[str]:
    return list(keys) + ["''"] * (3 - len(keys))


@dataclass
class Output:
    """One kind of cell from the rolled-up sums (columns of `r`: sc, sk, pk, ps, k1..k3, the sums, tot)."""

    count: str
    value: str = NO_VALUE
    base: str = NO_BASE
    name: str | None = None  # another indicator name than the spec's
    keys: tuple[str, str, str] = ("r.k1", "r.k2", "r.k3")
    where: str = ""
    group: tuple[str, ...] | None = None  # re-aggregate over these columns of r (besides sc, sk, pk, ps)


@dataclass
class Spec:
    """An additive indicator: raw rows -> sums per team x wijk x (month | period) x keys -> outputs."""

    name: str
    alias: str  # the row alias carrying team_id and wijk
    frm: str  # FROM ... (for per-period facts it joins the period as p)
    where: list[str]
    keys: list[str]
    sums: dict[str, str]
    outputs: list[Output]
    date: str | None = None  # month-based: the date expression that places a row in its periods
    window: bool = False  # tot = the sum of n over the keys of the scope and period
    case_id: str = "f.case_id"
    scopes: tuple[str, ...] = ALL_SCOPES

    def fine_select(self, ctx: Ctx) -> str:
        """The finest-grain sums (FINE_COLUMNS): per team, wijk, month (or period) and keys."""
        if len(self.sums) > len(SUM_COLUMNS):
            raise ValueError(f"{self.name}: at most {len(SUM_COLUMNS)} sums")
        keys = _keys(self.keys)
        exprs = list(self.sums.values()) + ["CAST(NULL AS BIGINT)"] * (len(SUM_COLUMNS) - len(self.sums))
        sums = ", ".join(f"{expr} AS {column}" for expr, column in zip(exprs, SUM_COLUMNS))
        grouped = [k for k in self.keys if not k.startswith("'")]
        where = list(self.where)
        if self.date is not None:
            frm = (f"{self.frm} JOIN {RD} md ON md.day = {self.date} "
                   f"JOIN {RP} mp ON mp.id = md.period_id AND mp.kind = '{PeriodKind.MONTH.value}'")
            where += _date_filter(ctx, self.date)
            pid = "mp.id"
        else:
            frm, pid = self.frm, "p.id"
            where += _period_filter(ctx)
        if ctx.fine_period_ids is not None:
            where.append(f"{pid} IN ({int_list(ctx.fine_period_ids)})")
        if ctx.fine_pairs is not None:
            a = self.alias
            where.append("(" + " OR ".join(f"({a}.team_id = {int(t)} AND {a}.wijk = {ctx.param(w)})"
                                           for t, w in ctx.fine_pairs) + ")" if ctx.fine_pairs else "1 = 0")
        group = ", ".join([f"{self.alias}.team_id", f"{self.alias}.wijk", pid, *grouped])
        return (f"SELECT '{self.name}' AS indicator, {self.alias}.team_id AS team_id, {self.alias}.wijk AS wijk, "
                f"{pid} AS period_id, {keys[0]} AS key1, {keys[1]} AS key2, {keys[2]} AS key3, {sums} "
                f"FROM {frm} WHERE {_and(where)} GROUP BY {group}")

    def rollup(self, ctx: Ctx, fine: str) -> str:
        """The fine sums rolled up to every period the month (or period) lies in, per scope."""
        branches = []
        sums = ", ".join(f"SUM(fi.{column}) AS {name}" for column, name in zip(SUM_COLUMNS, self.sums))
        for scope in ctx.scopes:
            if scope not in self.scopes:
                continue
            key = {"team": "CAST(fi.team_id AS TEXT)", "wijk": "fi.wijk", "all": "''"}[scope]
            group = [] if scope == "all" else [{"team": "fi.team_id", "wijk": "fi.wijk"}[scope]]
            restrict = _period_filter(ctx)
            if scope == "team" and ctx.team_ids is not None:
                restrict.append(f"fi.team_id IN ({int_list(ctx.team_ids)})")
            if scope == "wijk" and ctx.wijken is not None:
                restrict.append(f"fi.wijk IN ({', '.join(ctx.param(w) for w in ctx.wijken) or 'NULL'})")
            if self.date is not None:
                frm = (f"{fine} fi JOIN {RP} mp ON mp.id = fi.period_id JOIN {RD} pd ON pd.day = mp.start_date "
                       f"JOIN {RP} p ON p.id = pd.period_id")
            else:
                frm = f"{fine} fi JOIN {RP} p ON p.id = fi.period_id"
            group += ["p.kind", "p.start_date", "fi.key1", "fi.key2", "fi.key3"]
            branches.append(f"SELECT '{scope}' AS sc, {key} AS sk, p.kind AS pk, p.start_date AS ps, "
                            f"fi.key1 AS k1, fi.key2 AS k2, fi.key3 AS k3, {sums} "
                            f"FROM {frm} WHERE {_and(restrict)} GROUP BY {', '.join(group)}")
        return " UNION ALL ".join(branches)

    def ctes(self, ctx: Ctx, name: str = "r") -> str | None:
        """CTEs fine_<name> (the finest sums: stored, or computed here), <name>0 (rolled up) and <name> (with
        the total over the keys when windowed)."""
        fine = f"fine_{name}"
        rollup = self.rollup(ctx, fine)
        if not rollup:
            return None
        source = (f"SELECT * FROM {FS} WHERE indicator = '{self.name}'" if ctx.stored else self.fine_select(ctx))
        rolled = f"{fine} AS ({source}), {name}0 AS ({rollup})"
        if self.window:
            first = next(iter(self.sums))
            rolled += (f", {name} AS (SELECT x.*, SUM(x.{first}) OVER (PARTITION BY x.sc, x.sk, x.pk, x.ps) AS tot "
                       f"FROM {name}0 x)")
        else:
            rolled += f", {name} AS (SELECT * FROM {name}0)"
        return rolled

    def select(self, ctx: Ctx) -> str | None:
        ctes = self.ctes(ctx)
        if ctes is None:
            return None
        parts = []
        for out in self.outputs:
            name = out.name or self.name
            where = f" WHERE {out.where}" if out.where else ""
            if out.group is None:
                parts.append(f"SELECT r.sc, r.sk, r.pk, r.ps, '{name}', {out.keys[0]}, {out.keys[1]}, {out.keys[2]}, "
                             f"{out.count}, {out.value}, {out.base} FROM r{where}")
            else:
                group = ", ".join(["r.sc", "r.sk", "r.pk", "r.ps", *out.group])
                parts.append(f"SELECT r.sc, r.sk, r.pk, r.ps, '{name}', {out.keys[0]}, {out.keys[1]}, {out.keys[2]}, "
                             f"{out.count}, {out.value}, {out.base} FROM r{where} GROUP BY {group}")
        return f"WITH {ctes} " + " UNION ALL ".join(parts)

    def drill_source(self, ctx: Ctx) -> Source:
        """The raw rows of one scope-period, for the cases behind a number."""
        if self.date is not None:
            frm = f"{self.frm} JOIN {RD} pd ON pd.day = {self.date} JOIN {RP} p ON p.id = pd.period_id"
        else:
            frm = self.frm
        return Source(frm, _and(self.where + _period_filter(ctx)), list(self.keys), self.case_id, self.alias)


@dataclass
class Source:
    frm: str
    where: str
    keys: list[str]
    case_id: str
    alias: str


def _count(name: str) -> list[Output]:
    return [Output("r.n")]


def _share() -> list[Output]:
    return [Output("r.n", ratio("r.n", "r.tot"), "CAST(r.tot AS INTEGER)")]


# --- Case indicators --------------------------------------------------------------------------

def _case_periods(*conditions: str) -> str:
    extra = "".join(f" AND {c}" for c in conditions)
    return f"{CF} f JOIN {CP} cp ON cp.case_id = f.case_id{extra} JOIN {RP} p ON p.id = cp.period_id"


def _fte100(team: str | None) -> str:
    """Sum of the fte of active sociaal werkers (of a team, or all teams), in hundredths: exact integers."""
    where = f"sm.team_id = {team}" if team else "sm.team_id IS NOT NULL"
    return (f"(SELECT SUM(CAST(ROUND(sm.fte * 100) AS INTEGER)) FROM {SM} sm "
            f"WHERE sm.active AND sm.role = '{Role.SOCIAL_WORKER.value}' AND {where})")


def caseload(ctx: Ctx) -> Spec:
    """Open cases at the end of the period; value: per fte of the team's (or all teams') sociaal werkers."""
    value = (f"CASE r.sc WHEN 'team' THEN {ratio('r.n * 100', _fte100('CAST(r.sk AS INTEGER)'))} "
             f"WHEN 'all' THEN {ratio('r.n * 100', _fte100(None))} END")
    return Spec("caseload", "f", _case_periods("cp.open_at_end"), _filters(ctx, "f"), [], {"n": "COUNT(*)"},
                [Output("r.n", value)])


def caseload_monitoring(ctx: Ctx) -> Spec:
    return Spec("caseload_monitoring", "f", _case_periods("cp.open_at_end", "cp.monitoring"), _filters(ctx, "f"), [],
                {"n": "COUNT(*)"}, _count(""))


def _worker(ctx: Ctx, name: str, monitoring: bool, keys: list[str], outputs: list[Output]) -> Spec:
    where = ["cp.regisseur_id IS NOT NULL", *_filters(ctx, "f", worker=False)]
    if ctx.worker_id is not None:
        where.append(f"cp.regisseur_id = {int(ctx.worker_id)}")
    conditions = ["cp.open_at_end"] + (["cp.monitoring"] if monitoring else [])
    return Spec(name, "f", _case_periods(*conditions), where, ["CAST(cp.regisseur_id AS TEXT)", *keys],
                {"n": "COUNT(*)"}, outputs, scopes=("team",))


def caseload_worker(ctx: Ctx) -> Spec:
    """Per director on the period's last day: open cases; value: per fte of that worker."""
    fte = (f"(SELECT CAST(ROUND(ws.fte * 100) AS INTEGER) FROM {SM} ws "
           f"WHERE ws.id = CAST(r.k1 AS INTEGER))")
    return _worker(ctx, "caseload_worker", False, [], [Output("r.n", ratio("r.n * 100", fte))])


def caseload_worker_monitoring(ctx: Ctx) -> Spec:
    return _worker(ctx, "caseload_worker_monitoring", True, [], _count(""))


def _category_key(a: str) -> str:
    return f"COALESCE(NULLIF({a}.household_category, ''), '{UNKNOWN}')"


def caseload_worker_category(ctx: Ctx) -> Spec:
    """Per director: open cases per household category (for the LPBL caseload norms)."""
    return _worker(ctx, "caseload_worker_category", False, [_category_key("f")], _count(""))


def inflow(ctx: Ctx) -> Spec:
    return Spec("inflow", "f", f"{CF} f JOIN {SRC} src ON src.id = f.melding_source_id", _filters(ctx, "f"),
                ["src.code"], {"n": "COUNT(*)"}, _count(""), date="f.melding_date")


def _contact_key() -> str:
    norm = int(settings.WIJKREGIE["FIRST_CONTACT_DAYS"])
    return f"CASE WHEN f.contact_days <= {norm} THEN 'binnen' ELSE 'buiten' END"


def first_contact_norm(ctx: Ctx) -> Spec:
    """Cases with a first contact within the norm (count), of all with a first contact (base)."""
    within = f"SUM(CASE WHEN {_contact_key()} = 'binnen' THEN 1 ELSE 0 END)"
    return Spec("first_contact_norm", "f", f"{CF} f", ["f.contact_days IS NOT NULL", *_filters(ctx, "f")], [],
                {"n": "COUNT(*)", "ok": within}, [Output("r.ok", ratio("r.ok", "r.n"), "r.n")],
                date="f.melding_date")


def first_contact_days(ctx: Ctx) -> str:
    """Days from melding to first contact: median and p90 (nearest rank), ranked per scope and period."""
    branches = []
    for scope in ctx.scopes:
        key = {"team": "CAST(f.team_id AS TEXT)", "wijk": "f.wijk", "all": "''"}[scope]
        part = ([] if scope == "all" else [key]) + ["p.kind", "p.start_date"]
        where = ["f.contact_days IS NOT NULL", *_filters(ctx, "f"), *_period_filter(ctx)]
        if scope == "team" and ctx.team_ids is not None:
            where.append(f"f.team_id IN ({int_list(ctx.team_ids)})")
        if scope == "wijk" and ctx.wijken is not None:
            where.append(f"f.wijk IN ({', '.join(ctx.param(w) for w in ctx.wijken) or 'NULL'})")
        branches.append(
            f"SELECT '{scope}' AS sc, {key} AS sk, p.kind AS pk, p.start_date AS ps, f.contact_days AS days, "
            f"ROW_NUMBER() OVER (PARTITION BY {', '.join(part)} ORDER BY f.contact_days, f.case_id) AS rn, "
            f"COUNT(*) OVER (PARTITION BY {', '.join(part)}) AS n "
            f"FROM {CF} f JOIN {RD} pd ON pd.day = f.melding_date JOIN {RP} p ON p.id = pd.period_id "
            f"WHERE {_and(where)}")
    selects = " UNION ALL ".join(
        f"SELECT r.sc, r.sk, r.pk, r.ps, 'first_contact_days', '{key}', '', '', r.n, "
        f"CAST(r.days AS DOUBLE PRECISION), r.n "
        f"FROM r WHERE r.rn = (r.n * {percent} + 99) / 100"
        for key, percent in (("median", 50), ("p90", 90))
    )
    return f"WITH r AS ({' UNION ALL '.join(branches)}) {selects}"


def _deadline_key(ctx: Ctx, done: str, days: int) -> tuple[str, str]:
    """(eligible condition, key op_tijd/te_laat) for a norm of `days` after the melding: done, or the
    deadline passed without the case being closed before it."""
    deadline = f"(f.melding_date + {int(days)})"
    eligible = (f"({done} IS NOT NULL OR ({deadline} < {ctx.today_sql} "
                f"AND (f.closed_on IS NULL OR f.closed_on > {deadline})))")
    key = f"CASE WHEN {done} IS NOT NULL AND {done} <= {deadline} THEN 'op_tijd' ELSE 'te_laat' END"
    return eligible, key


def _on_time(ctx: Ctx, name: str, done: str, days: int) -> Spec:
    eligible, key = _deadline_key(ctx, done, days)
    ok = f"SUM(CASE WHEN {key} = 'op_tijd' THEN 1 ELSE 0 END)"
    spec = Spec(name, "f", f"{CF} f", [eligible, *_filters(ctx, "f")], [], {"n": "COUNT(*)", "ok": ok},
                [Output("r.ok", ratio("r.ok", "r.n"), "r.n")], date="f.melding_date")
    spec.drill_keys = [key]
    return spec


def plan_within_norm(ctx: Ctx) -> Spec:
    return _on_time(ctx, "plan_within_norm", "f.first_plan_date", settings.WIJKREGIE["PLAN_DAYS"])


def zrm_nulmeting(ctx: Ctx) -> Spec:
    return _on_time(ctx, "zrm_nulmeting", "f.nulmeting_date", settings.WIJKREGIE["NULMETING_DAYS"])


def zrm_followup(ctx: Ctx) -> Spec:
    """Follow-up slots by due date: on time when an effective tussenmeting lies within the tolerance."""
    tolerance = int(settings.WIJKREGIE["ZRM_FOLLOWUP_TOLERANCE_DAYS"])
    # + INTERVAL clips to the month's end (31 August + 6 months = 28/29 February), as relativedelta in zrm/schedule.py
    slots = " UNION ALL ".join(
        f"SELECT f.case_id, f.team_id, f.wijk, f.regisseur_id, f.household_type, f.closed_on, "
        f"CAST(f.nulmeting_date + INTERVAL '{int(months)} months' AS DATE) AS due "
        f"FROM {CF} f WHERE f.nulmeting_date IS NOT NULL"
        for months in settings.WIJKREGIE["ZRM_TUSSENMETING_MONTHS"]
    )
    done = (f"CASE WHEN EXISTS (SELECT 1 FROM {M} m WHERE m.case_id = x.case_id AND m.type = 'tussenmeting' "
            f"AND {effective('m')} AND m.date >= (x.due - {tolerance}) "
            f"AND m.date <= (x.due + {tolerance})) THEN 1 ELSE 0 END")
    frm = (f"(SELECT x.case_id, x.team_id, x.wijk, x.regisseur_id, x.household_type, x.closed_on, x.due, "
           f"{done} AS on_time FROM ({slots}) x) s")
    where = ["(s.closed_on IS NULL OR s.closed_on >= s.due)",
             f"(s.on_time = 1 OR (s.due + {tolerance}) < {ctx.today_sql})", *_filters(ctx, "s")]
    spec = Spec("zrm_followup", "s", frm, where, [], {"n": "COUNT(*)", "ok": "SUM(s.on_time)"},
                [Output("r.ok", ratio("r.ok", "r.n"), "r.n")], date="s.due", case_id="s.case_id")
    spec.drill_keys = ["CASE WHEN s.on_time = 1 THEN 'op_tijd' ELSE 'te_laat' END"]
    return spec


def household_type(ctx: Ctx) -> Spec:
    """Cases open in the period by household type, with the share of all open in the period."""
    return Spec("household_type", "f", _case_periods(), _filters(ctx, "f"), ["f.household_type"],
                {"n": "COUNT(*)"}, _share(), window=True)


def household_category(ctx: Ctx) -> Spec:
    return Spec("household_category", "f", _case_periods(), _filters(ctx, "f"), [_category_key("f")],
                {"n": "COUNT(*)"}, _share(), window=True)


def closure_reason(ctx: Ctx) -> Spec:
    return Spec("closure_reason", "f", f"{CF} f JOIN {REASON} cr ON cr.id = f.closure_reason_id",
                _filters(ctx, "f"), ["cr.code"], {"n": "COUNT(*)"}, _share(), date="f.closed_on", window=True)


def reopened(ctx: Ctx) -> Spec:
    """Meldingen that reopen a closed case (count) of all meldingen (base); their mean days since closing."""
    spec = Spec("reopened", "f", f"{CF} f", _filters(ctx, "f"), [], {
        "n": "COUNT(*)", "ro": "SUM(CASE WHEN f.reopened THEN 1 ELSE 0 END)",
        "days": "SUM(CASE WHEN f.reopened THEN f.days_since_previous_closure ELSE 0 END)",
    }, [Output("r.ro", ratio("r.ro", "r.n"), "r.n"),
        Output("r.ro", ratio("r.days", "r.ro"), "r.ro", name="reopened_days", where="r.ro > 0")],
        date="f.melding_date")
    spec.drill_keys = ["CASE WHEN f.reopened THEN 'heropend' ELSE 'nieuw' END"]
    return spec


def interventions(ctx: Ctx) -> Spec:
    ref = ("CASE iv.team_action WHEN 'lopend' THEN f.melding_date "
           "WHEN 'gestopt' THEN COALESCE(iv.end_date, iv.start_date, f.melding_date) "
           "ELSE COALESCE(iv.start_date, f.melding_date) END")
    return Spec("interventions", "f", f"{INT} iv JOIN {CF} f ON f.case_id = iv.case_id "
                f"JOIN {ITYPE} it ON it.id = iv.type_id", _filters(ctx, "f"),
                ["it.code", "iv.team_action", "iv.deliverer"], {"n": "COUNT(*)"}, _count(""), date=ref)


def escalations(ctx: Ctx) -> Spec:
    return Spec("escalations", "f", f"{ESC} e JOIN {CF} f ON f.case_id = e.case_id", _filters(ctx, "f"),
                ["e.kind", "CASE WHEN e.prevented THEN 'voorkomen' ELSE 'opgetreden' END"], {"n": "COUNT(*)"},
                _count(""), date="e.date")


# --- ZRM progress (persons) --------------------------------------------------------------------

def _paired(ctx: Ctx) -> list[str]:
    return ["pp.has_followup", *_filters(ctx, "pp", person=True)]


def _direction() -> str:
    problem_max = int(settings.WIJKREGIE["ZRM_PROBLEM_MAX_SCORE"])
    return (f"CASE WHEN dp.baseline_score > {problem_max} THEN '' "
            f"WHEN dp.latest_score > dp.baseline_score THEN 'vooruit' "
            f"WHEN dp.latest_score = dp.baseline_score THEN 'gelijk' ELSE 'achteruit' END")


def zrm_domain(ctx: Ctx) -> Spec:
    """Per domain over the paired persons (both scored): n, mean at baseline, mean at latest and their
    difference computed from the unrounded means (sum of latest - sum of baseline, over n); and among those
    with a baseline score <= the problem threshold (base) how many went up, stayed or went down."""
    problem_max = int(settings.WIJKREGIE["ZRM_PROBLEM_MAX_SCORE"])
    direction = _direction()
    sums = {
        "n": "COUNT(*)", "sb": "SUM(dp.baseline_score)", "sl": "SUM(dp.latest_score)",
        "low": f"SUM(CASE WHEN dp.baseline_score <= {problem_max} THEN 1 ELSE 0 END)",
        "up": f"SUM(CASE WHEN {direction} = 'vooruit' THEN 1 ELSE 0 END)",
        "same": f"SUM(CASE WHEN {direction} = 'gelijk' THEN 1 ELSE 0 END)",
        "down": f"SUM(CASE WHEN {direction} = 'achteruit' THEN 1 ELSE 0 END)",
    }
    outputs = [Output("r.n", ratio(total, "r.n"), "r.n", name="zrm_domain_mean", keys=("r.k1", "r.k2", key))
               for key, total in (("'baseline'", "r.sb"), ("'latest'", "r.sl"), ("'difference'", "r.sl - r.sb"))]
    outputs += [Output(f"r.{column}", ratio(f"r.{column}", "r.low"), "r.low", name="zrm_domain_direction",
                       keys=("r.k1", "r.k2", f"'{key}'"), where="r.low > 0")
                for key, column in (("vooruit", "up"), ("gelijk", "same"), ("achteruit", "down"))]
    frm = (f"{PP} pp JOIN {DP} dp ON dp.case_id = pp.case_id AND dp.person_id = pp.person_id "
           f"JOIN {D} d ON d.id = dp.domain_id JOIN {V} v ON v.id = d.version_id")
    where = [*_paired(ctx), "dp.baseline_score IS NOT NULL", "dp.latest_score IS NOT NULL"]
    spec = Spec("zrm_domain", "pp", frm, where, ["v.code", "d.code"], sums, outputs, date="pp.latest_date",
                case_id="pp.case_id")
    spec.drill_keys = ["v.code", "d.code", direction]
    return spec


def _person_share(name: str, ctx: Ctx, side_key: str) -> Spec:
    """Paired persons by their bucket or category at baseline and latest: shares, and the movement."""
    outputs = [
        Output("r.n", name=f"{name}_movement"),
        Output("SUM(r.n)", ratio("SUM(r.n)", "MAX(r.tot)"), "CAST(MAX(r.tot) AS INTEGER)",
               keys=("'baseline'", "r.k1", "''"), group=("r.k1",)),
        Output("SUM(r.n)", ratio("SUM(r.n)", "MAX(r.tot)"), "CAST(MAX(r.tot) AS INTEGER)",
               keys=("'latest'", "r.k2", "''"), group=("r.k2",)),
    ]
    return Spec(name, "pp", f"{PP} pp", _paired(ctx), [f"pp.baseline_{side_key}", f"pp.latest_{side_key}"],
                {"n": "COUNT(*)"}, outputs, date="pp.latest_date", window=True, case_id="pp.case_id")


def zrm_bucket(ctx: Ctx) -> Spec:
    return _person_share("zrm_bucket", ctx, "bucket")


def zrm_category(ctx: Ctx) -> Spec:
    return _person_share("zrm_category", ctx, "category")


PERSON_MEANS = [
    ("improved", "pp.domains_improved"), ("equal", "pp.domains_equal"), ("worse", "pp.domains_worse"),
    ("problem_baseline", "pp.baseline_problem_domains"), ("problem_latest", "pp.latest_problem_domains"),
    ("acute_baseline", "pp.baseline_acute_domains"), ("acute_latest", "pp.latest_acute_domains"),
]


def zrm_person(ctx: Ctx) -> Spec:
    """Paired persons (and how many crossed versions); per person on average: domains improved / equal /
    worse, problem and acute domains at baseline and latest."""
    sums = {"n": "COUNT(*)", "crossed": "SUM(CASE WHEN pp.crossed_versions THEN 1 ELSE 0 END)"}
    sums.update({key: f"SUM({column})" for key, column in PERSON_MEANS})
    outputs = [Output("r.n", NO_VALUE, "r.n", name="zrm_paired", keys=("'paired'", "''", "''")),
               Output("r.crossed", ratio("r.crossed", "r.n"), "r.n", name="zrm_paired",
                      keys=("'crossed_versions'", "''", "''"))]
    outputs += [Output("r.n", ratio(f"r.{key}", "r.n"), "r.n", name="zrm_person_mean",
                       keys=(f"'{key}'", "''", "''")) for key, _ in PERSON_MEANS]
    return Spec("zrm_person", "pp", f"{PP} pp", _paired(ctx), [], sums, outputs, date="pp.latest_date",
                case_id="pp.case_id")


def _cluster_rows(ctx: Ctx) -> str:
    """Distinct (person, case, cluster) with a problem domain at baseline, with the columns filters need."""
    problem_max = int(settings.WIJKREGIE["ZRM_PROBLEM_MAX_SCORE"])
    return (f"(SELECT DISTINCT pp.person_id, pp.case_id, pp.team_id, pp.wijk, pp.regisseur_id, pp.household_type, "
            f"pp.age_group, pp.baseline_date, d.cluster FROM {PP} pp "
            f"JOIN {DP} dp ON dp.case_id = pp.case_id AND dp.person_id = pp.person_id "
            f"JOIN {D} d ON d.id = dp.domain_id WHERE dp.baseline_score <= {problem_max}) pc")


def _cluster_specs(ctx: Ctx) -> list[Spec]:
    intake = Spec("zrm_intake", "pp", f"{PP} pp", _filters(ctx, "pp", person=True), [], {"n": "COUNT(*)"}, [],
                  date="pp.baseline_date", case_id="pp.case_id")
    clusters = Spec("zrm_cluster", "pc", _cluster_rows(ctx), _filters(ctx, "pc", person=True), ["pc.cluster"],
                    {"c": "COUNT(*)"}, [], date="pc.baseline_date", case_id="pc.case_id")
    return [intake, clusters]


def zrm_clusters(ctx: Ctx) -> str:
    """Persons whose baseline falls in the period (zrm_intake), and per cluster how many of them had at least
    one problem domain in it at baseline, with the share."""
    intake, clusters = _cluster_specs(ctx)
    ctes_i, ctes_c = intake.ctes(ctx, "ri"), clusters.ctes(ctx, "rc")
    if ctes_i is None:
        return None
    return (f"WITH {ctes_i}, {ctes_c} "
            f"SELECT ri.sc, ri.sk, ri.pk, ri.ps, 'zrm_intake', '', '', '', ri.n, {NO_VALUE}, ri.n FROM ri "
            f"UNION ALL SELECT rc.sc, rc.sk, rc.pk, rc.ps, 'zrm_cluster', rc.k1, '', '', rc.c, "
            f"{ratio('rc.c', 'ri.n')}, ri.n FROM rc JOIN ri ON ri.sc = rc.sc AND ri.sk = rc.sk "
            f"AND ri.pk = rc.pk AND ri.ps = rc.ps")


# --- Registry ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Indicator:
    name: str
    build: Callable[[Ctx], object]  # a Spec, or the SQL of a custom statement
    cells: tuple[str, ...] = ()  # the indicator names of the cells it writes (default: its own name)
    progress_only: bool = False  # depends only on the ZRM progress rows and measurements, not on case facts
    fine: Callable[[Ctx], list[Spec]] | None = None  # for a custom statement: the specs whose sums it rolls up

    def statement(self, ctx: Ctx) -> str | None:
        built = self.build(ctx)
        return built.select(ctx) if isinstance(built, Spec) else built

    def specs(self, ctx: Ctx) -> list[Spec]:
        if self.fine is not None:
            return self.fine(ctx)
        built = self.build(ctx)
        return [built] if isinstance(built, Spec) else []


INDICATORS: list[Indicator] = [
    Indicator("caseload", caseload),
    Indicator("caseload_monitoring", caseload_monitoring),
    Indicator("caseload_worker", caseload_worker),
    Indicator("caseload_worker_monitoring", caseload_worker_monitoring),
    Indicator("caseload_worker_category", caseload_worker_category),
    Indicator("inflow", inflow),
    Indicator("first_contact_days", first_contact_days),
    Indicator("first_contact_norm", first_contact_norm),
    Indicator("plan_within_norm", plan_within_norm),
    Indicator("zrm_nulmeting", zrm_nulmeting),
    Indicator("zrm_followup", zrm_followup, progress_only=True),
    Indicator("household_type", household_type),
    Indicator("household_category", household_category),
    Indicator("closure_reason", closure_reason),
    Indicator("reopened", reopened, ("reopened", "reopened_days")),
    Indicator("interventions", interventions),
    Indicator("escalations", escalations),
    Indicator("zrm_domain", zrm_domain, ("zrm_domain_mean", "zrm_domain_direction"), progress_only=True),
    Indicator("zrm_bucket", zrm_bucket, ("zrm_bucket", "zrm_bucket_movement"), progress_only=True),
    Indicator("zrm_category", zrm_category, ("zrm_category", "zrm_category_movement"), progress_only=True),
    Indicator("zrm_person", zrm_person, ("zrm_paired", "zrm_person_mean"), progress_only=True),
    Indicator("zrm_clusters", zrm_clusters, ("zrm_intake", "zrm_cluster"), progress_only=True,
              fine=_cluster_specs),
]


def cell_names(indicators_: list[Indicator]) -> list[str]:
    return [name for indicator in indicators_ for name in (indicator.cells or (indicator.name,))]



def statements(ctx_factory: Callable[[], Ctx], only: list[Indicator] | None = None) -> list[tuple[str, dict]]:
    """Every indicator SELECT (or those in `only`): [(sql, params)]; a fresh Ctx (own parameters) per statement."""
    out = []
    for indicator in INDICATORS if only is None else only:
        ctx = ctx_factory()
        statement = indicator.statement(ctx)
        if statement:
            out.append((statement, ctx.params))
    return out


def fine_statements(ctx_factory: Callable[[], Ctx], only: list[Indicator] | None = None) -> list[tuple[str, dict]]:
    """INSERTs of the fine sums of every spec (or those of `only`)."""
    out = []
    for indicator in INDICATORS if only is None else only:
        for spec in indicator.specs(ctx_factory()):
            ctx = ctx_factory()
            out.append((f"INSERT INTO {FS} ({FINE_COLUMNS}) {spec.fine_select(ctx)}", ctx.params))
    return out


def fine_names(indicators_: list[Indicator] | None = None) -> list[str]:
    from django.utils import timezone

    ctx = Ctx(today=timezone.localdate())
    return [spec.name for indicator in (INDICATORS if indicators_ is None else indicators_)
            for spec in indicator.specs(ctx)]


def insert_statement(select_sql: str) -> str:
    return f"INSERT INTO {CELLS} ({CELL_COLUMNS}) {select_sql}"


def positional(statement: str, params: dict) -> tuple[str, list]:
    """The statement with %s placeholders and a parameter list, for the ORM (RawSQL)."""
    ordered: list = []

    def replace(match):
        ordered.append(params[match.group(1)])
        return "%s"

    return re.sub(r"%\((p\d+)\)s", replace, statement), ordered


# --- Drill-down: the cases behind a number (team scope, one period) ---------------------------

DRILLS: dict[str, Callable[[Ctx], Spec]] = {
    "caseload": caseload,
    "caseload_monitoring": caseload_monitoring,
    "caseload_worker": caseload_worker,
    "caseload_worker_monitoring": caseload_worker_monitoring,
    "inflow": inflow,
    "first_contact_norm": first_contact_norm,
    "plan_within_norm": plan_within_norm,
    "zrm_nulmeting": zrm_nulmeting,
    "zrm_followup": zrm_followup,
    "household_type": household_type,
    "household_category": household_category,
    "closure_reason": closure_reason,
    "reopened": reopened,
    "interventions": interventions,
    "escalations": escalations,
    "zrm_bucket_movement": zrm_bucket,
    "zrm_category_movement": zrm_category,
    "zrm_domain_direction": zrm_domain,
    "zrm_cluster": lambda ctx: Spec("zrm_cluster", "pc", _cluster_rows(ctx), _filters(ctx, "pc", person=True),
                                    ["pc.cluster"], {}, [], date="pc.baseline_date", case_id="pc.case_id"),
}
# Drill keys where the number's key is not one of the spec's grouping keys.
DRILL_KEYS = {"first_contact_norm": [_contact_key()]}


def drill_sql(ctx: Ctx, indicator: str, keys: list[str]) -> str | None:
    """SELECT of the distinct case ids behind a cell, or None when the indicator has no drill-down."""
    factory = DRILLS.get(indicator)
    if factory is None:
        return None
    spec = factory(ctx)
    source = spec.drill_source(ctx)
    source.keys = getattr(spec, "drill_keys", None) or DRILL_KEYS.get(indicator) or source.keys
    keys = list(keys)[: len(source.keys)]
    conds = [source.where] + [f"{expr} = {ctx.param(value)}" for expr, value in zip(source.keys, keys)]
    return f"SELECT DISTINCT {source.case_id} FROM {source.frm} WHERE {' AND '.join(conds)}"
