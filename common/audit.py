"""The one write path to the audit log (NEN 7513 style): who, when, what, about whom, why.

Log lines elsewhere never carry personal data; this table is where processing is recorded.
Appending takes no lock, so concurrent requests never queue on the log: rows go in unsealed and the
sealer (common/audit_chain.py) chains them into the keyed chain right after the commit, without
waiting for another sealer, and every few seconds from Celery beat. `manage.py verify_audit_log`
checks the chain and the signed checkpoints kept outside the database (common/audit_checkpoint.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import audit_chain
from .models import AuditAction, AuditEvent, AuditPurpose

PURPOSE_CASEWORK = AuditPurpose.CASEWORK.value
PURPOSE_ADMIN = AuditPurpose.ADMIN.value


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
        if client is not None:  # a machine client (common.api.authentication.ApiClientPrincipal)
            return cls(user=None, client=f"api:{client.name}", source_ip=request.META.get("REMOTE_ADDR"))
        return cls(user=request.user, client="web", source_ip=request.META.get("REMOTE_ADDR"))


def _user(actor: Actor):
    """The Django user behind the actor; None for anonymous and machine clients (named in `client`)."""
    user = actor.user
    if not getattr(user, "is_authenticated", False) or getattr(user, "client", None) is not None:
        return None
    return user


def append(events: list[AuditEvent], batch_size: int = 2000, *, bulk: bool = False) -> list[AuditEvent]:
    """Insert audit rows, in order. The only code that inserts into the audit table.

    `bulk` (a bulk import, tens of thousands of rows): the rows go in through COPY. No lock: a trigger
    queues the rows for the sealer, which runs once the outermost transaction has committed.
    """
    if not events:
        return events
    with transaction.atomic():
        now = timezone.now()
        for event in events:
            event.at = event.at or now
        if bulk:
            _copy(events)
        else:
            AuditEvent.objects.bulk_create(events, batch_size=batch_size)
        _seal_after_commit()
    return events


def seal_committed_rows() -> None:
    """The on_commit callback of a transaction that appended rows: seal them unless another sealer is at it."""
    audit_chain.seal_pending(max_batches=20)  # a bulk import's rows beyond that: the next sealer, or beat


def _seal_after_commit() -> None:
    """Run the sealer once the writing transaction commits (once per transaction, however many appends)."""
    if settings.AUDIT_SEAL_AFTER_COMMIT and not any(entry[1] is seal_committed_rows
                                                    for entry in connection.run_on_commit):
        transaction.on_commit(seal_committed_rows, robust=True)


_COPY_FIELDS = ("id", "at", "user", "on_behalf_of", "client", "action", "object_type", "object_id", "person", "case",
                "purpose", "source_ip")


def _copy(events: list[AuditEvent]) -> None:
    """Insert rows through COPY, with the values bulk_create would write, in order.

    The primary keys are drawn from the table's sequence first, ascending (the sealer seals a batch in
    id order). Much cheaper than bulk_create's INSERT for tens of thousands of rows, which spells out
    every value in the statement.
    """
    meta = AuditEvent._meta
    fields = [meta.get_field(name) for name in _COPY_FIELDS]
    prepared: list[dict] = [{} for _ in fields]  # field -> python value -> database value (few distinct values)

    def db_value(index: int, value):
        try:
            return prepared[index][value]
        except KeyError:
            converted = prepared[index][value] = fields[index].get_db_prep_save(value, connection)
            return converted

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) ORDER BY 1",
                       [meta.db_table, meta.pk.column, len(events)])
        for event, (pk,) in zip(events, cursor.fetchall()):
            event.id = pk
            if isinstance(event, AuditEvent):
                event._state.adding, event._state.db = False, connection.alias
        sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for e in events:
                # at and source_ip as Django converts them (timestamp, inet); the rest are plain values
                copy.write_row((e.id, db_value(1, e.at), e.user_id, e.on_behalf_of, e.client, e.action,
                                e.object_type, e.object_id, e.person_id, e.case_id, e.purpose,
                                db_value(11, e.source_ip)))


class _PendingRow:
    """An audit row on its way into the table through COPY: the fields of an AuditEvent (_copy reads
    them), without the cost of a model instance for each of tens of thousands of rows."""

    __slots__ = tuple(field.attname for field in AuditEvent._meta.concrete_fields)

    def __init__(self, *values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)


def purpose_code(purpose: str) -> str:
    """`purpose` when it is one of the codes of AuditPurpose; anything else (free text) is refused.

    The audit log is permanent: text a user typed belongs with its own record, under retention.
    """
    if purpose not in AuditPurpose.values:
        # The message leaves the value out: it may be the very text that must not be logged.
        raise ValueError("The audit purpose is not a code of common.models.AuditPurpose.")
    return AuditPurpose(purpose).value


def _event(actor: Actor, action, object_type: str, object_id: str, *, person=None, case=None,
           purpose: str = PURPOSE_CASEWORK, changes: dict | None = None) -> AuditEvent:
    purpose = purpose_code(purpose)
    return AuditEvent(
        user=_user(actor), client=actor.client, on_behalf_of=actor.on_behalf_of, source_ip=actor.source_ip,
        action=action, object_type=object_type, object_id=object_id,
        person_id=getattr(person, "pk", person), case_id=getattr(case, "pk", case), purpose=purpose,
        changes=changes,
    )


def record(actor: Actor, action: AuditAction, obj, *, person=None, case=None, purpose: str = PURPOSE_CASEWORK,
           changes: dict | None = None):
    """Append one audit row for `action` on `obj` (a model instance)."""
    return append([_event(actor, action, obj._meta.model_name, str(obj.pk), person=person, case=case,
                          purpose=purpose, changes=changes)])[0]


def record_many(actor: Actor, action: AuditAction, rows, *, purpose: str = PURPOSE_CASEWORK, bulk: bool = False):
    """Append one audit row per (obj, person, case) triple, in one INSERT (COPY for `bulk`, see append).

    The same rows as `_event` makes, built the way Django builds rows read from the database (every field
    positionally): a bulk import records tens of thousands of them, and they need no model instance at all
    (COPY).
    """
    purpose = purpose_code(purpose)
    make = _PendingRow if bulk else AuditEvent
    fields = AuditEvent._meta.concrete_fields
    user = _user(actor)
    shared = {field.attname: field.get_default() for field in fields}
    shared.update(user_id=getattr(user, "pk", None), client=actor.client, on_behalf_of=actor.on_behalf_of,
                  source_ip=actor.source_ip, action=action, purpose=purpose)
    names = [field.attname for field in fields]
    events = []
    for obj, person, case in rows:
        values = dict(shared, object_type=obj._meta.model_name, object_id=str(obj.pk),
                      person_id=getattr(person, "pk", person), case_id=getattr(case, "pk", case))
        events.append(make(*[values[name] for name in names]))
    append(events, bulk=bulk)


def record_call(actor: Actor, action: AuditAction, object_type: str, object_id: str = "", *, purpose: str):
    """An audit row for processing that is not about one model instance (an extract, an export)."""
    return append([_event(actor, action, object_type, object_id, purpose=purpose)])[0]


def record_change(actor: Actor, action: AuditAction, object_type: str, object_id: str, *, changes: dict,
                  purpose: str = PURPOSE_ADMIN):
    """An audit row for a change of configuration or access (functioneel beheer). `changes`: what changed as ids
    and codes (field -> before/after, common.admin_audit), never personal data values such as names or BSNs."""
    return append([_event(actor, action, object_type, object_id, purpose=purpose, changes=changes)])[0]
