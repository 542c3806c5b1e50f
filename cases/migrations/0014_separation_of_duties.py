"""Separation of duties (issue 15): a beheerder never holds a team role, enforced by a trigger.

A database where some user is active beheerder and active sociaal werker or teamleider at once stops here
with their user ids: end one of the two memberships (in the admin, or `active = false`) and migrate again.
"""
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0013_move_shared_models_to_common'),
    ]

    operations = [
        migrations.RunSQL(
            """
            DO $$
            DECLARE clashing text;
            BEGIN
              SELECT string_agg(DISTINCT a.user_id::text, ', ') INTO clashing
              FROM cases_staffmembership a JOIN cases_staffmembership b ON a.user_id = b.user_id
              WHERE a.active AND b.active AND a.role = 'beheerder' AND b.role IN ('sociaal_werker', 'teamleider');
              IF clashing IS NOT NULL THEN
                RAISE EXCEPTION 'Users % are beheerder and hold a team role: end one of the memberships first', clashing;
              END IF;
            END $$;
            """,
            migrations.RunSQL.noop,
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='staffmembership',
            trigger=pgtrigger.compiler.Trigger(name='staff_beheerder_no_team_role', sql=pgtrigger.compiler.UpsertTriggerSql(func="\n                IF NEW.active AND NEW.role IN ('beheerder', 'sociaal_werker', 'teamleider') THEN\n                  PERFORM 1 FROM auth_user WHERE id = NEW.user_id FOR UPDATE;\n                  IF EXISTS (\n                      SELECT 1 FROM cases_staffmembership s\n                      WHERE s.user_id = NEW.user_id AND s.active AND s.id IS DISTINCT FROM NEW.id\n                        AND s.role IN ('beheerder', 'sociaal_werker', 'teamleider')\n                        AND (s.role = 'beheerder') <> (NEW.role = 'beheerder')) THEN\n                    RAISE EXCEPTION 'staff_beheerder_no_team_role: a beheerder never holds a team role'\n                      USING ERRCODE = 'check_violation';\n                  END IF;\n                END IF;\n                RETURN NEW;\n                ", hash='e8b2083f371c4c4a7d2f0c581a54ac4fe991347b', operation='INSERT OR UPDATE OF "user_id", "role", "active"', pgid='pgtrigger_staff_beheerder_no_team_role_41720', table='cases_staffmembership', when='BEFORE')),
        ),
    ]
