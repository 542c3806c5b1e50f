"""`seed_demo --scale tiny|leeuwarden|amsterdam`: municipal-scale demo data loaded with COPY (demo/bulk).

The tiny data set is loaded once for the TestTinyScale class (through the command, reporting
rebuild included) and rolled back after it; each of its tests reads it inside its own savepoint.
"""
import datetime as dt
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.http import HttpRequest

from cases.crypto import decrypt_bsn
from cases.models import (
    TEAM_ROLES,
    Case,
    CaseStatus,
    Household,
    Person,
    Role,
    StaffMembership,
    Team,
)
from cases.selectors import household_type
from common.validators import POSTCODE_RE, is_valid_bsn
from demo import bulk as bulk_demo
from demo.bulk.generate import _add_months
from demo.bulk.scales import _teams
from reporting.models import PersonProgress

TINY = bulk_demo.SCALES["tiny"]


@pytest.fixture(scope="class")
def tiny(django_db_setup, django_db_blocker):
    """The command's output after loading scale tiny into the (empty) test database."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", "--scale", "tiny", "--seed", "7", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _rows(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _count(sql, params=()):
    return _rows(sql, params)[0][0]


@pytest.mark.django_db
class TestTinyScale:
    def test_tiny_scale_has_the_promised_sizes_and_says_so(self, tiny):
        households = Household.objects.count()
        cases = Case.objects.count()
        persons = Person.objects.count()
        assert Team.objects.count() == TINY.teams == 2
        # per team a teamleider and its workers, then gemeente, beheerder and privacy officer
        assert StaffMembership.objects.count() == TINY.teams * (1 + TINY.workers_per_team) + 3
        assert households == int(TINY.cases * bulk_demo.HOUSEHOLDS_PER_CASE)
        assert 0.9 * TINY.cases <= cases <= 1.1 * TINY.cases
        assert 0.8 * TINY.persons <= persons <= 1.2 * TINY.persons
        measurements = _count("SELECT COUNT(*) FROM zrm_measurement")
        interventions = _count("SELECT COUNT(*) FROM cases_intervention")
        assert 0.8 * TINY.measurements <= measurements <= 1.05 * TINY.measurements
        assert 0.95 * TINY.interventions <= interventions <= 1.05 * TINY.interventions
        lines = [line for line in tiny.splitlines() if line.strip()]
        assert len(lines) == 2
        assert lines[0].startswith("Demodata geladen (schaal tiny, seed 7): 2 teams")
        for number, label in ((households, "huishoudens"), (persons, "personen"), (cases, "casussen"),
                              (measurements, "ZRM-metingen"), (interventions, "trajecten")):
            assert f" {number:,} {label}".replace(",", ".") in lines[0], label
        assert re.search(r" in \d+,\d s\.$", lines[0])
        assert lines[1].startswith("Rapportagecijfers herberekend: ")
        # no personal data in the output
        person = Person.objects.exclude(bsn__isnull=True).first()
        assert person.bsn not in tiny and person.last_name not in tiny


    def test_households_mix_gezin_ouderen_and_overig_at_valid_unique_addresses_in_their_team_area(self, tiny):
        households = list(Household.objects.prefetch_related("memberships__person"))
        types = [household_type(list(h.memberships.all())) for h in households]
        for kind in ("gezin", "ouderen", "overig"):
            assert types.count(kind) >= 0.1 * len(households), (kind, types.count(kind))
        assert all(POSTCODE_RE.fullmatch(h.postcode) for h in households)
        assert len({(h.postcode, h.house_number, h.house_number_addition) for h in households}) == len(households)
        assert _count("""SELECT COUNT(*) FROM cases_case c JOIN cases_household h ON h.id = c.household_id
                         JOIN cases_team t ON t.id = c.team_id
                         WHERE NOT (t.postcode_areas ? LEFT(h.postcode, 4))""") == 0
        # wijken cross team borders: some wijk is served by both teams
        assert _count("""SELECT COUNT(*) FROM (SELECT h.wijk FROM cases_case c
                         JOIN cases_household h ON h.id = c.household_id
                         GROUP BY h.wijk HAVING COUNT(DISTINCT c.team_id) > 1) w""") >= 1
        # some members left (a partner who moved out) and stay known with an ended membership
        assert _count("SELECT COUNT(*) FROM cases_householdmembership WHERE valid_to IS NOT NULL") > 0


    def test_most_persons_have_a_valid_unique_bsn_stored_encrypted(self, tiny):
        with_bsn = Person.objects.exclude(bsn__isnull=True)
        assert with_bsn.count() >= 0.85 * Person.objects.count()
        stored = _rows("SELECT bsn, bsn_hash FROM cases_person WHERE bsn IS NOT NULL LIMIT 200")
        bsns = [decrypt_bsn(token) for token, _ in stored]
        assert all(is_valid_bsn(bsn) and bsn not in token for bsn, (token, _) in zip(bsns, stored))
        assert max(bsns) < "600000000"  # 6xx million stays free for tests that register new persons
        assert _count("SELECT COUNT(DISTINCT bsn_hash) = COUNT(bsn_hash) FROM cases_person")


    def test_cases_cover_every_status_with_closures_reasons_and_reopenings(self, tiny):
        assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
        closed = Case.objects.filter(status=CaseStatus.CLOSED)
        assert not closed.filter(closure_reason__isnull=True).exists()
        assert closed.values("closure_reason").distinct().count() >= 5
        reopened = list(Case.objects.filter(reopened_from__isnull=False).select_related("reopened_from"))
        assert reopened
        for case in reopened:
            old = case.reopened_from
            assert old.status == CaseStatus.CLOSED and old.household_id == case.household_id
            assert 0 <= (case.melding_date - old.closed_on).days <= settings.WIJKREGIE["REOPEN_WINDOW_DAYS"]
        assert not Case.objects.filter(status=CaseStatus.IN_PROGRESS, first_contact_date__isnull=True).exists()
        assert not Case.objects.filter(status=CaseStatus.REGISTERED, first_contact_date__isnull=False).exists()
        # the reason follows how it went: goals reached is more common than a hand-over to second-line care
        reasons = dict(_rows("""SELECT r.code, COUNT(*) FROM cases_case c JOIN cases_closurereason r
                                ON r.id = c.closure_reason_id GROUP BY r.code"""))
        assert reasons["doelen_behaald"] > reasons.get("overgedragen_tweede_lijn", 0) > 0
        assert _count("SELECT COUNT(*) FROM cases_intervention") > 0
        assert _count("SELECT COUNT(*) FROM cases_escalation") > 0
        assert _count("SELECT COUNT(*) FROM cases_goal WHERE achieved IS NOT NULL") > 0


    def test_zrm_scores_improve_for_some_stay_for_others_and_worsen_for_a_few_across_both_versions(self, tiny):
        versions = dict(_rows("""SELECT v.code, COUNT(*) FROM zrm_measurement m JOIN zrm_instrumentversion v
                                 ON v.id = m.version_id GROUP BY v.code"""))
        assert versions.get("zrm-2013", 0) > 0 and versions.get("zrm-2017", 0) > 0
        assert _count("""SELECT COUNT(*) FROM zrm_measurement m JOIN zrm_instrumentversion v ON v.id = m.version_id
                         WHERE (v.code = 'zrm-2013') <> (m.date < %s)""", [bulk_demo.VERSION_SWITCH]) == 0
        # every measurement has a score row per domain of its version, and a measurement never precedes the melding
        assert _count("""SELECT COUNT(*) FROM zrm_measurement m
                         WHERE (SELECT COUNT(*) FROM zrm_score s WHERE s.measurement_id = m.id)
                            <> (SELECT COUNT(*) FROM zrm_domain d WHERE d.version_id = m.version_id
                                AND NOT d.is_child_module)""") == 0
        assert _count("""SELECT COUNT(*) FROM zrm_measurement m JOIN cases_case c ON c.id = m.case_id
                         WHERE m.date < c.melding_date""") == 0
        # the progress engine (rebuilt by the command) sees all three outcomes, and trajectories that cross versions
        progress = PersonProgress.objects.filter(measurement_count__gte=2)
        total = progress.count()
        improved = sum(1 for p in progress if p.domains_improved > p.domains_worse)
        worse = sum(1 for p in progress if p.domains_worse > p.domains_improved)
        assert total >= 100
        assert improved >= 0.3 * total
        assert 0.05 * total <= worse < improved
        assert total - improved - worse > 0
        assert progress.filter(crossed_versions=True).exists()


    def test_database_invariants_hold(self, tiny):
        # at most one open case per household, directed by an active team member of its own team
        assert _count("""SELECT COUNT(*) FROM (SELECT household_id FROM cases_case WHERE status <> 'afgesloten'
                         GROUP BY household_id HAVING COUNT(*) > 1) d""") == 0
        assert _count("""SELECT COUNT(*) FROM cases_case c LEFT JOIN cases_staffmembership s ON s.id = c.regisseur_id
                         WHERE c.status <> 'afgesloten' AND (s.id IS NULL OR s.team_id <> c.team_id
                         OR s.role NOT IN ('sociaal_werker', 'teamleider') OR NOT s.active)""") == 0
        # closed iff closed_on and a reason; dates in order
        assert _count("""SELECT COUNT(*) FROM cases_case WHERE (status = 'afgesloten') <> (closed_on IS NOT NULL)
                         OR (status = 'afgesloten') <> (closure_reason_id IS NOT NULL)
                         OR first_contact_date < melding_date OR closed_on < melding_date
                         OR melding_date > CURRENT_DATE""") == 0
        # director history: starts at the melding, one current director for an open case, none for a closed one,
        # and the last assignment is the case's director
        assert _count("""SELECT COUNT(*) FROM cases_case c WHERE
                           (SELECT MIN(started_on) FROM cases_directorassignment a WHERE a.case_id = c.id)
                              <> c.melding_date
                           OR (SELECT COUNT(*) FROM cases_directorassignment a
                               WHERE a.case_id = c.id AND a.ended_on IS NULL)
                              <> CASE WHEN c.status = 'afgesloten' THEN 0 ELSE 1 END
                           OR (SELECT a.regisseur_id FROM cases_directorassignment a WHERE a.case_id = c.id
                               ORDER BY a.started_on DESC, a.id DESC LIMIT 1) <> c.regisseur_id""") == 0
        # the timeline: a melding and a director per case, a closing event exactly for closed cases
        assert _count("""SELECT COUNT(*) FROM cases_case c WHERE
                           NOT EXISTS (SELECT 1 FROM cases_caseevent e WHERE e.case_id = c.id AND e.kind = 'melding')
                           OR NOT EXISTS (SELECT 1 FROM cases_caseevent e
                                          WHERE e.case_id = c.id AND e.kind = 'regisseur')
                           OR EXISTS (SELECT 1 FROM cases_caseevent e WHERE e.case_id = c.id AND e.kind = 'afgesloten')
                              <> (c.status = 'afgesloten')""") == 0
        # every household has someone living there; memberships and plans are well-formed
        assert _count("""SELECT COUNT(*) FROM cases_household h WHERE NOT EXISTS (
                         SELECT 1 FROM cases_householdmembership m
                         WHERE m.household_id = h.id AND m.valid_to IS NULL AND m.living_at_home)""") == 0
        assert _count("SELECT COUNT(*) FROM cases_householdmembership WHERE valid_to < valid_from") == 0
        assert _count("""SELECT COUNT(*) FROM cases_plan p JOIN cases_case c ON c.id = p.case_id
                         WHERE (p.status = 'geevalueerd') <> (c.status = 'afgesloten')""") == 0
        # every foreign key points at an existing row (COPY ran without per-row checks)
        for child, column, parent in (("cases_case", "household_id", "cases_household"),
                                      ("cases_householdmembership", "person_id", "cases_person"),
                                      ("zrm_measurement", "case_id", "cases_case"),
                                      ("zrm_measurement", "person_id", "cases_person"),
                                      ("zrm_score", "measurement_id", "zrm_measurement"),
                                      ("cases_intervention", "case_id", "cases_case"),
                                      ("cases_goal", "plan_id", "cases_plan")):
            assert _count(f"""SELECT COUNT(*) FROM {child} x LEFT JOIN {parent} p ON p.id = x.{column}
                              WHERE x.{column} IS NOT NULL AND p.id IS NULL""") == 0, (child, column)
        # the id sequences moved past the copied ids: the app can add rows
        team = Team.objects.first()
        household = Household.objects.create(postcode=f"{team.postcode_areas[0]}AB", house_number=9999,
                                             street="Teststraat", city=team.municipality)
        assert household.pk > _count("SELECT MAX(id) FROM cases_household WHERE id <> %s", [household.pk])


    def test_demo_logins_lists_the_bulk_staff_and_a_seeded_team_leader_logs_in(self, tiny, client):
        out = StringIO()
        call_command("demo_logins", stdout=out)
        text = out.getvalue()
        password = re.search(r"wachtwoord voor allemaal: (\S+);", text).group(1)
        lines = text.splitlines()
        first_row = next(i for i, line in enumerate(lines) if line.startswith("---")) + 1
        rows = {line.split()[0]: line for line in lines[first_row:] if line.strip()}
        staff = StaffMembership.objects.select_related("user", "team")
        assert set(rows) == {m.user.username for m in staff}
        leaders = [m for m in staff if m.role == Role.TEAM_LEADER]
        assert {m.user.username for m in leaders} == {"teamleider", "teamleider2"}
        for member in leaders:
            assert "Teamleider" in rows[member.user.username] and member.team.name in rows[member.user.username]
        for username in ("gemeente", "beheerder", "privacy"):
            assert username in rows
        assert all(m.team is not None for m in staff if m.role in TEAM_ROLES)
        leader = next(m for m in leaders if m.user.username == "teamleider")
        assert client.login(request=HttpRequest(), username="teamleider", password=password)
        landing = client.get("/", follow=True)
        assert landing.status_code == 200 and landing.redirect_chain[-1][0] == "/casussen/mijn-caseload"
        open_case = Case.objects.filter(team=leader.team).exclude(status=CaseStatus.CLOSED).first()
        assert client.get(f"/casussen/{open_case.pk}").status_code == 200
        assert client.get("/rapportage/team").status_code == 200


@pytest.mark.django_db
def test_bulk_scale_refuses_a_database_that_holds_data():
    Team.objects.create(name="Bestaand team", municipality="Leeuwarden", postcode_areas=["8911"])
    with pytest.raises(CommandError, match="lege database"):
        call_command("seed_demo", "--scale", "tiny", stdout=StringIO())
    assert Household.objects.count() == 0 and Team.objects.count() == 1
    assert not StaffMembership.objects.exists()
    out = StringIO()
    call_command("seed_demo", "--scale", "tiny", "--if-empty", stdout=out)
    assert "niet geladen" in out.getvalue() and Household.objects.count() == 0


@pytest.mark.django_db
def test_bulk_scale_refuses_a_database_with_the_demo_logins():
    call_command("seed_demo", stdout=StringIO())  # the small demo set
    with pytest.raises(CommandError, match="lege database"):
        call_command("seed_demo", "--scale", "tiny", stdout=StringIO())


@pytest.mark.django_db
def test_without_superuser_rights_the_load_runs_with_triggers_and_foreign_keys_on():
    # A role that may not skip triggers (session_replication_role needs a superuser). Roles are
    # transactional: this one disappears with the test's rollback.
    role = f"{connection.settings_dict['NAME']}_no_superuser"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" NOSUPERUSER')
        cursor.execute(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"')
        cursor.execute(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
        cursor.execute(f'SET LOCAL ROLE "{role}"')
    counts = bulk_demo.seed("tiny", dt.date(2026, 3, 1), seed_value=3)
    assert counts["triggers_skipped"] is False
    assert counts["cases"] > 300 and counts["scores"] > 20_000
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign keys are checked now
        cursor.execute("RESET ROLE")
    assert _count("SELECT COUNT(*) FROM zrm_measurement WHERE status = 'vastgesteld'") == counts["measurements"]


def test_bulk_staff_follow_the_demo_login_convention_whatever_the_seed():
    leeuwarden = bulk_demo.SCALES["leeuwarden"]
    staff = bulk_demo.staff_plan(leeuwarden, 1)
    assert [m.username for m in staff] == [m.username for m in bulk_demo.staff_plan(leeuwarden, 2)]
    usernames = [m.username for m in staff]
    assert usernames[:2] == ["teamleider", "sociaalwerker"]
    assert usernames[-3:] == ["gemeente", "beheerder", "privacy"]
    assert len(set(usernames)) == len(usernames) == 8 * 14 + 3
    # Leeuwarden 2019: 8 teams, about 105 fte
    fte = sum(float(m.fte) for m in staff if m.role in TEAM_ROLES)
    assert 100 <= fte <= 110


def test_scales_grow_from_tiny_to_amsterdam_ten_times_leeuwarden():
    s = bulk_demo.SCALES
    assert (s["leeuwarden"].teams, s["leeuwarden"].cases, s["leeuwarden"].measurements,
            s["leeuwarden"].interventions) == (8, 40_000, 250_000, 200_000)
    for field in ("teams", "cases", "persons", "measurements", "interventions"):
        assert getattr(s["amsterdam"], field) == 10 * getattr(s["leeuwarden"], field)
    assert len(_teams(s["amsterdam"])) == 80
    assert len({t.spec.name for t in _teams(s["amsterdam"])}) == 80


def test_add_months_keeps_the_day_or_takes_the_last_of_the_month():
    assert _add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert _add_months(dt.date(2023, 11, 15), 3) == dt.date(2024, 2, 15)
    assert _add_months(dt.date(2026, 3, 1), -60) == dt.date(2021, 3, 1)
    assert _add_months(dt.date(2024, 12, 31), 12) == dt.date(2025, 12, 31)
