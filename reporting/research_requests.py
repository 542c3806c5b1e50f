"""The research extract's requests (issue 15, finding 3): the purpose a client states is kept on a
ResearchRequest under retention; the audit log names the request and carries a code, never the text."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from common import audit
from common.audit import Actor
from common.models import AuditAction, AuditPurpose

from .models import ResearchRequest

REMOVED = "[verwijderd]"
MAX_PURPOSE = ResearchRequest._meta.get_field("purpose").max_length
SYSTEM_ACTOR = Actor(user=None, client="systeem:bewaartermijn")


def record_request(*, actor: Actor, client, purpose: str, page: str) -> ResearchRequest:
    """Keep the call and its stated purpose, and audit it as an EXPORT of that request (purpose code only)."""
    with transaction.atomic():
        request = ResearchRequest.objects.create(client=client, at=timezone.now(), page=page[:20],
                                                 purpose=purpose[:MAX_PURPOSE])
        audit.record(actor, AuditAction.EXPORT, request, purpose=AuditPurpose.RESEARCH)
    return request


def apply_retention(cutoff: dt.date, actor: Actor = SYSTEM_ACTOR) -> int:
    """Clear the stated purpose of the requests made on or before `cutoff` (the retention job's cut-off);
    who asked and when stay. Idempotent; one audit row with the count when anything was cleared."""
    with transaction.atomic():
        cleared = (ResearchRequest.objects.filter(at__date__lte=cutoff).exclude(purpose=REMOVED)
                   .update(purpose=REMOVED))
        if cleared:
            audit.record_call(actor, AuditAction.DELETE, "bewaartermijn", f"onderzoeksaanvragen={cleared}",
                              purpose=AuditPurpose.RETENTION)
    return cleared
