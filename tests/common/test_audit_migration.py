"""Upgrading a database whose audit log was chained with plain SHA-256 (before the keyed seals).

The migration checks the old chain, queues every row, and the sealer run after `migrate` seals them in
their original (id) order: `verify_audit_log` says intact. An old chain that was already broken is not
sealed as if it were whole unless the operator says so.
"""
from __future__ import annotations

import datetime as dt
import importlib
import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from common.models import AuditSeal

legacy = importlib.import_module("common.migrations.0004_audit_seals")


def insert_legacy_rows(count: int, *, break_at: int | None = None) -> list[int]:
    """Rows as the code before the seals wrote them: one unchained row from before 0008, then a chain."""
    start = timezone.now() - dt.timedelta(days=30)
    ids, previous = [], legacy.GENESIS
    with connection.cursor() as cursor:
        for number in range(count):
            row = SimpleNamespace(at=start + dt.timedelta(minutes=number, microseconds=number), user_id=None,
                                  on_behalf_of="", client="web", action="read", object_type="case",
                                  object_id=str(number), person_id=None, case_id=None, purpose="uitvoering wijkteamtaak",
                                  source_ip="10.0.0.8")
            if number == 0:
                prev_hash = row_hash = ""  # cases/0008 added the chain to an existing log
            else:
                prev_hash, row_hash = previous, legacy.legacy_digest(row, previous)
                previous = row_hash
            if number == break_at:
                row.purpose = "functioneel beheer"
            cursor.execute(
                "INSERT INTO cases_auditevent (at, on_behalf_of, client, action, object_type, object_id, purpose, "
                "source_ip, prev_hash, row_hash) VALUES (%s, '', 'web', 'read', 'case', %s, %s, %s, %s, %s) "
                "RETURNING id",
                [row.at, row.object_id, row.purpose, row.source_ip, prev_hash, row_hash])
            ids.append(cursor.fetchone()[0])
    return ids


def verify() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_log", stdout=out, stderr=err)
        return 0, out.getvalue()
    except SystemExit as exc:
        return exc.code, err.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_older_log_is_sealed_by_the_upgrade_in_its_order_and_verifies(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.log")
    call_command("migrate", "common", "0001", verbosity=0)
    try:
        ids = insert_legacy_rows(12)
        call_command("migrate", verbosity=0)
        assert list(AuditSeal.objects.order_by("seq").values_list("event_id", flat=True)) == ids
        code, text = verify()
        assert code == 0 and "Auditlog intact: 12 regels" in text and "Nog niet verzegeld: 0 regels" in text
    finally:
        call_command("migrate", verbosity=0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_older_log_that_was_already_changed_is_not_sealed_as_whole(monkeypatch, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.log")
    call_command("migrate", "common", "0001", verbosity=0)
    try:
        ids = insert_legacy_rows(6, break_at=3)
        with pytest.raises(RuntimeError, match=f"de SHA-256-keten breekt bij regel {ids[3]}"):
            call_command("migrate", verbosity=0)
        assert "common_auditseal" not in connection.introspection.table_names()  # the migration was rolled back
        monkeypatch.setenv("AUDIT_SEAL_BROKEN_LEGACY_LOG", "1")  # the operator looked into it
        call_command("migrate", verbosity=0, stdout=io.StringIO())
        assert AuditSeal.objects.count() == 6 and verify()[0] == 0
    finally:
        call_command("migrate", verbosity=0)
