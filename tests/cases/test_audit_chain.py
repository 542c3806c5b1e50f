"""The audit log is chained by keyed seals: any change, removal or insertion is found by verify_audit_log.

The attacks on completeness (the newest rows removed, hashes recomputed, TRUNCATE, forged checkpoints) and
concurrent appends: tests/common/test_audit_log_completeness.py.
"""
import io

import pytest
from django.core.management import call_command
from django.db import connection

from common import audit, audit_chain
from common.audit import Actor
from common.models import AuditEvent, AuditSeal
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_case():
    case = CaseFactory()
    actor = Actor(user=case.regisseur.user, source_ip="10.0.0.8")
    for _ in range(3):
        audit.record(actor, "read", case, case=case)
    audit.record_many(actor, "read", [(case, None, case), (case.household, None, case)])
    audit.record_call(actor, "export", "dashboard", purpose=audit.PURPOSE_CASEWORK)
    audit_chain.seal_pending()  # as after the commit (these tests run inside one transaction)
    return case


def verify():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_log", stdout=out, stderr=err)
        return 0, out.getvalue()
    except SystemExit as exc:
        return exc.code, err.getvalue()


def test_an_untouched_log_verifies(logged_case):
    code, text = verify()
    assert code == 0 and "intact" in text
    seals = list(AuditSeal.objects.order_by("seq"))
    assert [s.seq for s in seals] == list(range(1, AuditEvent.objects.count() + 1))
    assert seals[0].prev_hash == audit_chain.GENESIS
    assert all(b.prev_hash == a.seal_hash for a, b in zip(seals, seals[1:]))


def _raw(sql, params):
    """Tamper as a database superuser would: bypass the ORM and the append-only trigger."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the rows were committed long before: checks done
        cursor.execute("SET session_replication_role = replica")  # triggers off, as a superuser can
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = origin")


def test_a_changed_row_breaks_the_chain_at_that_row(logged_case):
    target = AuditEvent.objects.order_by("pk")[2]
    _raw("UPDATE cases_auditevent SET purpose = %s WHERE id = %s", ["regiecheck", target.pk])
    code, text = verify()
    assert code == 1 and f"regel {target.pk}" in text


def test_a_removed_row_breaks_the_chain(logged_case):
    rows = list(AuditEvent.objects.order_by("pk"))
    _raw("DELETE FROM cases_auditevent WHERE id = %s", [rows[1].pk])
    code, text = verify()
    assert code == 1 and f"regel {rows[2].pk}" in text


def test_an_inserted_forged_row_breaks_the_chain(logged_case):
    last = AuditSeal.objects.order_by("-seq").first()
    forged = AuditEvent(at=last.event.at, action="read", object_type="case", object_id="1", purpose=audit.PURPOSE_CASEWORK,
                        client="web")
    AuditEvent.objects.bulk_create([forged])
    AuditSeal.objects.create(seq=last.seq + 1, event=forged, key_id=last.key_id, sealed_at=last.sealed_at,
                             prev_hash=last.seal_hash, seal_hash="f" * 64)
    code, text = verify()
    assert code == 1


def test_rows_record_the_nen7513_fields(logged_case):
    event = AuditEvent.objects.filter(action="read").first()
    assert event.user == logged_case.regisseur.user and event.source_ip == "10.0.0.8"
    assert event.client == "web" and event.purpose and event.at is not None
