"""The one write path to the audit log (NEN 7513 style): who, when, what, about whom, why.

Log lines elsewhere never carry personal data; this table is where processing is recorded.
"""
from __future__ import annotations

from dataclasses import dataclass

from .models import AuditAction, AuditEvent

PURPOSE_CASEWORK = "uitvoering wijkteamtaak"
PURPOSE_ADMIN = "functioneel beheer"


@dataclass(frozen=True)
class Actor:
    """Who processes the data: a staff user through the web, or an API client."""

    user: object | None
    client: str = "web"
    on_behalf_of: str = ""
    source_ip: str | None = None

    @classmethod
    def from_request(cls, request) -> "Actor":
        client = getattr(request.user, "client", None)
        if client is not None:  # a machine client (cases.api.authentication.ApiClientPrincipal)
            return cls(user=None, client=f"api:{client.name}", source_ip=request.META.get("REMOTE_ADDR"))
        return cls(user=request.user, client="web", source_ip=request.META.get("REMOTE_ADDR"))


def _user(actor: Actor):
    """The Django user behind the actor; None for anonymous and machine clients (named in `client`)."""
    user = actor.user
    if not getattr(user, "is_authenticated", False) or getattr(user, "client", None) is not None:
        return None
    return user


def record(actor: Actor, action: AuditAction, obj, *, person=None, case=None, purpose: str = PURPOSE_CASEWORK):
    """Append one audit row for `action` on `obj` (a model instance)."""
    return AuditEvent.objects.create(
        user=_user(actor),
        client=actor.client,
        on_behalf_of=actor.on_behalf_of,
        source_ip=actor.source_ip,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        person=person,
        case=case,
        purpose=purpose,
    )


def record_many(actor: Actor, action: AuditAction, rows, *, purpose: str = PURPOSE_CASEWORK):
    """Append one audit row per (obj, person, case) triple, in one INSERT."""
    user = _user(actor)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            user=user, client=actor.client, on_behalf_of=actor.on_behalf_of, source_ip=actor.source_ip,
            action=action, object_type=obj._meta.model_name, object_id=str(obj.pk),
            person=person, case=case, purpose=purpose,
        )
        for obj, person, case in rows
    )


def record_call(actor: Actor, action: AuditAction, object_type: str, object_id: str = "", *, purpose: str):
    """An audit row for processing that is not about one model instance (an extract, an export)."""
    return AuditEvent.objects.create(
        user=_user(actor), client=actor.client, on_behalf_of=actor.on_behalf_of, source_ip=actor.source_ip,
        action=action, object_type=object_type, object_id=object_id, purpose=purpose,
    )
