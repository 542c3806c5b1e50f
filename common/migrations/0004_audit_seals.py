"""The keyed chain over the audit log (common/audit_chain.py), and no TRUNCATE of it.

- common_auditseal: one seal per audit row, insert-only like the rows themselves (UPDATE, DELETE and
  TRUNCATE rejected);
- common_auditsealqueue: the rows waiting for their seal, filled by a statement-level trigger on every
  insert into the audit table (INSERT and COPY alike);
- cases_auditevent rejects TRUNCATE too (the row triggers of cases/0003 never fire for it).

The triggers are plain SQL rather than pgtrigger declarations on the models: pgtrigger's triggers step
aside for any session that sets `pgtrigger.ignore`, which any database user may do.

The rows already in the log were chained with plain SHA-256 (prev_hash, row_hash). That chain is checked
here, once: a log that was already broken is not sealed as if it were whole (the migration stops and says
where; AUDIT_SEAL_BROKEN_LEGACY_LOG=1 seals it as found). Then every row is queued, and the sealer seals
them in id order, their original order: right after `migrate` (CommonConfig's post_migrate handler), or
at the latest at the next append or beat run.
Migration 0003 then drops the old columns.
"""
import hashlib
import json
import os

import django.db.models.deletion
from django.db import migrations, models

GENESIS = "0" * 64

FORWARD = r"""
CREATE TRIGGER auditevent_no_truncate BEFORE TRUNCATE ON cases_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION wijkregie_append_only();

CREATE TRIGGER auditseal_append_only BEFORE UPDATE OR DELETE ON common_auditseal
  FOR EACH ROW EXECUTE FUNCTION wijkregie_append_only();
CREATE TRIGGER auditseal_no_truncate BEFORE TRUNCATE ON common_auditseal
  FOR EACH STATEMENT EXECUTE FUNCTION wijkregie_append_only();

CREATE OR REPLACE FUNCTION wijkregie_audit_queue_for_sealing() RETURNS trigger AS $$
BEGIN
  INSERT INTO common_auditsealqueue (event_id) SELECT id FROM new_rows;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER auditevent_queue_for_sealing AFTER INSERT ON cases_auditevent
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION wijkregie_audit_queue_for_sealing();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS auditevent_queue_for_sealing ON cases_auditevent;
DROP FUNCTION IF EXISTS wijkregie_audit_queue_for_sealing();
DROP TRIGGER IF EXISTS auditseal_no_truncate ON common_auditseal;
DROP TRIGGER IF EXISTS auditseal_append_only ON common_auditseal;
DROP TRIGGER IF EXISTS auditevent_no_truncate ON cases_auditevent;
"""


def legacy_digest(event, prev_hash: str) -> str:
    """The SHA-256 of the chain before the keyed seal (common/audit.py up to this migration)."""
    payload = {
        "at": event.at.isoformat(timespec="microseconds"), "user": event.user_id, "on_behalf_of": event.on_behalf_of,
        "client": event.client, "action": event.action, "object_type": event.object_type,
        "object_id": event.object_id, "person": event.person_id, "case": event.case_id, "purpose": event.purpose,
        "source_ip": event.source_ip, "prev": prev_hash,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def check_legacy_chain_and_queue(apps, schema_editor):
    AuditEvent = apps.get_model("common", "AuditEvent")
    previous, chained, broken = GENESIS, False, []
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=5000):
        if not event.row_hash and not chained:
            continue  # written before the hash chain existed (cases/0008)
        chained = True
        if event.prev_hash != previous or legacy_digest(event, previous) != event.row_hash:
            broken.append(event.pk)
        previous = event.row_hash
    if broken and os.environ.get("AUDIT_SEAL_BROKEN_LEGACY_LOG") != "1":
        raise RuntimeError(
            f"Het auditlog is al gewijzigd: de SHA-256-keten breekt bij regel {broken[0]} ({len(broken)} keer). "
            f"Zoek uit wat er is gebeurd (zet zo nodig een back-up terug) voordat het log wordt verzegeld. "
            f"Wie het log toch zo wil verzegelen, migreert opnieuw met AUDIT_SEAL_BROKEN_LEGACY_LOG=1.")
    if broken:
        print(f"\n  Auditlog verzegeld zoals aangetroffen; de oude keten brak bij de regels {broken[:20]}.")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("INSERT INTO common_auditsealqueue (event_id) SELECT id FROM cases_auditevent")


class Migration(migrations.Migration):

    dependencies = [
        ("common", "0003_audit_purpose_codes"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditSealQueue",
            fields=[
                ("event_id", models.BigIntegerField(primary_key=True, serialize=False)),
            ],
            options={
                "verbose_name": "auditregel zonder zegel",
            },
        ),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                ("seq", models.BigIntegerField(primary_key=True, serialize=False)),
                ("key_id", models.CharField(max_length=32)),
                ("sealed_at", models.DateTimeField()),
                ("prev_hash", models.CharField(max_length=64)),
                ("seal_hash", models.CharField(max_length=64)),
                ("event", models.OneToOneField(on_delete=django.db.models.deletion.DO_NOTHING, related_name="seal",
                                               to="common.auditevent")),
            ],
            options={
                "verbose_name": "auditzegel",
                "verbose_name_plural": "auditzegels",
                "ordering": ["seq"],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RunPython(check_legacy_chain_and_queue, migrations.RunPython.noop),
    ]
