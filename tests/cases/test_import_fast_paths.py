"""The fast paths of the bulk import write exactly what the ordinary paths write.

- cases.imports.bulk.bulk_create (COPY, values taken straight from the instance where Django would not change them)
  stores the same row as Django's bulk_create, for every kind of field the import writes;
- audit rows appended through COPY (record_many(bulk=True)) are sealed exactly like rows inserted by
  bulk_create: verify_chain passes and the fields are the same;
- the score insert runs with generic plans for the row triggers and puts plan_cache_mode back;
- validating a file against persons already in Wijkregie decrypts no stored BSN and runs the same queries
  for any number of rows.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.crypto import bsn_lookup_hash
from cases.imports import bulk
from cases.models import Case, DeviationReason, Household, Intervention, InterventionType, Person
from common import audit, audit_chain
from common.audit import Actor
from common.models import AuditEvent, AuditSeal
from tests.cases import import_files as files
from tests.factories import (
    CaseFactory,
    HouseholdFactory,
    StaffFactory,
    TeamFactory,
    UserFactory,
    melding_source,
    valid_bsn,
)
from zrm import imports as zrm_imports
from zrm.models import InstrumentVersion, Measurement, Score

pytestmark = pytest.mark.django_db

# Columns that must differ between the two rows (keys, unique values, per-row timestamps, ciphertext).
DIFFERENT = {"id", "external_id", "bsn", "bsn_hash", "household_id", "created_at", "updated_at"}


def raw_row(model, pk) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)} WHERE id = %s", [pk])
        names = [column.name for column in cursor.description]
        return dict(zip(names, cursor.fetchone()))


def assert_same_rows(model, ordinary, fast):
    model.objects.bulk_create([ordinary])
    bulk.bulk_create(model, [fast])
    assert fast.pk is not None and fast._state.adding is False
    a, b = raw_row(model, ordinary.pk), raw_row(model, fast.pk)
    assert {k: v for k, v in a.items() if k not in DIFFERENT} == {k: v for k, v in b.items() if k not in DIFFERENT}
    for name in ("created_at", "updated_at"):
        if name in b:  # auto_now(_add) filled per row, timezone-aware, as bulk_create does
            assert b[name] is not None and abs(b[name] - timezone.now()) < dt.timedelta(minutes=5)
    return a, b


def test_copy_stores_the_same_households_persons_cases_interventions_and_measurements_as_bulk_create():
    def household(key):
        return Household(external_id=key, postcode="9711AB", house_number=12, house_number_addition="a",
                         street="Korreweg", city="Groningen", wijk="Oosterpark")

    assert_same_rows(Household, household("H-1"), household("H-2"))

    def person(bsn):
        return Person(bsn=bsn, first_name="Anna", name_prefix="de", last_name="Vries",
                      date_of_birth=dt.date(1980, 3, 1))

    bsns = valid_bsn(), valid_bsn()
    a, b = assert_same_rows(Person, person(bsns[0]), person(bsns[1]))
    assert (a["bsn_hash"], b["bsn_hash"]) == (bsn_lookup_hash(bsns[0]), bsn_lookup_hash(bsns[1]))
    assert Person.objects.get(bsn_hash=b["bsn_hash"]).bsn == bsns[1]  # encrypted, and decrypts
    assert b["bsn"] != bsns[1]
    assert_same_rows(Person, person(None), person(None))

    director = StaffFactory()
    households = HouseholdFactory(), HouseholdFactory()

    def case(key, household):
        return Case(external_id=key, household=household, team=director.team, melding_date=dt.date(2024, 5, 2),
                    melding_source=melding_source(), status="in_behandeling", regisseur=director,
                    first_contact_date=dt.date(2024, 5, 6), safety_flag=True)

    first, second = case("C-1", households[0]), case("C-2", households[1])
    assert_same_rows(Case, first, second)

    kinds = list(InterventionType.objects.order_by("pk")[:2])

    def intervention(key):
        return Intervention(case=first, person=None, external_id=key, type=kinds[0], team_action="gestart",
                            deliverer="extern", subcategory="", provider="Kredietbank",
                            start_date=dt.date(2024, 6, 1), end_date=None, would_have_started_without_team=False,
                            monthly_hours=Decimal("2.5"), most_appropriate_type=kinds[1],
                            deviation_reason=DeviationReason.WAITING_LIST, replaces_type=None,
                            on_waiting_list=True, carried_out_at_6_months=None)

    a, b = assert_same_rows(Intervention, intervention("T-1"), intervention("T-2"))
    assert b["monthly_hours"] == Decimal("2.5") and b["on_waiting_list"] is True

    person_row = Person.objects.get(bsn_hash=bsn_lookup_hash(bsns[0]))
    finalised_at = timezone.now()
    user = UserFactory()

    def measurement(key):
        return Measurement(external_id=key, person=person_row, case=first, version=InstrumentVersion.objects.first(),
                           date=dt.date(2024, 5, 20), type="nulmeting", purpose="plan", assessor=director,
                           participatieladder=3, income_source="werk", problem_domain_count=2, acute_domain_count=1,
                           bucket="2-3", cluster_scores={"financien": {"scored": 2, "lowest": 1, "mean": 1.5}},
                           household_category="enkelvoudig", status="concept", created_by=user,
                           finalised_by=user, finalised_at=finalised_at)

    a, b = assert_same_rows(Measurement, measurement("M-1"), measurement("M-2"))
    assert json.loads(b["cluster_scores"]) == {"financien": {"scored": 2, "lowest": 1, "mean": 1.5}}
    assert b["finalised_at"] == finalised_at


@pytest.fixture
def subjects():
    case = CaseFactory()
    person = case.household.memberships.first().person
    return case, person


def audit_fields(event: AuditEvent) -> tuple:
    return (event.user_id, event.on_behalf_of, event.client, event.action, event.object_type, event.object_id,
            event.person_id, event.case_id, event.purpose, event.source_ip)


def test_bulk_audit_rows_are_the_same_rows_in_the_same_chain(subjects):
    case, person = subjects
    actor = Actor(user=case.regisseur.user, source_ip="10.0.0.8", on_behalf_of="gemeente")
    rows = [(case, None, case), (person, person, case), (case.household, None, None)]
    audit.record(actor, "read", case, case=case)
    start = AuditEvent.objects.count()
    audit.record_many(actor, "create", rows, purpose=audit.PURPOSE_CASEWORK)
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        audit.record_many(actor, "create", rows, purpose=audit.PURPOSE_CASEWORK, bulk=True)
    audit.record(actor, "read", person, person=person)

    events = list(AuditEvent.objects.order_by("pk"))
    ordinary, bulk = events[start:start + 3], events[before:before + 3]
    assert [audit_fields(e) for e in bulk] == [audit_fields(e) for e in ordinary]
    assert bulk[0].source_ip == "10.0.0.8" and bulk[0].user_id == case.regisseur.user_id
    audit_chain.seal_pending()  # as after the commit
    seals = {seal.event_id: seal for seal in AuditSeal.objects.all()}
    assert [e.pk for e in bulk] == sorted(e.pk for e in bulk)
    assert seals[bulk[0].pk].prev_hash == seals[events[before - 1].pk].seal_hash
    assert len({e.at for e in bulk}) == 1
    report = audit_chain.verify_chain()
    assert (report.sealed, report.intact, report.unsealed) == (len(events), True, 0)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "cases_auditevent"')]
    assert inserts == []  # COPY, whatever the number of rows


def test_a_large_bulk_batch_of_audit_rows_verifies(subjects):
    case, person = subjects
    actor = Actor(user=None, client="beheer:import_registrations")
    audit.record(actor, "read", case, case=case)
    start = AuditEvent.objects.count()
    audit.record_many(actor, "create", [(person, person, case)] * 2500, bulk=True)
    audit.record(actor, "read", case, case=case)
    audit_chain.seal_pending()
    report = audit_chain.verify_chain()
    assert (report.sealed, report.intact) == (start + 2501, True)
    assert AuditEvent.objects.filter(client="beheer:import_registrations", source_ip__isnull=True, user__isnull=True,
                                     object_type="person", object_id=str(person.pk), action="create").count() == 2500


def test_the_scores_go_in_with_generic_trigger_plans_and_the_setting_is_put_back(tmp_path, monkeypatch):
    director = StaffFactory(team=TeamFactory(name="Wijkteam Oosterpark"), user=UserFactory(username="sanne"))
    data = files.dataset(team=director.team.name, regisseur=director.user.username, households=8)
    seen = []
    insert_rows = bulk.insert_rows

    def spy(model, field_names, rows):
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            seen.append((model, cursor.fetchone()[0]))
        return insert_rows(model, field_names, rows)

    monkeypatch.setattr(bulk, "insert_rows", spy)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        zrm_imports.import_registrations(files.write_csv_folder(data, tmp_path / "f"),
                                     actor=Actor(user=None, client="beheer:import_registrations"))
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            after = cursor.fetchone()[0]
    assert (Score, "force_generic_plan") in seen
    assert all(mode == "force_custom_plan" for model, mode in seen if model is not Score)
    assert after == "force_custom_plan"
    assert Score.objects.count() == 6 * 13 and audit_chain.verify_chain().intact


def test_importing_a_file_again_decrypts_no_bsn_and_runs_the_same_queries_for_any_size(tmp_path, monkeypatch):
    from cases import fields

    director = StaffFactory(team=TeamFactory(name="Wijkteam Oosterpark"), user=UserFactory(username="sanne"))
    actor = Actor(user=None, client="beheer:import_registrations")
    decrypted = []
    decrypt = fields.decrypt_bsn
    monkeypatch.setattr(fields, "decrypt_bsn", lambda token: decrypted.append(token) or decrypt(token))
    queries = {}
    for prefix, households, start in (("S", 10, 30_000_000), ("L", 40, 40_000_000)):
        data = files.dataset(team=director.team.name, regisseur=director.user.username, households=households,
                             prefix=prefix, bsn_start=start)
        path = files.write_csv_folder(data, tmp_path / prefix)
        zrm_imports.import_registrations(path, actor=actor)
        decrypted.clear()
        with CaptureQueriesContext(connection) as captured:
            again = zrm_imports.import_registrations(path, actor=actor)
        assert sum(s.unchanged for s in again.sheets.values()) == files.row_count(data)
        assert decrypted == []
        queries[households] = len(captured.captured_queries)
    assert queries[10] == queries[40], queries


def test_a_failing_score_insert_still_rejects_the_file_whole_and_leaves_the_setting_as_it_was(tmp_path, monkeypatch):
    director = StaffFactory(team=TeamFactory(name="Wijkteam Oosterpark"), user=UserFactory(username="sanne"))
    data = files.dataset(team=director.team.name, regisseur=director.user.username, households=4)
    insert_rows = bulk.insert_rows

    def duplicate_a_score(model, field_names, rows):  # as if someone else wrote that score meanwhile
        return insert_rows(model, field_names, rows + rows[:1] if model is Score else rows)

    monkeypatch.setattr(bulk, "insert_rows", duplicate_a_score)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        with pytest.raises(zrm_imports.ImportRejected) as rejected:
            zrm_imports.import_registrations(files.write_csv_folder(data, tmp_path / "f"),
                                         actor=Actor(user=None, client="beheer:import_registrations"))
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            assert cursor.fetchone()[0] == "force_custom_plan"
    assert [e.message for e in rejected.value.errors] == [zrm_imports.MSG_CONCURRENT]
    assert Measurement.objects.count() == 0 and Score.objects.count() == 0 and AuditEvent.objects.count() == 0
