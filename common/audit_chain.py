"""The keyed chain over the audit log: sealing appended rows in a definite order, and verifying it.

Appending an audit row (common.audit.append) takes no lock: the row goes in unsealed and a trigger
puts its id in AuditSealQueue. The sealer takes queued rows in batches, orders them by id and gives
each a seal (AuditSeal): the next sequence number, the previous seal's hash, and an HMAC-SHA256 with
a key held outside the database (settings.AUDIT_CHAIN_KEYS) over the row's fields and both. One
sealer at a time, and none ever waits for another: pg_try_advisory_xact_lock, and a sealer that finds
the lock taken leaves the rows to the one holding it. It runs after every commit that appended rows
(common.audit) and every few seconds from Celery beat (common.tasks).

Without the key nobody can reseal a changed row, so `verify_chain` finds an edit even when every later
hash was recomputed. Removing the newest rows or emptying the tables is found by comparing with the
signed checkpoints kept outside the database (common.audit_checkpoint).

Keys rotate like the BSN keys: put a new "<id>:<secret>" first in AUDIT_CHAIN_KEYS (it seals from then
on) and keep the old ones after it, as they verify the seals they made (each seal names its key id).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone

from .models import AuditEvent, AuditSeal, AuditSealQueue

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
SEAL_LOCK = 7513  # advisory lock key of the sealer (NEN 7513)
_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,32}")

EVENTS = AuditEvent._meta.db_table
SEALS = AuditSeal._meta.db_table
QUEUE = AuditSealQueue._meta.db_table
# Every column of an audit row, the primary key first: a seal covers all of them.
EVENT_COLUMNS = tuple(f.column for f in AuditEvent._meta.concrete_fields)
_EVENT_SELECT = ", ".join(f'e."{column}"' for column in EVENT_COLUMNS)


# --- Keys -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainKeys:
    current: str  # the key id that seals new rows and signs checkpoints
    secrets: dict[str, bytes]

    def secret(self, key_id: str) -> bytes | None:
        return self.secrets.get(key_id)


@lru_cache(maxsize=1)
def chain_keys() -> ChainKeys:
    """AUDIT_CHAIN_KEYS parsed: "<id>:<secret>" entries, newest first."""
    secrets: dict[str, bytes] = {}
    for entry in settings.AUDIT_CHAIN_KEYS:
        key_id, colon, secret = entry.partition(":")
        if not colon or not secret or not _KEY_ID.fullmatch(key_id):
            raise ImproperlyConfigured("AUDIT_CHAIN_KEYS: every key is '<id>:<secret>' (id: up to 32 letters, digits, "
                                       "'.', '_' or '-').")
        if key_id in secrets:
            raise ImproperlyConfigured(f"AUDIT_CHAIN_KEYS: the key id {key_id!r} appears twice.")
        secrets[key_id] = secret.encode()
    if not secrets:
        raise ImproperlyConfigured("AUDIT_CHAIN_KEYS is not set: the audit log cannot be sealed or verified.")
    return ChainKeys(current=next(iter(secrets)), secrets=secrets)


@receiver(setting_changed)
def _forget_keys(setting, **kwargs):
    if setting == "AUDIT_CHAIN_KEYS":
        chain_keys.cache_clear()


# --- The seal ---------------------------------------------------------------------------------------

def canonical(value):
    """A column value as it enters the seal: times in UTC to the microsecond, numbers and text as they are."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
    if value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, (dict, list)):  # a JSON column (changes): canonical JSON, keys sorted
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return str(value)


def event_fields(row) -> dict:
    """An audit row (values in EVENT_COLUMNS order) as sealed: every column that is not empty.

    Leaving out the empty ones keeps old seals valid when a column (defaulting to null or "") is added.
    """
    return {column: canonical(value) for column, value in zip(EVENT_COLUMNS, row) if value is not None and value != ""}


def seal_message(*, seq: int, key_id: str, sealed_at, prev_hash: str, event: dict) -> bytes:
    body = {"seq": seq, "key": key_id, "sealed_at": canonical(sealed_at), "prev": prev_hash, "event": event}
    return b"wijkregie audit seal\n" + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def seal_hash(secret: bytes, **fields) -> str:
    return hmac.new(secret, seal_message(**fields), hashlib.sha256).hexdigest()


# --- Sealing ------------------------------------------------------------------------------------------

def seal_pending(*, batch_size: int = 5000, max_batches: int | None = None) -> int:
    """Seal the queued audit rows, batch by batch, and return how many were sealed.

    Never waits: when another sealer holds the lock it returns at once (that sealer, or the next one,
    seals the rest). After each batch, with the lock released, it looks at the queue again, so a row
    whose own sealer skipped because this one held the lock is not left behind.
    """
    sealed = batches = 0
    while max_batches is None or batches < max_batches:
        batches += 1
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEAL_LOCK])
                if not cursor.fetchone()[0]:
                    return sealed
            sealed += _seal_batch(batch_size)
        if not AuditSealQueue.objects.exists():
            break
    return sealed


