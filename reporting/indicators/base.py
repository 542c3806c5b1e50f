"""The building blocks of the indicator statements: what to compute (Ctx), the filters, and Spec, an additive
indicator from raw rows to fine sums, rolled up to cells (see the package docstring)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..facts import int_list
from ..models import AggregateCell, FineSum, PeriodKind, ReportDay, ReportPeriod

RP = ReportPeriod._meta.db_table
RD = ReportDay._meta.db_table
CELLS = AggregateCell._meta.db_table
FS = FineSum._meta.db_table
SUM_COLUMNS = [f"s{i}" for i in range(1, 10)]
FINE_COLUMNS = "indicator, team_id, wijk, period_id, key1, key2, key3, " + ", ".join(SUM_COLUMNS)

CELL_COLUMNS = "scope_kind, scope_key, period_kind, period_start, indicator, key1, key2, key3, count, value, base"
ALL_SCOPES = ("team", "wijk", "all")
NO_VALUE = "CAST(NULL AS DOUBLE PRECISION)"
NO_BASE = "CAST(NULL AS INTEGER)"


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


def fact_filters(ctx: Ctx, a: str, *, person: bool = False, worker: bool = True) -> list[str]:
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


def period_filter(ctx: Ctx, p: str = "p") -> list[str]:
    conds = [f"{p}.start_date <= {ctx.today_sql}"]
    if ctx.period_ids is not None:
        conds.append(f"{p}.id IN ({int_list(ctx.period_ids)})")
    if ctx.period is not None:
        conds.append(f"{p}.kind = {ctx.param(ctx.period[0])} AND {p}.start_date = DATE '{ctx.period[1].isoformat()}'")
    return conds


def date_filter(ctx: Ctx, expr: str) -> list[str]:
    if ctx.date_range is None:
        return []
    start, end = ctx.date_range
    return [f"{expr} >= DATE '{start.isoformat()}'", f"{expr} < DATE '{end.isoformat()}'"]


def ratio(numerator: str, denominator: str) -> str:
    """numerator / denominator in double precision (exact integer sums divided once), NULL when dividing by 0."""
    return (f"(CASE WHEN ({denominator}) > 0 THEN CAST({numerator} AS DOUBLE PRECISION) / "
            f"CAST({denominator} AS DOUBLE PRECISION) END)")


def all_of(conds: list[str]) -> str:
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
            where += date_filter(ctx, self.date)
            pid = "mp.id"
        else:
            frm, pid = self.frm, "p.id"
            where += period_filter(ctx)
        if ctx.fine_period_ids is not None:
            where.append(f"{pid} IN ({int_list(ctx.fine_period_ids)})")
        if ctx.fine_pairs is not None:
            a = self.alias
            where.append("(" + " OR ".join(f"({a}.team_id = {int(t)} AND {a}.wijk = {ctx.param(w)})"
                                           for t, w in ctx.fine_pairs) + ")" if ctx.fine_pairs else "1 = 0")
        group = ", ".join([f"{self.alias}.team_id", f"{self.alias}.wijk", pid, *grouped])
        return (f"SELECT '{self.name}' AS indicator, {self.alias}.team_id AS team_id, {self.alias}.wijk AS wijk, "
                f"{pid} AS period_id, {keys[0]} AS key1, {keys[1]} AS key2, {keys[2]} AS key3, {sums} "
                f"FROM {frm} WHERE {all_of(where)} GROUP BY {group}")

    def rollup(self, ctx: Ctx, fine: str) -> str:
        """The fine sums rolled up to every period the month (or period) lies in, per scope."""
        branches = []
        sums = ", ".join(f"SUM(fi.{column}) AS {name}" for column, name in zip(SUM_COLUMNS, self.sums))
        for scope in ctx.scopes:
            if scope not in self.scopes:
                continue
            key = {"team": "CAST(fi.team_id AS TEXT)", "wijk": "fi.wijk", "all": "''"}[scope]
            group = [] if scope == "all" else [{"team": "fi.team_id", "wijk": "fi.wijk"}[scope]]
            restrict = period_filter(ctx)
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
                            f"FROM {frm} WHERE {all_of(restrict)} GROUP BY {', '.join(group)}")
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
        return Source(frm, all_of(self.where + period_filter(ctx)), list(self.keys), self.case_id, self.alias)


@dataclass
class Source:
    frm: str
    where: str
    keys: list[str]
    case_id: str
    alias: str


def count_outputs() -> list[Output]:
    return [Output("r.n")]


def share_outputs() -> list[Output]:
    return [Output("r.n", ratio("r.n", "r.tot"), "CAST(r.tot AS INTEGER)")]
