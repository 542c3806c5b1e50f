"""A vastgestelde ZRM measurement is immutable, enforced by PostgreSQL triggers:

- UPDATE or DELETE of a measurement whose status is 'vastgesteld' is rejected;
- INSERT, UPDATE or DELETE of a score of a vastgestelde measurement is rejected.

Finalising is the one allowed change: an UPDATE of a 'concept' row to 'vastgesteld' (OLD is still
concept). Corrections are new rows that point to the old one (supersedes).
zrm/services.py refuses the same writes with a clear message first.
"""
from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION wijkregie_zrm_measurement_immutable() RETURNS trigger AS $$
BEGIN
  IF OLD.status = 'vastgesteld' THEN
    RAISE EXCEPTION 'zrm_measurement_immutable: measurement % is vastgesteld', OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER zrm_measurement_immutable BEFORE UPDATE OR DELETE ON zrm_measurement
  FOR EACH ROW EXECUTE FUNCTION wijkregie_zrm_measurement_immutable();

CREATE OR REPLACE FUNCTION wijkregie_zrm_score_immutable() RETURNS trigger AS $$
DECLARE
  mid bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    mid := NEW.measurement_id;
  ELSE
    mid := OLD.measurement_id;
  END IF;
  IF EXISTS (SELECT 1 FROM zrm_measurement m WHERE m.id = mid AND m.status = 'vastgesteld')
     OR (TG_OP = 'UPDATE' AND EXISTS (
       SELECT 1 FROM zrm_measurement m WHERE m.id = NEW.measurement_id AND m.status = 'vastgesteld')) THEN
    RAISE EXCEPTION 'zrm_score_immutable: measurement % is vastgesteld', mid
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER zrm_score_immutable BEFORE INSERT OR UPDATE OR DELETE ON zrm_score
  FOR EACH ROW EXECUTE FUNCTION wijkregie_zrm_score_immutable();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS zrm_score_immutable ON zrm_score;
DROP TRIGGER IF EXISTS zrm_measurement_immutable ON zrm_measurement;
DROP FUNCTION IF EXISTS wijkregie_zrm_score_immutable();
DROP FUNCTION IF EXISTS wijkregie_zrm_measurement_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("zrm", "0002_zrm_versions")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