def _seal_batch(limit: int) -> int:
    """Under the sealer's lock: take up to `limit` queued rows and chain them onto the head, in id order."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {QUEUE} WHERE event_id IN (SELECT event_id FROM {QUEUE} ORDER BY event_id "
                       f"LIMIT %s) RETURNING event_id", [limit])
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return 0
        cursor.execute(f"SELECT {_EVENT_SELECT} FROM {EVENTS} e WHERE e.id = ANY(%s) AND NOT EXISTS "
                       f"(SELECT 1 FROM {SEALS} s WHERE s.event_id = e.id) ORDER BY e.id", [ids])
        rows = cursor.fetchall()
        if len(rows) < len(ids):
            logger.warning("audit sealer: %d queued audit rows were gone or already sealed", len(ids) - len(rows))
        seq, prev = head()
        keys = chain_keys()
        secret, now = keys.secret(keys.current), timezone.now()
        seals = []
        for row in rows:
            seq += 1
            prev_hash, prev = prev, seal_hash(secret, seq=seq, key_id=keys.current, sealed_at=now, prev_hash=prev,
                                              event=event_fields(row))
            seals.append((seq, row[0], keys.current, now, prev_hash, prev))
        columns = "seq, event_id, key_id, sealed_at, prev_hash, seal_hash"
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {SEALS} ({columns}) FROM STDIN") as copy:
            for seal in seals:
                copy.write_row(seal)
    return len(seals)


def head() -> tuple[int, str]:
    """(sequence number, hash) of the newest seal; (0, GENESIS) for an empty chain."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seq, seal_hash FROM {SEALS} ORDER BY seq DESC LIMIT 1")
        return cursor.fetchone() or (0, GENESIS)


def hash_at(seq: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT seal_hash FROM {SEALS} WHERE seq = %s", [seq])
        row = cursor.fetchone()
    return row[0] if row else None


# --- Verifying ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    code: str  # edited, recomputed, removed, unknown-key, unqueued, truncated, tail-deleted, diverged, ...
    message: str


HEADLINES = {
    "edited": "Auditlog GEWIJZIGD",
    "recomputed": "Auditlog HERBEREKEND",
    "removed": "Auditlog ONVOLLEDIG",
    "unqueued": "Auditlog ONVOLLEDIG",
    "unknown-key": "Auditlog NIET TE CONTROLEREN",
    "truncated": "Auditlog GELEEGD",
    "tail-deleted": "Auditlog INGEKORT",
    "diverged": "Auditlog HERSCHREVEN",
    "checkpoint-forged": "Checkpoint VERVALST",
}


@dataclass
class ChainReport:
    sealed: int = 0  # seals walked
    head_seq: int = 0
    head_hash: str = GENESIS
    unsealed: int = 0  # audit rows waiting for their seal
    key_ids: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def add(self, code: str, message: str) -> None:
        self.problems.append(Problem(code, message))


def verify_chain(checkpoint=None, chunk_size: int = 5000) -> ChainReport:
    """Walk the seals in sequence order and recompute each with its key; compare with `checkpoint`.

    `checkpoint` (an object with seq, head and at, its signature already checked) is the latest one
    written outside the database: a chain that ends before it lost its newest rows.
    """
    report = ChainReport()
    keys = chain_keys()
    previous, last_seq, last_event = GENESIS, 0, None
    mismatches: list[tuple[int, int]] = []  # (seq, event id) whose HMAC does not match
    gone = None  # (seq, event id) of a seal whose audit row is gone, until the next row names where
    checkpoint_hash = None
    while True:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT s.seq, s.event_id, s.key_id, s.sealed_at, s.prev_hash, s.seal_hash, "
                           f"e.id IS NOT NULL, {_EVENT_SELECT} FROM {SEALS} s "
                           f"LEFT JOIN {EVENTS} e ON e.id = s.event_id "
                           f"WHERE s.seq > %s ORDER BY s.seq LIMIT %s", [last_seq, chunk_size])
            rows = cursor.fetchall()
        if not rows:
            break
        for seq, event_id, key_id, sealed_at, prev_hash, stored, present, *event in rows:
            if gone:
                _report_gone(report, *gone, before=event_id)
                gone = None
            if seq != last_seq + 1:
                report.add("removed", f"de zegels {last_seq + 1} tot en met {seq - 1} ontbreken: regels "
                                      f"{f'na regel {last_event} ' if last_event else ''}vóór regel {event_id} zijn "
                                      f"verwijderd (rows removed).")
            elif prev_hash != previous:
                report.add("removed", f"de keten is onderbroken vóór regel {event_id} (volgnummer {seq}): een zegel "
                                      f"is vervangen of verwijderd (chain link broken).")
            secret = keys.secret(key_id)
            if not present:
                gone = (seq, event_id)
            elif secret is None:
                report.add("unknown-key", f"regel {event_id} (volgnummer {seq}) is verzegeld met sleutel {key_id!r}, "
                                          f"die niet in AUDIT_CHAIN_KEYS staat (unknown key).")
            elif not hmac.compare_digest(stored, seal_hash(secret, seq=seq, key_id=key_id, sealed_at=sealed_at,
                                                             prev_hash=prev_hash, event=event_fields(event))):
                mismatches.append((seq, event_id))
            report.key_ids.add(key_id)
            if checkpoint is not None and seq == checkpoint.seq:
                checkpoint_hash = stored
            previous, last_seq, last_event = stored, seq, event_id
    if gone:
        _report_gone(report, *gone, before=None)
    report.sealed, report.head_seq, report.head_hash = last_seq, last_seq, previous
    _classify_mismatches(report, mismatches)
    _check_unsealed(report)
    if checkpoint is not None:
        _compare_with_checkpoint(report, checkpoint, checkpoint_hash)
    return report


