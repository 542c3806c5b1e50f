"""Meldingen in and cases out: inflow per source, reopenings, closing reasons."""
from __future__ import annotations

from cases.models import ClosureReason, MeldingSource

from ..facts import CF
from .base import Ctx, Output, Spec, count_outputs, fact_filters, ratio, share_outputs

SRC = MeldingSource._meta.db_table
REASON = ClosureReason._meta.db_table


def inflow(ctx: Ctx) -> Spec:
    return Spec("inflow", "f", f"{CF} f JOIN {SRC} src ON src.id = f.melding_source_id", fact_filters(ctx, "f"),
                ["src.code"], {"n": "COUNT(*)"}, count_outputs(), date="f.melding_date")


def closure_reason(ctx: Ctx) -> Spec:
    return Spec("closure_reason", "f", f"{CF} f JOIN {REASON} cr ON cr.id = f.closure_reason_id",
                fact_filters(ctx, "f"), ["cr.code"], {"n": "COUNT(*)"}, share_outputs(), date="f.closed_on",
                window=True)


def reopened(ctx: Ctx) -> Spec:
    """Meldingen that reopen a closed case (count) of all meldingen (base); their mean days since closing."""
    spec = Spec("reopened", "f", f"{CF} f", fact_filters(ctx, "f"), [], {
        "n": "COUNT(*)", "ro": "SUM(CASE WHEN f.reopened THEN 1 ELSE 0 END)",
        "days": "SUM(CASE WHEN f.reopened THEN f.days_since_previous_closure ELSE 0 END)",
    }, [Output("r.ro", ratio("r.ro", "r.n"), "r.n"),
        Output("r.ro", ratio("r.days", "r.ro"), "r.ro", name="reopened_days", where="r.ro > 0")],
        date="f.melding_date")
    spec.drill_keys = ["CASE WHEN f.reopened THEN 'heropend' ELSE 'nieuw' END"]
    return spec
