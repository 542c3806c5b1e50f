"""Norms in time: first contact (share within the norm, median and p90 days), plan and nulmeting within their
norm after the melding, follow-up ZRMs on time."""
from __future__ import annotations

from django.conf import settings

from zrm.models import Measurement

from ..facts import CF, effective, int_list
from .base import RD, RP, Ctx, Output, Spec, all_of, fact_filters, period_filter, ratio

M = Measurement._meta.db_table


def contact_key() -> str:
    norm = int(settings.WIJKREGIE["FIRST_CONTACT_DAYS"])
    return f"CASE WHEN f.contact_days <= {norm} THEN 'binnen' ELSE 'buiten' END"


def first_contact_norm(ctx: Ctx) -> Spec:
    """Cases with a first contact within the norm (count), of all with a first contact (base)."""
    within = f"SUM(CASE WHEN {contact_key()} = 'binnen' THEN 1 ELSE 0 END)"
    return Spec("first_contact_norm", "f", f"{CF} f", ["f.contact_days IS NOT NULL", *fact_filters(ctx, "f")], [],
                {"n": "COUNT(*)", "ok": within}, [Output("r.ok", ratio("r.ok", "r.n"), "r.n")],
                date="f.melding_date")


def first_contact_days(ctx: Ctx) -> str:
    """Days from melding to first contact: median and p90 (nearest rank), ranked per scope and period."""
    branches = []
    for scope in ctx.scopes:
        key = {"team": "CAST(f.team_id AS TEXT)", "wijk": "f.wijk", "all": "''"}[scope]
        part = ([] if scope == "all" else [key]) + ["p.kind", "p.start_date"]
        where = ["f.contact_days IS NOT NULL", *fact_filters(ctx, "f"), *period_filter(ctx)]
        if scope == "team" and ctx.team_ids is not None:
            where.append(f"f.team_id IN ({int_list(ctx.team_ids)})")
        if scope == "wijk" and ctx.wijken is not None:
            where.append(f"f.wijk IN ({', '.join(ctx.param(w) for w in ctx.wijken) or 'NULL'})")
        branches.append(
            f"SELECT '{scope}' AS sc, {key} AS sk, p.kind AS pk, p.start_date AS ps, f.contact_days AS days, "
            f"ROW_NUMBER() OVER (PARTITION BY {', '.join(part)} ORDER BY f.contact_days, f.case_id) AS rn, "
            f"COUNT(*) OVER (PARTITION BY {', '.join(part)}) AS n "
            f"FROM {CF} f JOIN {RD} pd ON pd.day = f.melding_date JOIN {RP} p ON p.id = pd.period_id "
            f"WHERE {all_of(where)}")
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
    spec = Spec(name, "f", f"{CF} f", [eligible, *fact_filters(ctx, "f")], [], {"n": "COUNT(*)", "ok": ok},
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
             f"(s.on_time = 1 OR (s.due + {tolerance}) < {ctx.today_sql})", *fact_filters(ctx, "s")]
    spec = Spec("zrm_followup", "s", frm, where, [], {"n": "COUNT(*)", "ok": "SUM(s.on_time)"},
                [Output("r.ok", ratio("r.ok", "r.n"), "r.n")], date="s.due", case_id="s.case_id")
    spec.drill_keys = ["CASE WHEN s.on_time = 1 THEN 'op_tijd' ELSE 'te_laat' END"]
    return spec