def _report_gone(report: ChainReport, seq: int, event_id: int, *, before: int | None) -> None:
    where = f"vóór regel {before}" if before else "de laatste verzegelde regel"
    report.add("removed", f"regel {event_id} ontbreekt (volgnummer {seq}, {where}): de regel is verwijderd, zijn zegel "
                          f"niet (row deleted).")


def _classify_mismatches(report: ChainReport, mismatches: list[tuple[int, int]]) -> None:
    """One seal that does not match: that row was edited. A run of them: the hashes from there on were
    recomputed, by someone without the key (an edit, and every later seal redone to hide it)."""
    runs: list[list[tuple[int, int]]] = []
    for seq, event_id in mismatches:
        if runs and runs[-1][-1][0] == seq - 1:
            runs[-1].append((seq, event_id))
        else:
            runs.append([(seq, event_id)])
    for run in runs:
        (seq, event_id), (last, _) = run[0], run[-1]
        if len(run) == 1:
            report.add("edited", f"regel {event_id} (volgnummer {seq}) is gewijzigd: de inhoud klopt niet meer "
                                 f"met het zegel (row edited).")
        else:
            report.add("recomputed", f"de zegels {seq} tot en met {last} kloppen niet met de sleutel: regel {event_id} "
                                     f"(volgnummer {seq}) is gewijzigd en de hashes daarna zijn herberekend zonder de "
                                     f"sleutel (hashes recomputed without the key).")


def _check_unsealed(report: ChainReport) -> None:
    """Count the rows still waiting for a seal; one that is neither sealed nor queued lost its seal."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), count(*) FILTER (WHERE q.event_id IS NULL), min(e.id) FILTER "
                       f"(WHERE q.event_id IS NULL) FROM {EVENTS} e LEFT JOIN {QUEUE} q ON q.event_id = e.id "
                       f"WHERE NOT EXISTS (SELECT 1 FROM {SEALS} s WHERE s.event_id = e.id)")
        unsealed, unqueued, first = cursor.fetchone()
    report.unsealed = unsealed
    if unqueued:
        report.add("unqueued", f"{unqueued} regels (de eerste: regel {first}) hebben geen zegel en wachten er ook niet "
                               f"op: hun zegel is verwijderd of ze zijn buiten de trigger om ingevoegd (seal deleted).")


def _compare_with_checkpoint(report: ChainReport, checkpoint, checkpoint_hash: str | None) -> None:
    if checkpoint.seq == 0:
        return
    if report.head_seq == 0:
        report.add("truncated", f"het auditlog heeft geen verzegelde regels meer, maar het checkpoint van "
                                f"{checkpoint.at} telde er {checkpoint.seq}: de tabellen zijn geleegd (TRUNCATE).")
    elif report.head_seq < checkpoint.seq:
        report.add("tail-deleted", f"de laatste {checkpoint.seq - report.head_seq} regels zijn verwijderd: de keten "
                                   f"eindigt bij volgnummer {report.head_seq}, het checkpoint van {checkpoint.at} "
                                   f"telde er {checkpoint.seq} (tail deleted).")
    elif checkpoint_hash != checkpoint.head:
        report.add("diverged", f"de keten wijkt af van het checkpoint van {checkpoint.at} bij volgnummer "
                               f"{checkpoint.seq}: het log is daarvoor herschreven (chain rewritten).")
