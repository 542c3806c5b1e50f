"""Privacy (issue 8), break-the-glass: a worker's reasoned, time-limited read access to another team's case."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from common import audit
from common.audit import Actor
from common.models import AuditAction, AuditPurpose

from .. import selectors
from ..models import BreakGlassAccess, Case, Team

BREAK_GLASS_MIN_REASON = 20
MSG_BREAK_GLASS_REASON = (f"Beschrijf waarom u deze casus moet inzien, in minstens {BREAK_GLASS_MIN_REASON} "
                          "tekens.")


# The audit purpose of a break-the-glass access and of every read under it. The reason is free text: it stays
# on the BreakGlassAccess (under retention), which the access's audit row names; never in the audit log.
PURPOSE_BREAK_GLASS = AuditPurpose.BREAK_GLASS.value


def break_the_glass(*, actor: Actor, case: Case, reason: str):
    """Record a worker's reasoned read access to another team's case, valid for BREAK_GLASS_HOURS.

    Guarantees: only sociaal werkers and teamleiders (never gemeente, beheerder, privacy officer or a
    machine client); only for a case of another team; a written reason of at least BREAK_GLASS_MIN_REASON
    characters, kept on the BreakGlassAccess (shown to the team leaders and in the subject-access export,
    cleared by retention with the case); one audit row naming the access, with the purpose code
    "break-the-glass" and never the reason (the audit log is permanent). The access lets the worker read the
    casus page and its plan versions; writes stay with the case's own team (every write path checks the
    own-team rule through selectors.get_case_for without allow_break_glass).
    """
    user = actor.user
    if actor.client != "web" or not selectors.may_break_glass(user):
        raise PermissionDenied("Alleen sociaal werkers en teamleiders kunnen een casus van een ander team openen.")
    own_teams = selectors.team_ids_of(user)
    if case.team_id in own_teams:
        raise ValidationError("Deze casus hoort bij uw eigen team; daarvoor is geen doorbreking nodig.")
    reason = " ".join((reason or "").split())
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise ValidationError({"reason": [MSG_BREAK_GLASS_REASON]})
    requester_team = Team.objects.filter(pk__in=own_teams).order_by("name", "pk").first()
    now = timezone.now()
    with transaction.atomic():
        access = BreakGlassAccess.objects.create(
            user=user, requester_team=requester_team, case=case, reason=reason, at=now,
            valid_until=now + timedelta(hours=settings.WIJKREGIE["BREAK_GLASS_HOURS"]),
        )
        audit.record(actor, AuditAction.CREATE, access, case=case, purpose=PURPOSE_BREAK_GLASS)
    return access
