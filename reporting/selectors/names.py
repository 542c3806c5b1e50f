"""What the figures' codes are called: fixed label maps, the code lists' labels and the team's workers."""
from __future__ import annotations

from dataclasses import dataclass

from cases.models import (
    ClosureReason,
    Deliverer,
    EscalationKind,
    InterventionType,
    MeldingSource,
    Role,
    StaffMembership,
    TeamAction,
)
from zrm.models import Cluster, Domain, HouseholdCategory

AGE_GROUPS = {"jeugd": "Jeugd (tot 18)", "volwassenen": "Volwassenen (18–64)", "ouderen": "Ouderen (65+)"}
CATEGORY_LABELS = {**{c.value: str(c.label) for c in HouseholdCategory}, "onbekend": "Nog geen ZRM"}
NORM_LABELS = {**CATEGORY_LABELS, "top": "Top"}
CLUSTER_LABELS = {c.value: str(c.label) for c in Cluster}
ACTION_LABELS = {TeamAction.RUNNING: "Liep al", TeamAction.STARTED: "Gestart", TeamAction.STOPPED: "Gestopt"}
DELIVERER_LABELS = {d.value: str(d.label) for d in Deliverer}
ESCALATION_LABELS = {k.value: str(k.label) for k in EscalationKind}
DIRECTIONS = (("vooruit", "Vooruit"), ("gelijk", "Gelijk"), ("achteruit", "Achteruit"))
SIDES = (("baseline", "Begin"), ("latest", "Laatste"))


@dataclass
class Labels:
    sources: dict[str, str]
    reasons: dict[str, str]
    intervention_types: dict[str, str]
    domains: dict[tuple[str, str], tuple[int, str]]
    workers: list[StaffMembership]


def team_workers(team_id: int) -> list[StaffMembership]:
    """The team's social workers and leaders (also former ones), by name: the dashboard's worker filter
    and its per-worker rows."""
    return list(StaffMembership.objects.filter(team_id=team_id, role__in=[Role.SOCIAL_WORKER, Role.TEAM_LEADER])
                .select_related("user").order_by("user__last_name", "user__first_name", "pk"))


def labels(team_id: int | None = None, workers: list[StaffMembership] | None = None) -> Labels:
    """The code lists' labels, and the team's workers (`workers` when the caller read them already)."""
    if workers is None:
        workers = team_workers(team_id) if team_id is not None else []
    return Labels(
        sources=dict(MeldingSource.objects.values_list("code", "label")),
        reasons=dict(ClosureReason.objects.values_list("code", "label")),
        intervention_types=dict(InterventionType.objects.values_list("code", "label")),
        domains={(v, c): (o, n) for v, c, o, n in Domain.objects.values_list("version__code", "code", "order", "name")},
        workers=workers,
    )


def worker_name(member: StaffMembership) -> str:
    return member.user.get_full_name() or member.user.get_username()
