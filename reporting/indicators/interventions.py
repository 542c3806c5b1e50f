"""Interventions by the team's action date, and escalations (prevented or not) by their date."""
from __future__ import annotations

from cases.models import Escalation, Intervention, InterventionType

from ..facts import CF
from .base import Ctx, Spec, count_outputs, fact_filters

INT = Intervention._meta.db_table
ITYPE = InterventionType._meta.db_table
ESC = Escalation._meta.db_table


def interventions(ctx: Ctx) -> Spec:
    ref = ("CASE iv.team_action WHEN 'lopend' THEN f.melding_date "
           "WHEN 'gestopt' THEN COALESCE(iv.end_date, iv.start_date, f.melding_date) "
           "ELSE COALESCE(iv.start_date, f.melding_date) END")
    return Spec("interventions", "f", f"{INT} iv JOIN {CF} f ON f.case_id = iv.case_id "
                f"JOIN {ITYPE} it ON it.id = iv.type_id", fact_filters(ctx, "f"),
                ["it.code", "iv.team_action", "iv.deliverer"], {"n": "COUNT(*)"}, count_outputs(), date=ref)


def escalations(ctx: Ctx) -> Spec:
    return Spec("escalations", "f", f"{ESC} e JOIN {CF} f ON f.case_id = e.case_id", fact_filters(ctx, "f"),
                ["e.kind", "CASE WHEN e.prevented THEN 'voorkomen' ELSE 'opgetreden' END"], {"n": "COUNT(*)"},
                count_outputs(), date="e.date")
