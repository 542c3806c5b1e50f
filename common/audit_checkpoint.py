"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint is one line: the chain's sequence number and head hash at a moment, the time, the id of the
AUDIT_CHAIN_KEYS key that signed it and an HMAC-SHA256 signature over them. Written every hour (Celery
beat, common.tasks) and before every backup (`make backup` runs `manage.py audit_checkpoint --reason
backup`), appended to AUDIT_CHECKPOINT_FILE or sent to syslog (AUDIT_CHECKPOINT_SINK). Whoever can change
the database cannot change what was written there nor sign a new line without the key, so
`verify_audit_log` finds rows deleted from the end and an emptied table by comparing with the latest one.

A checkpoint continues the previous one: it is refused when the chain no longer holds the previous head
(the log was cut or rewritten in between). After restoring an older backup the operator records that with
`audit_checkpoint --reason restore`, which writes a checkpoint at the restored head regardless.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import logging.handlers
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import audit_chain

logger = logging.getLogger(__name__)

KINDS = ("hourly", "backup", "manual", "restore")
SYSLOG_TAG = "wijkregie-audit-checkpoint: "
_FIELDS = ("v", "kind", "seq", "head", "at", "key")


class CheckpointRefused(Exception):
    """The chain does not continue the previous checkpoint: no new one is written over the gap."""


@dataclass(frozen=True)
class Checkpoint:
    v: int
    kind: str
    seq: int
    head: str
    at: str
    key: str
    sig: str = ""

    def body(self) -> dict:
        return {name: getattr(self, name) for name in _FIELDS}

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class CheckpointLine:
    """A line read back: the checkpoint, or why it is not one that can be trusted."""

    number: int
    checkpoint: Checkpoint | None
    problem: str = ""


def signature(body: dict, secret: bytes) -> str:
    message = b"wijkregie audit checkpoint\n" + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def signature_problem(checkpoint: Checkpoint) -> str:
    """Empty when the checkpoint was signed with a key of AUDIT_CHAIN_KEYS; else what is wrong."""
    secret = audit_chain.chain_keys().secret(checkpoint.key)
    if secret is None:
        return f"ondertekend met sleutel {checkpoint.key!r}, die niet in AUDIT_CHAIN_KEYS staat"
    if not hmac.compare_digest(checkpoint.sig, signature(checkpoint.body(), secret)):
        return "de handtekening klopt niet (signature invalid)"
    return ""


def parse(text: str, number: int = 0) -> CheckpointLine:
    """One line of a checkpoint file or of a syslog export (anything before the JSON object is ignored)."""
    start, end = text.find("{"), text.rfind("}")
    try:
        data = json.loads(text[start:end + 1]) if 0 <= start < end else None
        checkpoint = Checkpoint(v=int(data["v"]), kind=str(data["kind"]), seq=int(data["seq"]), head=str(data["head"]),
                                at=str(data["at"]), key=str(data["key"]), sig=str(data.get("sig", "")))
    except (ValueError, TypeError, KeyError):
        return CheckpointLine(number, None, "geen leesbaar checkpoint (unreadable)")
    return CheckpointLine(number, checkpoint, signature_problem(checkpoint))


def read(path: str | os.PathLike) -> list[CheckpointLine]:
    """Every checkpoint line of a file, in order; [] when the file does not exist."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [parse(line, number) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


def latest_trusted(lines: list[CheckpointLine]) -> Checkpoint | None:
    return next((line.checkpoint for line in reversed(lines) if line.checkpoint and not line.problem), None)


def write_checkpoint(kind: str = "manual") -> Checkpoint:
    """Seal what is queued, then sign the chain's head and hand it to the configured sink."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    audit_chain.seal_pending()
    seq, head = audit_chain.head()
    if kind != "restore":
        _check_continuity(seq)
    keys = audit_chain.chain_keys()
    unsigned = Checkpoint(v=1, kind=kind, seq=seq, head=head, key=keys.current,
                          at=timezone.now().astimezone(dt.timezone.utc).isoformat(timespec="seconds"))
    checkpoint = Checkpoint(**{**asdict(unsigned), "sig": signature(unsigned.body(), keys.secret(keys.current))})
    if settings.AUDIT_CHECKPOINT_SINK == "syslog":
        _to_syslog(checkpoint.line())
    else:
        _append_to_file(settings.AUDIT_CHECKPOINT_FILE, checkpoint.line())
    return checkpoint


def _check_continuity(seq: int) -> None:
    """Refuse to write over a cut: the chain must still hold the previous checkpoint's head."""
    if settings.AUDIT_CHECKPOINT_SINK != "file":
        return  # syslog cannot be read back here; verify_audit_log --checkpoint-file compares with an export
    lines = read(settings.AUDIT_CHECKPOINT_FILE)
    if not lines:
        return
    last = lines[-1]
    if last.problem:
        raise CheckpointRefused(f"het laatste checkpoint (regel {last.number} van {settings.AUDIT_CHECKPOINT_FILE}) "
                                f"is niet te vertrouwen: {last.problem}.")
    previous = last.checkpoint
    if previous.seq and (seq < previous.seq or audit_chain.hash_at(previous.seq) != previous.head):
        raise CheckpointRefused(
            f"de keten sluit niet aan op het checkpoint van {previous.at} (volgnummer {previous.seq}); controleer met "
            f"`manage.py verify_audit_log`. Na het terugzetten van een back-up: `manage.py audit_checkpoint "
            f"--reason restore`.")


def _append_to_file(path: str | os.PathLike, line: str) -> None:
    """Append one line with one write (O_APPEND), on disk before returning."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (line + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def syslog_address(value: str):
    """A socket path ("/dev/log") or host:port (UDP)."""
    if value.startswith("/"):
        return value
    host, _, port = value.rpartition(":")
    return (host or "localhost", int(port or 514))


class _SyslogHandler(logging.handlers.SysLogHandler):
    def handleError(self, record):  # noqa: N802 - a checkpoint that did not leave must not pass silently
        raise


def _to_syslog(line: str) -> None:
    handler = _SyslogHandler(address=syslog_address(settings.AUDIT_CHECKPOINT_SYSLOG_ADDRESS),
                             facility=logging.handlers.SysLogHandler.LOG_AUTH)
    try:
        handler.emit(logging.LogRecord("wijkregie.audit", logging.INFO, __file__, 0, SYSLOG_TAG + line, None, None))
    finally:
        handler.close()
