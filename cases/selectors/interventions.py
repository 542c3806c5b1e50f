"""Interventions (trajecten) and escalations of a case (issue 4)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from ..models import Case, Escalation, Intervention, InterventionType
from .access import team_ids_of


def intervention_counts_by_type(cases: QuerySet[Case]) -> dict[str, dict[str, int]]:
    """Per intervention type code: how many were already running, started and stopped by the team (one query)."""
    counts: dict[str, dict[str, int]] = {}
    rows = (
        Intervention.objects.filter(case__in=cases)
        .values("type__code", "team_action")
        .annotate(n=Count("pk"))
        .order_by("type__code", "team_action")
    )
    for row in rows:
        counts.setdefault(row["type__code"], {"lopend": 0, "gestart": 0, "gestopt": 0})[row["team_action"]] = row["n"]
    return counts


def get_intervention_for(user, pk: int):
    """An intervention of a case the user's team holds (403 for another team's)."""
    intervention = get_object_or_404(
        Intervention.objects.select_related("case__household", "case__team", "type", "person"), pk=pk)
    if intervention.case.team_id not in team_ids_of(user):
        raise PermissionDenied
    return intervention


def interventions_of(case: Case) -> list:
    """The case's interventions, oldest start first, with person, types and the intervention each bridges.

    Two queries whatever the rows: the small code list of types is read whole instead of joined three
    times (a seven-table join costs PostgreSQL more planning time than the two queries together take).
    """
    items = list(Intervention.objects.filter(case=case).select_related("person").order_by("start_date", "pk"))
    loaded = {item.pk: item for item in items}
    elsewhere = {item.bridging_for_id for item in items if item.bridging_for_id} - loaded.keys()
    if elsewhere:  # validated to be in the same case; read anyway if one is not
        loaded.update(Intervention.objects.in_bulk(elsewhere))
    types = InterventionType.objects.in_bulk()
    for item in loaded.values():
        item.type = types[item.type_id]
        for name in ("most_appropriate_type", "replaces_type"):
            if getattr(item, f"{name}_id"):
                setattr(item, name, types[getattr(item, f"{name}_id")])
    for item in items:
        if item.bridging_for_id:
            item.bridging_for = loaded[item.bridging_for_id]
    return items


def escalations_of(case: Case, interventions=None) -> list:
    """The case's escalations by date, with the intervention that prevented each (and its type).

    `interventions`: the case's interventions as interventions_of reads them; then one query.
    """
    if interventions is None:
        return list(Escalation.objects.filter(case=case).select_related("prevented_by__type").order_by("date", "pk"))
    escalations = list(Escalation.objects.filter(case=case).order_by("date", "pk"))
    by_pk = {item.pk: item for item in interventions}
    elsewhere = {e.prevented_by_id for e in escalations if e.prevented_by_id} - by_pk.keys()
    if elsewhere:
        by_pk.update(Intervention.objects.select_related("type").in_bulk(elsewhere))
    for escalation in escalations:
        if escalation.prevented_by_id:
            escalation.prevented_by = by_pk[escalation.prevented_by_id]
    return escalations
