"""Snapshot indicators: the cases open at the end of a period (per team and per director, with the monitoring
share and the caseload per fte), and the household type and category mix of the cases open in a period."""
from __future__ import annotations

from cases.models import Role, StaffMembership

from ..facts import CF, CP
from .base import RP, Ctx, Output, Spec, count_outputs, fact_filters, ratio, share_outputs

SM = StaffMembership._meta.db_table
UNKNOWN = "onbekend"


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
    return Spec("caseload", "f", _case_periods("cp.open_at_end"), fact_filters(ctx, "f"), [], {"n": "COUNT(*)"},
                [Output("r.n", value)])


def caseload_monitoring(ctx: Ctx) -> Spec:
    return Spec("caseload_monitoring", "f", _case_periods("cp.open_at_end", "cp.monitoring"),
                fact_filters(ctx, "f"), [], {"n": "COUNT(*)"}, count_outputs())


def _worker(ctx: Ctx, name: str, monitoring: bool, keys: list[str], outputs: list[Output]) -> Spec:
    where = ["cp.regisseur_id IS NOT NULL", *fact_filters(ctx, "f", worker=False)]
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
    return _worker(ctx, "caseload_worker_monitoring", True, [], count_outputs())


def _category_key(a: str) -> str:
    return f"COALESCE(NULLIF({a}.household_category, ''), '{UNKNOWN}')"


def caseload_worker_category(ctx: Ctx) -> Spec:
    """Per director: open cases per household category (for the LPBL caseload norms)."""
    return _worker(ctx, "caseload_worker_category", False, [_category_key("f")], count_outputs())


def household_type(ctx: Ctx) -> Spec:
    """Cases open in the period by household type, with the share of all open in the period."""
    return Spec("household_type", "f", _case_periods(), fact_filters(ctx, "f"), ["f.household_type"],
                {"n": "COUNT(*)"}, share_outputs(), window=True)


def household_category(ctx: Ctx) -> Spec:
    return Spec("household_category", "f", _case_periods(), fact_filters(ctx, "f"), [_category_key("f")],
                {"n": "COUNT(*)"}, share_outputs(), window=True)
