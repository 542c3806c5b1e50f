"""The one write path to the audit log (NEN 7513 style): who, when, what, about whom, why.

Log lines elsewhere never carry personal data; this table is where processing is recorded.
Rows are hash-chained: each row's hash covers its fields and the previous row's hash, so a
changed, removed or inserted row breaks the chain (`manage.py verify_audit_log`). Appends are
serialised with a PostgreSQL advisory lock held to the end of the writing transaction.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditAction, AuditEvent

PURPOSE_CASEWORK = "uitvoering wijkteamtaak"
PURPOSE_ADMIN = "functioneel beheer"
GENESIS = "0" * 64
_CHAIN_LOCK = 7513  # advisory lock key (NEN 7513)


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


def row_digest(event: AuditEvent, prev_hash: str) -> str:
    """SHA-256 over the row's NEN 7513 fields and the previous row's hash (canonical JSON)."""
    payload = {
        "at": event.at.isoformat(timespec="microseconds"),
        "user": event.user_id,
        "on_behalf_of": event.on_behalf_of,
        "client": event.client,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "person": event.person_id,
        "case": event.case_id,
        "purpose": event.purpose,
        "source_ip": event.source_ip,
        "prev": prev_hash,
    }
    if event.changes is not None:  # only on rows of functioneel beheer; older rows keep their hash
        payload["changes"] = event.changes
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def append(events: list[AuditEvent], batch_size: int = 2000, *, bulk: bool = False) -> list[AuditEvent]:
    """Chain and insert audit rows, in order. The only code that inserts into the audit table.

    `bulk` (a bulk import, tens of thousands of rows): the rows go in through COPY.
    """
    if not events:
        return events
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        previous = AuditEvent.objects.order_by("-pk").values_list("row_hash", flat=True).first() or GENESIS
        now = timezone.now()
        for event in events:
            event.at = event.at or now
            event.prev_hash = previous
            event.row_hash = previous = row_digest(event, previous)
        if bulk:
            _copy(events)
        else:
            AuditEvent.objects.bulk_create(events, batch_size=batch_size)
    return events


_COPY_FIELDS = ("id", "at", "user", "on_behalf_of", "client", "action", "object_type", "object_id", "person", "case",
                "purpose", "source_ip", "prev_hash", "row_hash")


def _copy(events: list[AuditEvent]) -> None:
    """Insert chained rows through COPY, with the values bulk_create would write, in chain order.

    The primary keys are drawn from the table's sequence first, ascending, while the chain lock is held:
    pk order stays chain order (verify_chain walks by pk). Much cheaper than bulk_create's INSERT for
    tens of thousands of rows, which spells out every value in the statement.
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
                                db_value(11, e.source_ip), e.prev_hash, e.row_hash))


class _PendingRow:
    """An audit row on its way into the table through COPY: the fields of an AuditEvent (row_digest and
    _copy read them), without the cost of a model instance for each of tens of thousands of rows."""

    __slots__ = tuple(field.attname for field in AuditEvent._meta.concrete_fields)

    def __init__(self, *values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)


def _event(actor: Actor, action, object_type: str, object_id: str, *, person=None, case=None,
           purpose: str = PURPOSE_CASEWORK, changes: dict | None = None) -> AuditEvent:
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


def verify_chain(chunk_size: int = 5000):
    """Walk the log in insertion order. Returns (rows checked, pk of the first broken row or None)."""
    previous = GENESIS
    checked = 0
    rows = AuditEvent.objects.order_by("pk").only(
        "pk", "at", "user_id", "on_behalf_of", "client", "action", "object_type", "object_id", "person_id",
        "case_id", "purpose", "source_ip", "changes", "prev_hash", "row_hash",
    ).iterator(chunk_size=chunk_size)
    for event in rows:
        if event.prev_hash != previous or row_digest(event, previous) != event.row_hash:
            return checked, event.pk
        previous = event.row_hash
        checked += 1
    return checked, None
