"""Who may see what: team memberships, need-to-know on cases, break-the-glass access."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from common.models import Scope

from ..models import TEAM_ROLES, BreakGlassAccess, Case, Role, StaffMembership, Team


def active_memberships(user) -> QuerySet[StaffMembership]:
    if not getattr(user, "is_authenticated", False) or getattr(user, "client", None) is not None:
        return StaffMembership.objects.none()  # anonymous, or a machine client (no staff memberships)
    return StaffMembership.objects.filter(user=user, active=True).select_related("team")


def roles_of(user) -> set[str]:
    return set(active_memberships(user).values_list("role", flat=True))


def team_ids_of(user) -> set[int]:
    """Teams whose personal data this user may see (need-to-know: own team only).

    A machine client with a registration scope sees exactly the teams it was given.
    """
    client = getattr(user, "client", None)
    if client is not None:
        if {Scope.REGISTRATION_READ, Scope.REGISTRATION_WRITE} & set(client.scopes or []):
            return set(client.teams.values_list("pk", flat=True))
        return set()
    memberships = active_memberships(user).filter(role__in=[r.value for r in (Role.ADMINISTRATOR, *TEAM_ROLES)])
    rows = list(memberships.values_list("role", "team_id"))
    if any(role == Role.ADMINISTRATOR for role, _ in rows):
        return set()  # separation of duties: a beheerder never sees a team's cases (also a trigger on memberships)
    return {team_id for _, team_id in rows}


def is_team_leader(user, team_id: int) -> bool:
    return active_memberships(user).filter(role=Role.TEAM_LEADER, team_id=team_id).exists()


def cases_visible_to(user) -> QuerySet[Case]:
    return Case.objects.filter(team_id__in=team_ids_of(user))


class NeedToKnow(PermissionDenied):
    """403: the case belongs to another team. Carries the case so the casus page can offer break-the-glass."""
    def __init__(self, case: Case):
        super().__init__("Deze casus hoort bij een ander team.")
        self.case = case


def get_case_for(user, pk: int, *, allow_break_glass: bool = False) -> Case:
    """The case, if the user's team holds it; 404 when it does not exist, 403 when it is another team's.

    With `allow_break_glass` (read-only screens only), a user with a valid break-the-glass access to the
    case gets it too, with that access as `case.break_glass`; every other caller (all writes) keeps the
    own-team rule.
    """
    # closure_reason and reopened_from (mostly empty) load on first use: two more joins cost PostgreSQL
    # more planning time than the lookup they save on a closed or reopened case.
    case = get_object_or_404(
        Case.objects.select_related("household", "team", "melding_source", "regisseur__user"), pk=pk,
    )
    if case.team_id not in team_ids_of(user):
        access = active_break_glass(user, case.pk) if allow_break_glass else None
        if access is None:
            raise NeedToKnow(case)
        case.break_glass = access
    return case


def membership_for_team(user, team_id: int) -> StaffMembership | None:
    return active_memberships(user).filter(team_id=team_id, role__in=[r.value for r in TEAM_ROLES]).first()


def directors_for_team(team_id: int) -> QuerySet[StaffMembership]:
    """Staff who may direct a case of this team."""
    return (
        StaffMembership.objects.filter(team_id=team_id, active=True, role__in=[r.value for r in TEAM_ROLES])
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def led_teams(user):
    """Teams this user leads (the team page is theirs)."""
    return Team.objects.filter(
        memberships__user=user, memberships__active=True, memberships__role=Role.TEAM_LEADER
    ).distinct().order_by("name")


def may_break_glass(user) -> bool:
    """Only sociaal werkers and teamleiders may break the glass; gemeente, beheerder, privacy officer and
    machine clients never."""
    return active_memberships(user).filter(role__in=[r.value for r in TEAM_ROLES]).exists()


def active_break_glass(user, case_id: int, now=None):
    """The user's break-the-glass access to this case that is valid now, or None."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "client", None) is not None:
        return None
    now = now or timezone.now()
    return (BreakGlassAccess.objects.filter(user=user, case_id=case_id, at__lte=now, valid_until__gt=now)
            .order_by("-valid_until").first())


def organisations_of(user) -> set[int]:
    """The home organisations of the user's active team memberships (the asking party of a regiecheck).
    Machine clients have none."""
    return set(
        active_memberships(user).filter(role__in=[r.value for r in TEAM_ROLES], home_organisation__isnull=False)
        .values_list("home_organisation_id", flat=True)
    )
