"""Four eyes on every grant of access to personal data.

A grant (an API client with a personal-data scope, a staff membership or role) is first a request
(AccessGrantRequest): it changes nothing. It takes effect when another beheerder approves it; the
requester can never decide on their own request (here, and a database constraint). The layer that owns
the target registers a kind with its applier: common registers API clients (common.services), cases
registers staff memberships in CasesConfig.ready, so common never imports cases. Who may decide is
asked of the authority that cases registers too (the beheerder role); without one, only superusers.

Submitting, approving and rejecting are audit events with the requested change as ids and codes; the
decision's free-text reason stays on the request, not in the permanent audit log.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from . import audit
from .models import AccessGrantRequest, AuditAction, GrantDecision


@dataclass(frozen=True)
class GrantOutcome:
    """What applying a grant did: the target's id, its change for the audit log and, once, a secret for the
    approver (an API client's new token); the secret is never stored."""

    target_id: str
    action: str = AuditAction.UPDATE
    changes: dict = field(default_factory=dict)
    secret: str = ""


@dataclass(frozen=True)
class GrantKind:
    code: str
    label: str
    target_type: str
    # apply(request, actor) -> GrantOutcome, inside the approving transaction; raises ValidationError when the
    # grant may not (or no longer) be applied, which leaves the request pending.
    apply: Callable
    # describe(request) -> one line for the beheerder, in ids and codes made readable (no personal data values).
    describe: Callable
    # Fields of the state whose values stay out of the audit log (it says only that they changed).
    redacted: frozenset = frozenset()

    def audit_diff(self, changes: dict) -> dict:
        return {name: {"changed": True} if name in self.redacted else change for name, change in changes.items()}


_kinds: dict[str, GrantKind] = {}
_authority: list[Callable] = []


def register(kind: GrantKind) -> None:
    _kinds[kind.code] = kind


def register_authority(may_decide: Callable) -> None:
    """may_decide(user) -> bool: who may approve or reject (cases: an active beheerder)."""
    _authority[:] = [may_decide]


def kind_label(code: str) -> str:
    kind = _kinds.get(code)
    return kind.label if kind else code


def describe(request: AccessGrantRequest) -> str:
    kind = _kinds.get(request.kind)
    return kind.describe(request) if kind else request.kind


def may_decide(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if _authority:
        return bool(_authority[0](user))
    return bool(user.is_superuser)


def pending(kind: str | None = None):
    requests = AccessGrantRequest.objects.filter(decision=GrantDecision.PENDING)
    return requests.filter(kind=kind) if kind else requests


def diff(before: dict | None, after: dict) -> dict:
    """Field -> {"before", "after"} for the fields that differ (every field of `after` for something new)."""
    before = before or {}
    return {name: {"before": before.get(name), "after": value}
            for name, value in after.items() if before.get(name) != value}


def submit(*, actor: audit.Actor, kind: str, after: dict, before: dict | None = None,
           target_id: str = "") -> AccessGrantRequest:
    """Record a request for a grant; nothing else changes until another beheerder approves it."""
    if kind not in _kinds:
        raise ValueError(f"unknown grant kind {kind!r}")
    if not may_decide(actor.user):
        raise PermissionDenied("Alleen een functioneel beheerder vraagt toegang aan.")
    spec = _kinds[kind]
    with transaction.atomic():
        if target_id and AccessGrantRequest.objects.filter(
                kind=kind, target_id=target_id, decision=GrantDecision.PENDING).exists():
            raise ValidationError("Hiervoor wacht al een aanvraag op beoordeling; laat die eerst beoordelen.")
        request = AccessGrantRequest.objects.create(
            kind=kind, target_type=spec.target_type, target_id=target_id, before=before, after=after,
            requested_by=actor.user, requested_at=timezone.now(),
        )
        audit.record(actor, AuditAction.CREATE, request, purpose=audit.PURPOSE_ADMIN, changes={
            "grant": kind, "target": f"{spec.target_type}:{target_id or 'nieuw'}",
            "fields": spec.audit_diff(diff(before, after)),
        })
    return request


def _decidable(actor: audit.Actor, request_id: int) -> AccessGrantRequest:
    request = AccessGrantRequest.objects.select_for_update().get(pk=request_id)
    if request.decision != GrantDecision.PENDING:
        raise ValidationError("Deze aanvraag is al beoordeeld.")
    user = actor.user
    if getattr(user, "pk", None) == request.requested_by_id:
        raise PermissionDenied("Vier ogen: een andere beheerder beoordeelt deze aanvraag, niet de aanvrager.")
    if not may_decide(user):
        raise PermissionDenied("Alleen een functioneel beheerder beoordeelt toegangsaanvragen.")
    return request


def approve(*, actor: audit.Actor, request_id: int, reason: str = "") -> GrantOutcome:
    """Apply the requested grant, as another beheerder than the requester. Returns what was done, with the
    secret (an API client's new token) to show this once to the approver."""
    with transaction.atomic():
        request = _decidable(actor, request_id)
        outcome = _kinds[request.kind].apply(request, actor)
        request.decision, request.decided_by, request.decided_at = GrantDecision.APPROVED, actor.user, timezone.now()
        request.reason = (reason or "").strip()
        request.target_id = outcome.target_id
        request.save(update_fields=["decision", "decided_by", "decided_at", "reason", "target_id"])
        audit.record(actor, AuditAction.UPDATE, request, purpose=audit.PURPOSE_ADMIN, changes={
            "grant": request.kind, "decision": GrantDecision.APPROVED, "requested_by": request.requested_by_id,
        })
        spec = _kinds[request.kind]
        audit.record_change(actor, outcome.action, spec.target_type, outcome.target_id,
                            changes={"grant_request": request.pk, "fields": spec.audit_diff(outcome.changes)})
    return outcome


def reject(*, actor: audit.Actor, request_id: int, reason: str) -> AccessGrantRequest:
    """Refuse a request (another beheerder than the requester, with a reason); nothing is applied."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Geef een reden voor de afwijzing."})
    with transaction.atomic():
        request = _decidable(actor, request_id)
        request.decision, request.decided_by, request.decided_at = GrantDecision.REJECTED, actor.user, timezone.now()
        request.reason = reason
        request.save(update_fields=["decision", "decided_by", "decided_at", "reason"])
        audit.record(actor, AuditAction.UPDATE, request, purpose=audit.PURPOSE_ADMIN, changes={
            "grant": request.kind, "decision": GrantDecision.REJECTED, "requested_by": request.requested_by_id,
        })
    return request
