"""Drill-down: the cases behind a number (team scope, one period), by the same SQL as the number."""
from __future__ import annotations

import re
from collections.abc import Callable

from .base import Ctx, Spec, fact_filters
from .caseload import (
    caseload,
    caseload_monitoring,
    caseload_worker,
    caseload_worker_monitoring,
    household_category,
    household_type,
)
from .inflow import closure_reason, inflow, reopened
from .interventions import escalations, interventions
from .progress import cluster_rows, zrm_bucket, zrm_category, zrm_domain
from .timeliness import contact_key, first_contact_norm, plan_within_norm, zrm_followup, zrm_nulmeting

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
    "zrm_cluster": lambda ctx: Spec("zrm_cluster", "pc", cluster_rows(ctx), fact_filters(ctx, "pc", person=True),
                                    ["pc.cluster"], {}, [], date="pc.baseline_date", case_id="pc.case_id"),
}
# Drill keys where the number's key is not one of the spec's grouping keys.
DRILL_KEYS = {"first_contact_norm": [contact_key()]}


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


def positional(statement: str, params: dict) -> tuple[str, list]:
    """The statement with %s placeholders and a parameter list, for the ORM (RawSQL)."""
    ordered: list = []

    def replace(match):
        ordered.append(params[match.group(1)])
        return "%s"

    return re.sub(r"%\((p\d+)\)s", replace, statement), ordered
