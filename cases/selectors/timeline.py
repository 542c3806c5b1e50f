"""A case's history: its timeline, who directed it, and the case that reopened it."""
from __future__ import annotations

from ..models import Case


def case_events(case: Case):
    """The case timeline, oldest first."""
    return case.events.select_related("actor").order_by("occurred_on", "created_at", "pk")


def director_history(case: Case):
    """Who directed the case, from when to when, and why."""
    return case.director_assignments.select_related("regisseur__user", "assigned_by").order_by(
        "started_on", "created_at", "pk"
    )


def reopened_as(case: Case) -> Case | None:
    """The case that reopened this one, if any."""
    return Case.objects.filter(reopened_from=case).only("pk", "melding_date", "status").first()
