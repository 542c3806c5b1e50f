"""Invariants that span rows or tables, enforced by PostgreSQL triggers.

- a case's director is a sociaal werker or teamleider of the case's own team;
- case status follows the state machine aangemeld -> in_behandeling -> afgesloten
  (aangemeld -> afgesloten for a melding closed at once); a closed case stays closed;
- the audit log is append-only: UPDATE and DELETE are rejected.

The case triggers were replaced by the pgtrigger declarations on the Case model (migration 0012).
"""
from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION wijkregie_case_regisseur_in_team() RETURNS trigger AS $$
BEGIN
  IF NEW.regisseur_id IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM cases_staffmembership s
      WHERE s.id = NEW.regisseur_id AND s.team_id = NEW.team_id
        AND s.role IN ('sociaal_werker', 'teamleider')) THEN
    RAISE EXCEPTION 'case_regisseur_in_team: director must belong to the case''s team'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER case_regisseur_in_team BEFORE INSERT OR UPDATE OF regisseur_id, team_id ON cases_case
  FOR EACH ROW EXECUTE FUNCTION wijkregie_case_regisseur_in_team();

CREATE OR REPLACE FUNCTION wijkregie_case_status_transition() RETURNS trigger AS $$
BEGIN
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
      (OLD.status = 'aangemeld' AND NEW.status IN ('in_behandeling', 'afgesloten'))
      OR (OLD.status = 'in_behandeling' AND NEW.status = 'afgesloten')) THEN
    RAISE EXCEPTION 'case_status_transition: % -> % is not allowed', OLD.status, NEW.status
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER case_status_transition BEFORE UPDATE OF status ON cases_case
  FOR EACH ROW EXECUTE FUNCTION wijkregie_case_status_transition();

CREATE OR REPLACE FUNCTION wijkregie_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '%: rows are append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER auditevent_append_only BEFORE UPDATE OR DELETE ON cases_auditevent
  FOR EACH ROW EXECUTE FUNCTION wijkregie_append_only();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS auditevent_append_only ON cases_auditevent;
DROP TRIGGER IF EXISTS case_status_transition ON cases_case;
DROP TRIGGER IF EXISTS case_regisseur_in_team ON cases_case;
DROP FUNCTION IF EXISTS wijkregie_case_status_transition();
DROP FUNCTION IF EXISTS wijkregie_case_regisseur_in_team();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_code_lists")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
