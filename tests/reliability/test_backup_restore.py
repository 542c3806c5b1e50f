"""`make backup` and `make restore`: a backup restored into a fresh database holds exactly the same data.

The PostgreSQL test dumps the (throwaway) test database with the real Makefile targets, restores it
into a new database of its own and compares every table's row count, every audit row column by
column, and the audit chain (manage.py verify_audit_log) in the restored copy, against the signed checkpoint
that `make backup` wrote outside the database first.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from cases import services
from common.audit import Actor
from common.models import AuditAction, AuditEvent
from tests.database import database_url
from tests.factories import StaffFactory, closure_reason, melding_source
from tests.zrm.factories import record

ROOT = Path(__file__).resolve().parents[2]


def make(target: str, **variables) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    args = ["make", "-s", "--no-print-directory", target] + [f"{k}={v}" for k, v in variables.items()]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)


def admin_connection():
    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                           password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)


def snapshot(cursor) -> dict:
    """Every table's row count, every audit row (all columns), and the triggers that guard the data."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    cursor.execute("SELECT * FROM cases_auditevent ORDER BY id")
    audit = [tuple(row) for row in cursor.fetchall()]
    cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2")
    triggers = [tuple(row) for row in cursor.fetchall()]
    return {"counts": counts, "audit": audit, "triggers": triggers}


def build_registration():
    """A little of everything: a household with members, a case through its flow, ZRM, audit rows."""
    worker = StaffFactory()
    colleague = StaffFactory(team=worker.team)
    actor = Actor(user=worker.user, source_ip="10.0.0.7")
    data = services.HouseholdData(
        postcode="9711 AB", house_number=7, street="Oosterstraat", city="Groningen",
        members=[
            services.PersonData(first_name="Anouk", last_name="Bakker", date_of_birth=dt.date(1981, 2, 3),
                                role="ouder", bsn="111222333"),
            services.PersonData(first_name="Sem", last_name="Bakker", date_of_birth=dt.date(2014, 9, 1),
                                role="kind"),
        ],
    )
    today = dt.date.today()
    case = services.register_melding(actor=actor, team=worker.team, melding_date=today - dt.timedelta(days=20),
                                     melding_source=melding_source(), regisseur=worker, new_household=data)
    case = services.register_first_contact(actor=actor, case=case, contact_date=today - dt.timedelta(days=15))
    adult = case.household.memberships.get(role="ouder").person
    record(case, adult, scores={"financien": 2, "huisvesting": 3, "justitie": "niet_relevant"})
    record(case, adult, scores={"financien": 3}, finalise=False)
    case = services.transfer_director(actor=actor, case=case, regisseur=colleague, reason="Verlof")
    services.close_case(actor=Actor(user=colleague.user), case=case, reason=closure_reason(), closed_on=today)
    return case


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restored_into_a_fresh_database_has_the_same_rows_and_an_intact_audit_chain(tmp_path):
    build_registration()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).exists()
    source = database_url(connection.settings_dict["NAME"])
    with psycopg.connect(source) as conn, conn.cursor() as cursor:  # read the same way as the restored copy
        before = snapshot(cursor)
    assert before["counts"]["cases_case"] == 1 and before["counts"]["zrm_score"] > 0
    assert ("cases_auditevent", "auditevent_append_only") in before["triggers"]

    checkpoints = tmp_path / "audit-checkpoints.log"
    backup = make("backup", DATABASE_URL=source, BACKUP_DIR=tmp_path, AUDIT_CHECKPOINT_FILE=checkpoints)
    assert backup.returncode == 0, backup.stderr
    checkpoint = json.loads(checkpoints.read_text())  # one line, the head of the chain at the backup
    assert checkpoint["kind"] == "backup" and checkpoint["seq"] == len(before["audit"])
    dumps = list(tmp_path.glob("wijkregie-*.dump"))
    assert len(dumps) == 1 and f"Back-up gemaakt: {dumps[0]}" in backup.stdout
    assert stat.S_IMODE(dumps[0].stat().st_mode) == 0o600  # personal data: readable by its owner only
    assert not list(tmp_path.glob("*.partial"))

    fresh = f"wr_helper_h_restore_{uuid.uuid4().hex[:10]}"
    with admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{fresh}"')
        try:
            restore = make("restore", FILE=dumps[0], DATABASE_URL=database_url(fresh))
            assert restore.returncode == 0, restore.stderr
            with psycopg.connect(database_url(fresh)) as restored, restored.cursor() as cursor:
                after = snapshot(cursor)
            assert after["counts"] == before["counts"]
            assert after["audit"] == before["audit"]
            assert after["triggers"] == before["triggers"]

            # The restored hash chain verifies, and the restored audit table is append-only again.
            verify = subprocess.run([sys.executable, "manage.py", "verify_audit_log"], cwd=ROOT,
                                    env={**os.environ, "DATABASE_URL": database_url(fresh),
                                         "AUDIT_CHECKPOINT_FILE": str(checkpoints)},
                                    capture_output=True, text=True, timeout=120, check=False)
            assert verify.returncode == 0, verify.stdout + verify.stderr
            assert f"{len(before['audit'])} regels" in verify.stdout
            assert f"(backup, volgnummer {checkpoint['seq']}) klopt" in verify.stdout
            with psycopg.connect(database_url(fresh)) as restored, pytest.raises(psycopg.errors.RestrictViolation):
                restored.execute("UPDATE cases_auditevent SET purpose = 'gewist'")

            # Restoring again over a database that already holds the (append-only) audit table works:
            # --clean drops and recreates the tables instead of deleting rows.
            again = make("restore", FILE=dumps[0], DATABASE_URL=database_url(fresh))
            assert again.returncode == 0, again.stderr
            with psycopg.connect(database_url(fresh)) as restored, restored.cursor() as cursor:
                assert snapshot(cursor) == before

            # A damaged file is refused and leaves the database as it was (one transaction).
            damaged = tmp_path / "kapot.dump"
            damaged.write_bytes(dumps[0].read_bytes()[: len(dumps[0].read_bytes()) // 2])
            failed = make("restore", FILE=damaged, DATABASE_URL=database_url(fresh))
            assert failed.returncode != 0 and "er is niets veranderd" in failed.stderr
            with psycopg.connect(database_url(fresh)) as restored, restored.cursor() as cursor:
                assert snapshot(cursor) == before
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


@pytest.mark.parametrize("url", [None, "mysql://root@127.0.0.1/wijkregie"], ids=["unset", "not-postgresql"])
def test_backup_without_a_postgresql_url_refuses_with_a_clear_message_and_writes_nothing(tmp_path, url):
    variables = {"BACKUP_DIR": tmp_path / "backups"}
    if url:
        variables["DATABASE_URL"] = url
    result = make("backup", **variables)
    assert result.returncode == 2
    assert "zet DATABASE_URL op de PostgreSQL-database" in result.stderr
    assert not (tmp_path / "backups").exists()


def test_restore_explains_how_to_use_it_without_a_file_or_with_a_missing_one(tmp_path):
    result = make("restore", DATABASE_URL="postgres://postgres@127.0.0.1:5432/bestaat_niet")
    assert result.returncode == 2 and "Gebruik: make restore FILE=" in result.stderr
    missing = tmp_path / "geen.dump"
    result = make("restore", FILE=missing, DATABASE_URL="postgres://postgres@127.0.0.1:5432/bestaat_niet")
    assert result.returncode == 2 and f"het bestand {missing} bestaat niet" in result.stderr
