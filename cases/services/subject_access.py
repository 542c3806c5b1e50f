"""Privacy (issue 8), subject access (AVG art. 15): finding the person and exporting everything on them."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from common import audit
from common.audit import Actor
from common.models import AuditAction, AuditPurpose
from common.validators import is_valid_bsn

from .. import selectors, subject_access
from ..models import Person, Role
from .base import MSG_BSN_INVALID

PURPOSE_SUBJECT_ACCESS = AuditPurpose.SUBJECT_ACCESS.value


def find_subject(*, actor: Actor, bsn: str) -> Person | None:
    """The person a subject-access request is about, found by BSN (privacy officer only); audited as SEARCH."""
    if Role.PRIVACY_OFFICER not in selectors.roles_of(actor.user):
        raise PermissionDenied("Alleen de privacy officer behandelt inzageverzoeken.")
    bsn = "".join((bsn or "").split())
    if not is_valid_bsn(bsn):
        raise ValidationError({"bsn": [MSG_BSN_INVALID]})
    person = selectors.person_by_bsn(bsn)
    if person is None:
        audit.record_call(actor, AuditAction.SEARCH, "person", purpose=PURPOSE_SUBJECT_ACCESS)
    else:
        audit.record(actor, AuditAction.SEARCH, person, person=person, purpose=PURPOSE_SUBJECT_ACCESS)
    return person


def export_subject_access(*, actor: Actor, person: Person, fmt: str) -> tuple[bytes, str]:
    """Everything on one person as JSON (audited EXPORT) or PDF (audited PRINT): (content, content type)."""
    if Role.PRIVACY_OFFICER not in selectors.roles_of(actor.user):
        raise PermissionDenied("Alleen de privacy officer behandelt inzageverzoeken.")
    if fmt not in ("json", "pdf"):
        raise ValidationError({"format": ["Kies JSON of PDF."]})
    data = subject_access.collect(person)
    if fmt == "json":
        content, content_type, action = subject_access.to_json(data), "application/json", AuditAction.EXPORT
    else:
        content, content_type, action = subject_access.to_pdf(data), "application/pdf", AuditAction.PRINT
    audit.record(actor, action, person, person=person, purpose=PURPOSE_SUBJECT_ACCESS)
    return content, content_type

