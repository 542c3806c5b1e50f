"""Bulk import of registrations (issue 6): a migration or integration pushes a CSV/XLSX file; it is
validated completely, rejected with every error by sheet/row/column, or written in one transaction;
importing it again creates nothing new."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.management import ManagementUtility
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from cases import services
from cases.crypto import bsn_lookup_hash
from cases.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    DirectorAssignment,
    Household,
    HouseholdMembership,
    Intervention,
    Person,
)
from common.audit import Actor
from common.models import AuditAction, AuditEvent
from common.services import create_api_client
from tests.cases import import_files as files
from tests.factories import CaseFactory, StaffFactory, TeamFactory, UserFactory
from zrm import derived
from zrm.imports import ImportIssue, ImportRejected, import_registrations
from zrm.models import Measurement, MeasurementStatus, Score

pytestmark = pytest.mark.django_db

MODELS = (Household, Person, HouseholdMembership, Case, DirectorAssignment, CaseEvent, Measurement, Score,
          Intervention, AuditEvent)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def director(db):
    return StaffFactory(team=TeamFactory(name="Wijkteam Oosterpark"), user=UserFactory(username="sanne"))


@pytest.fixture
def cli_actor():
    return Actor(user=None, client="beheer:import_registrations")


def data_for(director, **kwargs):
    return files.dataset(team=director.team.name, regisseur=director.user.username, **kwargs)


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


# --- The 1,000-row file: atomic, exact errors, idempotent ----------------------------------------

def test_a_1000_row_file_with_one_bad_bsn_is_rejected_with_exactly_that_error_and_nothing_written(
        director, cli_actor, tmp_path):
    data = data_for(director)
    assert files.row_count(data) == 1000
    files.sheet_row(data, "personen", 15)["bsn"] = "123456789"  # fails the elfproef
    before = counts()

    with pytest.raises(ImportRejected) as rejected:
        import_registrations(files.write_xlsx(data, tmp_path / "migratie.xlsx"), actor=cli_actor)

    assert rejected.value.errors == [ImportIssue("personen", 15, "bsn", services.MSG_BSN_INVALID)]
    assert rejected.value.errors[0].name == "personen[15].bsn"
    assert counts() == before


def test_the_fixed_file_imports_everything_in_one_go_and_a_second_import_creates_no_duplicates(
        director, cli_actor, tmp_path):
    data = data_for(director)
    path = files.write_xlsx(data, tmp_path / "migratie.xlsx")

    summary = import_registrations(path, actor=cli_actor)

    assert summary.written and summary.rows == 1000
    assert {name: (s.created, s.updated, s.unchanged) for name, s in summary.sheets.items()} == {
        "huishoudens": (200, 0, 0), "personen": (400, 0, 0), "casussen": (200, 0, 0),
        "zrm-metingen": (150, 0, 0), "trajecten": (50, 0, 0),
    }
    assert Household.objects.count() == 200 and Person.objects.count() == 400
    assert Person.objects.filter(bsn__isnull=True).count() == 40  # every fifth household's second member
    assert HouseholdMembership.objects.count() == 400
    assert Case.objects.count() == 200 and Intervention.objects.count() == 50
    assert Measurement.objects.filter(status=MeasurementStatus.FINAL).count() == 150
    assert Score.objects.count() == 150 * 13
    after_first = counts()

    again = import_registrations(path, actor=cli_actor)

    assert counts() == after_first
    assert all(s.created == 0 and s.updated == 0 for s in again.sheets.values())
    assert {name: s.unchanged for name, s in again.sheets.items()} == {
        "huishoudens": 200, "personen": 400, "casussen": 200, "zrm-metingen": 150, "trajecten": 50}


def test_csv_in_a_folder_and_in_a_zip_import_the_same_as_xlsx(director, cli_actor, tmp_path):
    data = data_for(director, households=40)
    import_registrations(files.write_csv_folder(data, tmp_path / "export"), actor=cli_actor)
    after_csv = counts()
    assert after_csv["Case"] == 40 and after_csv["Measurement"] == 30

    # The same data as a zip of CSV files and as a workbook: recognised, nothing new.
    import_registrations(files.write_zip(data, tmp_path / "export.zip"), actor=cli_actor)
    import_registrations(files.write_xlsx(data, tmp_path / "export.xlsx"), actor=cli_actor)
    assert counts() == after_csv


def test_every_error_in_a_bad_file_is_listed_by_sheet_row_and_column(director, cli_actor, tmp_path):
    data = data_for(director, households=10)
    files.sheet_row(data, "huishoudens", 3)["postcode"] = "1234 A"
    files.sheet_row(data, "personen", 4)["geboortedatum"] = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    files.sheet_row(data, "personen", 5)["rol"] = "buurman"
    files.sheet_row(data, "casussen", 2)["bron"] = "krant"
    files.sheet_row(data, "casussen", 3)["regisseur"] = "onbekend"
    files.sheet_row(data, "casussen", 4)["huishouden_id"] = "BESTAAT-NIET"
    files.sheet_row(data, "zrm-metingen", 2)["financien"] = "7"
    files.sheet_row(data, "zrm-metingen", 3)["versie"] = "zrm-1999"
    files.sheet_row(data, "trajecten", 2)["soort"] = "toverdrank"

    with pytest.raises(ImportRejected) as rejected:
        import_registrations(files.write_csv_folder(data, tmp_path / "export"), actor=cli_actor)

    places = [(e.sheet, e.row, e.column) for e in rejected.value.errors]
    assert places == [
        ("huishoudens", 3, "postcode"),
        ("personen", 4, "geboortedatum"),
        ("personen", 5, "rol"),
        ("casussen", 2, "bron"),
        ("casussen", 3, "regisseur"),
        ("casussen", 4, "huishouden_id"),
        ("zrm-metingen", 2, "financien"),
        ("zrm-metingen", 3, "versie"),
        ("trajecten", 2, "soort"),
    ]
    messages = {(e.sheet, e.row): e.message for e in rejected.value.errors}
    assert messages[("personen", 4)] == "Deze datum ligt in de toekomst."
    assert "Onbekende gebruiker 'onbekend'" in messages[("casussen", 3)]
    assert "Onbekend huishouden 'BESTAAT-NIET'" in messages[("casussen", 4)]
    assert Household.objects.count() == 0 and AuditEvent.objects.count() == 0


# --- Invariants kept by the bulk writes -------------------------------------------------------------

def test_imported_measurements_are_vastgesteld_with_the_derived_values_the_zrm_service_computes(
        director, cli_actor, tmp_path):
    from tests.zrm.factories import record

    data = data_for(director, households=4)
    import_registrations(files.write_csv_folder(data, tmp_path / "export"), actor=cli_actor)
    imported = Measurement.objects.get(external_id="A-M-00000")
    scores = {s.domain.code: s.score if s.score is not None else s.not_scored_reason
              for s in imported.scores.select_related("domain")}
    row = data["zrm-metingen"][0]
    # a blank domain becomes "onbekend", exactly as vaststellen in the entry screen does
    assert scores == {code: (int(row[code]) if row[code].isdigit() else row[code] or "onbekend")
                      for code in files.CODES_2017}
    assert imported.status == MeasurementStatus.FINAL and imported.finalised_at is not None
    assert imported.assessor == director  # no beoordelaar column value: the case's regisseur

    # The same scores through zrm.services.record_measurement give the same stored derived values.
    case = Case.objects.get(external_id="A-C-00000")
    person = Person.objects.get(bsn_hash=bsn_lookup_hash(row["bsn"]))
    reference = record(case, person, scores={c: v for c, v in scores.items() if v != "onbekend"},
                       date=imported.date)
    for name in ("problem_domain_count", "acute_domain_count", "bucket", "cluster_scores", "household_category"):
        assert getattr(imported, name) == getattr(reference, name), name
    expected = derived.derive([(s.domain.cluster, s.score) for s in imported.scores.select_related("domain")])
    assert imported.bucket == expected.bucket and imported.problem_domain_count == expected.problem_domain_count


def test_every_imported_case_gets_its_director_history_and_timeline(director, cli_actor, tmp_path):
    data = data_for(director, households=3)  # aangemeld, in behandeling, afgesloten
    import_registrations(files.write_csv_folder(data, tmp_path / "export"), actor=cli_actor)
    registered, in_progress, closed = (Case.objects.get(external_id=f"A-C-0000{i}") for i in range(3))
    assert (registered.status, in_progress.status, closed.status) == (
        CaseStatus.REGISTERED, CaseStatus.IN_PROGRESS, CaseStatus.CLOSED)
    assert closed.closure_reason.code == "doelen_behaald" and closed.closed_on is not None
    for case in (registered, in_progress, closed):
        assignment = DirectorAssignment.objects.get(case=case)
        assert assignment.regisseur == director and assignment.started_on == case.melding_date
        assert assignment.ended_on == case.closed_on

    def kinds(case):
        return list(case.events.values_list("kind", flat=True))

    assert kinds(registered) == [CaseEventKind.MELDING, CaseEventKind.DIRECTOR]
    assert kinds(in_progress) == [CaseEventKind.MELDING, CaseEventKind.DIRECTOR, CaseEventKind.FIRST_CONTACT]
    assert kinds(closed) == [CaseEventKind.MELDING, CaseEventKind.DIRECTOR, CaseEventKind.FIRST_CONTACT,
                             CaseEventKind.CLOSED]
    assert set(closed.events.values_list("actor", flat=True)) == {director.user_id}


def test_a_file_cannot_give_a_household_a_second_open_case(director, cli_actor, tmp_path):
    data = data_for(director, households=2)
    second = dict(files.sheet_row(data, "casussen", 2), extern_id="A-C-EXTRA", status="aangemeld",
                  eerste_contact="", afsluitdatum="", afsluitreden="")
    data["casussen"].append(second)  # row 4: household A-HH-00000 already has open case row 2

    with pytest.raises(ImportRejected) as rejected:
        import_registrations(files.write_csv_folder(data, tmp_path / "export"), actor=cli_actor)

    assert rejected.value.errors == [ImportIssue("casussen", 4, "huishouden_id", services.MSG_OPEN_CASE)]


def test_a_household_with_an_open_case_in_wijkregie_gets_no_second_one_from_a_file(director, cli_actor, tmp_path):
    existing = CaseFactory(regisseur=director, household__external_id="HH-BESTAAND")
    data = data_for(director, households=1)
    data["huishoudens"] = []
    data["personen"] = []
    data["zrm-metingen"] = []
    data["trajecten"] = []
    data["casussen"][0]["huishouden_id"] = "HH-BESTAAND"

    with pytest.raises(ImportRejected) as rejected:
        import_registrations(files.write_csv_folder(data, tmp_path / "export"), actor=cli_actor)

    assert rejected.value.errors == [ImportIssue("casussen", 2, "huishouden_id", services.MSG_OPEN_CASE)]
    assert Case.objects.filter(household=existing.household).count() == 1


def test_the_director_must_be_an_active_member_of_the_cases_team(director, cli_actor, tmp_path):
    StaffFactory(user=UserFactory(username="piet"))  # a social worker in another team
    data = data_for(director, households=2)
    files.sheet_row(data, "casussen", 3)["regisseur"] = "piet"

    with pytest.raises(ImportRejected) as rejected:
        import_registrations(files.write_csv_folder(data, tmp_path / "export"), actor=cli_actor)

    assert rejected.value.errors == [ImportIssue(
        "casussen", 3, "regisseur",
        "De regisseur moet een actief lid van team Wijkteam Oosterpark zijn (sociaal werker of teamleider).")]


def test_a_later_file_moves_a_case_forward_with_timeline_director_history_and_audit(director, cli_actor, tmp_path):
    data = data_for(director, households=1)  # household 0: an aangemeld case
    import_registrations(files.write_csv_folder(data, tmp_path / "v1"), actor=cli_actor)
    case = Case.objects.get(external_id="A-C-00000")
    melding = case.melding_date
    row = data["casussen"][0]
    row.update(status="afgesloten", eerste_contact=(melding + dt.timedelta(days=3)).isoformat(),
               afsluitdatum=(melding + dt.timedelta(days=40)).isoformat(), afsluitreden="verhuisd")

    summary = import_registrations(files.write_csv_folder(data, tmp_path / "v2"), actor=cli_actor)

    assert summary.sheets["casussen"].updated == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closure_reason.code == "verhuisd"
    assert case.first_contact_date == melding + dt.timedelta(days=3)
    assert DirectorAssignment.objects.get(case=case).ended_on == melding + dt.timedelta(days=40)
    assert list(case.events.values_list("kind", flat=True))[-2:] == [CaseEventKind.FIRST_CONTACT,
                                                                      CaseEventKind.CLOSED]
    assert AuditEvent.objects.filter(object_type="case", object_id=str(case.pk), action=AuditAction.UPDATE).count() == 1


def test_another_regisseur_in_a_later_file_is_a_transfer_within_the_team(director, cli_actor, tmp_path):
    colleague = StaffFactory(team=director.team, user=UserFactory(username="mo"))
    data = data_for(director, households=2)  # case 1 is in behandeling
    import_registrations(files.write_csv_folder(data, tmp_path / "v1"), actor=cli_actor)
    files.sheet_row(data, "casussen", 3)["regisseur"] = "mo"

    import_registrations(files.write_csv_folder(data, tmp_path / "v2"), actor=cli_actor)

    case = Case.objects.get(external_id="A-C-00001")
    assert case.regisseur == colleague
    history = list(DirectorAssignment.objects.filter(case=case).order_by("pk").values_list(
        "regisseur", "ended_on"))
    assert history == [(director.pk, dt.date.today()), (colleague.pk, None)]
    assert case.events.filter(kind=CaseEventKind.TRANSFER).count() == 1


def test_trajectories_are_updated_by_extern_id_and_may_bridge_one_another(director, cli_actor, tmp_path):
    data = data_for(director, households=1)
    waiting = data["trajecten"][0]
    waiting.update(soort="ggz_ambulant", op_wachtlijst="ja")
    data["trajecten"].append(dict(waiting, extern_id="A-T-BRUG", soort="maatschappelijke_dienstverlening",
                                  uitvoerder="team", uren_per_maand="10", op_wachtlijst="nee",
                                  overbrugging_voor=waiting["extern_id"]))

    summary = import_registrations(files.write_csv_folder(data, tmp_path / "v1"), actor=cli_actor)

    bridge = Intervention.objects.get(external_id="A-T-BRUG")
    assert bridge.bridging_for == Intervention.objects.get(external_id=waiting["extern_id"])
    assert [(w.row, w.column) for w in summary.warnings] == [(3, "uren_per_maand")]  # above the 8-hour cap
    waiting["aanbieder"] = "Lentis"
    again = import_registrations(files.write_csv_folder(data, tmp_path / "v2"), actor=cli_actor)
    assert (again.sheets["trajecten"].updated, again.sheets["trajecten"].unchanged) == (1, 1)
    assert Intervention.objects.get(external_id=waiting["extern_id"]).provider == "Lentis"
    assert AuditEvent.objects.filter(object_type="intervention", action=AuditAction.UPDATE).count() == 1


def test_a_closed_case_cannot_go_back_to_in_behandeling_through_a_file(director, cli_actor, tmp_path):
    data = data_for(director, households=3)
    import_registrations(files.write_csv_folder(data, tmp_path / "v1"), actor=cli_actor)
    files.sheet_row(data, "casussen", 4).update(status="in_behandeling", afsluitdatum="", afsluitreden="")
    before = counts()

    with pytest.raises(ImportRejected) as rejected:
        import_registrations(files.write_csv_folder(data, tmp_path / "v2"), actor=cli_actor)

    assert rejected.value.errors == [ImportIssue("casussen", 4, "status",
                                                 "Een casus met status 'Afgesloten' kan niet naar 'In behandeling'.")]
    assert counts() == before


def test_a_finalised_measurement_is_never_changed_by_a_reimport(director, cli_actor, tmp_path):
    data = data_for(director, households=3)
    import_registrations(files.write_csv_folder(data, tmp_path / "v1"), actor=cli_actor)
    stored = Measurement.objects.get(external_id="A-M-00001")
    scores_before = list(stored.scores.values_list("domain_id", "score", "not_scored_reason"))
    files.sheet_row(data, "zrm-metingen", 3)["financien"] = "5" if data["zrm-metingen"][1]["financien"] != "5" else "4"

    with pytest.raises(ImportRejected) as rejected:
        import_registrations(files.write_csv_folder(data, tmp_path / "v2"), actor=cli_actor)

    [error] = rejected.value.errors
    assert (error.sheet, error.row, error.column) == ("zrm-metingen", 3, "extern_id")
    assert "al vastgesteld" in error.message
    assert list(stored.scores.values_list("domain_id", "score", "not_scored_reason")) == scores_before


def test_a_new_melding_within_a_year_after_closing_is_linked_as_a_reopening(director, cli_actor, tmp_path):
    data = data_for(director, households=3)  # household 2 has a closed case
    closed = files.sheet_row(data, "casussen", 4)
    reopened_on = dt.date.fromisoformat(closed["afsluitdatum"]) + dt.timedelta(days=10)
    data["casussen"].append(dict(closed, extern_id="A-C-HEROPEND", meldingsdatum=reopened_on.isoformat(),
                                 status="", eerste_contact="", afsluitdatum="", afsluitreden=""))

    import_registrations(files.write_csv_folder(data, tmp_path / "export"), actor=cli_actor)

    new = Case.objects.get(external_id="A-C-HEROPEND")
    assert new.status == CaseStatus.REGISTERED
    assert new.reopened_from == Case.objects.get(external_id=closed["extern_id"])
    assert new.events.filter(kind=CaseEventKind.REOPENED, description__startswith="Heropend 10 dagen").exists()


def test_child_module_domains_are_refused_without_a_child_at_home(director, cli_actor, tmp_path):
    data = data_for(director, households=2)  # household 1 has a partner, no child
    row = files.sheet_row(data, "zrm-metingen", 3)
    for code in files.CODES_2017:
        row.pop(code)
    row.update(versie="zrm-2013", financien="3", dagbesteding="2", opvang="4")

    with pytest.raises(ImportRejected) as rejected:
        import_registrations(files.write_csv_folder(data, tmp_path / "export"), actor=cli_actor)

    [error] = rejected.value.errors
    assert (error.sheet, error.row, error.column) == ("zrm-metingen", 3, "opvang")
    assert "kindmodule" in error.message


def test_one_audit_row_per_created_household_person_case_measurement_and_trajectory(director, tmp_path):
    actor = Actor(user=director.user, client="beheer:import_registrations")
    data = data_for(director, households=8)

    import_registrations(files.write_csv_folder(data, tmp_path / "export"), actor=actor)

    rows = AuditEvent.objects.filter(action=AuditAction.CREATE)
    per_type = {t: rows.filter(object_type=t).count() for t in ("household", "person", "case", "measurement",
                                                                "intervention")}
    assert per_type == {"household": 8, "person": 16, "case": 8, "measurement": 6, "intervention": 2}
    assert set(rows.values_list("client", "user", "purpose")) == {
        ("beheer:import_registrations", director.user_id, "registratie-import (koppeling of migratie)")}
    person = Person.objects.get(bsn_hash=bsn_lookup_hash(data["personen"][0]["bsn"]))
    assert rows.filter(object_type="person", person=person).count() == 1
    assert rows.filter(object_type="measurement", person=person).count() == 1


def test_changed_names_update_the_person_once_with_one_audit_row(director, cli_actor, tmp_path):
    data = data_for(director, households=2)
    import_registrations(files.write_csv_folder(data, tmp_path / "v1"), actor=cli_actor)
    files.sheet_row(data, "personen", 2)["achternaam"] = "Nieuwenhuis"

    summary = import_registrations(files.write_csv_folder(data, tmp_path / "v2"), actor=cli_actor)

    assert (summary.sheets["personen"].updated, summary.sheets["personen"].created) == (1, 0)
    person = Person.objects.get(bsn_hash=bsn_lookup_hash(data["personen"][0]["bsn"]))
    assert person.last_name == "Nieuwenhuis" and Person.objects.count() == 4
    assert AuditEvent.objects.filter(object_type="person", action=AuditAction.UPDATE).count() == 1


def test_unknown_sheets_and_columns_are_reported_not_ignored(director, cli_actor, tmp_path):
    data = data_for(director, households=1)
    data["personen"][0]["lievelingskleur"] = "blauw"
    data["casusen"] = data.pop("trajecten")

    with pytest.raises(ImportRejected) as rejected:
        import_registrations(files.write_xlsx(data, tmp_path / "export.xlsx"), actor=cli_actor)

    names = [e.name for e in rejected.value.errors]
    assert names == ["casusen", "personen[1].lievelingskleur"]


def test_imported_rows_obey_the_database_level_invariants(director, cli_actor, tmp_path):
    import_registrations(files.write_csv_folder(data_for(director, households=3), tmp_path / "e"), actor=cli_actor)
    measurement = Measurement.objects.get(external_id="A-M-00000")
    with pytest.raises(IntegrityError), transaction.atomic():  # vastgesteld: the trigger refuses a change
        Measurement.objects.filter(pk=measurement.pk).update(date=measurement.date - dt.timedelta(days=1))
    household = Case.objects.get(external_id="A-C-00000").household
    with pytest.raises(IntegrityError), transaction.atomic():  # still one open case per household
        Case.objects.create(household=household, team=director.team, melding_date=dt.date.today(),
                            melding_source_id=Case.objects.first().melding_source_id, regisseur=director)
    with pytest.raises(IntegrityError), transaction.atomic():  # external ids are unique
        Household.objects.create(external_id="A-HH-00000", postcode="9711AB", house_number=1, street="X", city="Y")


def test_an_import_runs_the_same_queries_for_10_or_150_households_and_inserts_in_bulk(director, cli_actor, tmp_path):
    from django.test.utils import CaptureQueriesContext

    reads, inserts = {}, {}
    for prefix, households, start in (("S", 10, 30_000_000), ("L", 150, 40_000_000)):
        data = data_for(director, households=households, prefix=prefix, bsn_start=start)
        path = files.write_csv_folder(data, tmp_path / prefix)
        with CaptureQueriesContext(connection) as queries:
            import_registrations(path, actor=cli_actor)
        statements = [q["sql"] for q in queries.captured_queries]
        inserts[households] = sum(1 for sql in statements if sql.startswith("INSERT"))
        reads[households] = len(statements) - inserts[households]
    assert reads[10] == reads[150], reads  # set-based: no query per row
    # Bulk inserts: a handful of statements, not one per row.
    assert inserts[150] <= 750 / 10, inserts


def test_a_large_file_imports_in_bulk_on_postgresql(director, cli_actor, tmp_path, capsys):
    """20,000 rows: 4,000 households, 8,000 persons, 4,000 cases, 3,000 measurements (39,000 domain scores) and
    1,000 trajectories. The target is 2,000 rows/s; the floor asserted here leaves room for a busy CI machine
    (the figure is printed: run with -s)."""
    data = data_for(director, households=4000)
    path = files.write_csv_folder(data, tmp_path / "groot")
    started, cpu = time.perf_counter(), time.process_time()
    summary = import_registrations(path, actor=cli_actor)
    with connection.cursor() as cursor:  # the foreign-key checks a COMMIT would run, counted too
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    with capsys.disabled():
        print(f"\nimport of {summary.rows} rows: {elapsed:.2f} s, {summary.rows / elapsed:.0f} rows/s "
              f"(import process CPU {cpu:.2f} s)")
    assert summary.rows == 20_000 and Case.objects.count() == 4000 and Score.objects.count() == 39_000
    assert summary.rows / elapsed >= 500
    started = time.perf_counter()
    again = import_registrations(path, actor=cli_actor)
    with capsys.disabled():
        print(f"re-import of the same file (all unchanged): {time.perf_counter() - started:.2f} s")
    assert sum(s.unchanged for s in again.sheets.values()) == 20_000


# --- Team authorisation, the API and the command ----------------------------------------------------

IMPORTS = "/api/v1/imports"


def upload(api, path, **extra):
    with open(path, "rb") as fh:
        return api.post(IMPORTS + extra.pop("query", ""), {"file": fh}, format="multipart", **extra)


def test_an_integration_client_imports_a_workbook_for_its_own_team_and_gets_the_counts(director, tmp_path):
    _, token = create_api_client(name="WIZportaal-migratie", scopes=["registratie.schrijven"],
                                 teams=[director.team])
    path = files.write_xlsx(data_for(director, households=20), tmp_path / "migratie.xlsx")

    response = upload(bearer(token), path)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rows"] == 100 and body["written"] is True
    assert {s["sheet"]: s["created"] for s in body["sheets"]} == {
        "huishoudens": 20, "personen": 40, "casussen": 20, "zrm-metingen": 15, "trajecten": 5}
    assert response["API-Version"]
    # Audited as the client; the timeline names the case's director (a machine has no user account).
    assert set(AuditEvent.objects.values_list("client", "user")) == {("api:WIZportaal-migratie", None)}
    assert set(CaseEvent.objects.values_list("actor", flat=True)) == {director.user_id}
    assert upload(bearer(token), path).json()["sheets"][0]["unchanged"] == 20
    assert Case.objects.count() == 20


def test_an_api_client_limited_to_team_a_cannot_import_rows_for_team_b(director, tmp_path):
    team_b = StaffFactory(team=TeamFactory(name="Wijkteam Vinkhuizen"), user=UserFactory(username="bea"))
    _, token = create_api_client(name="Koppeling A", scopes=["registratie.schrijven"],
                                 teams=[director.team])
    data = data_for(director, households=3)
    files.sheet_row(data, "casussen", 3).update(team="Wijkteam Vinkhuizen", regisseur="bea")
    before = counts()

    response = upload(bearer(token), files.write_xlsx(data, tmp_path / "b.xlsx"))

    assert response.status_code == 400
    [param] = response.json()["invalid-params"]
    assert param["name"] == "casussen[3].team"
    assert param["reason"] == ("U mag alleen importeren voor uw eigen team(s); team Wijkteam Vinkhuizen hoort daar "
                               "niet bij.")
    assert counts() == before
    # Nor may it touch team B's existing cases or households through their external ids.
    CaseFactory(regisseur=team_b, external_id="B-C-1", household__external_id="B-HH-1")
    data = data_for(director, households=1)
    data["huishoudens"][0]["extern_id"] = data["personen"][0]["huishouden_id"] = "B-HH-1"
    data["personen"] = data["personen"][:1]
    data["casussen"], data["trajecten"] = [], []
    data["zrm-metingen"][0]["casus_id"] = "B-C-1"
    response = upload(bearer(token), files.write_xlsx(data, tmp_path / "b2.xlsx"))
    assert {p["name"] for p in response.json()["invalid-params"]} == {
        "huishoudens[2].extern_id", "personen[2].huishouden_id", "zrm-metingen[2].casus_id"}


def test_a_rejected_file_answers_problem_details_with_every_error_named_sheet_row_column(director, tmp_path):
    _, token = create_api_client(name="K", scopes=["registratie.schrijven"], teams=[director.team])
    data = data_for(director, households=10)
    files.sheet_row(data, "personen", 15)["bsn"] = "111222334"
    files.sheet_row(data, "casussen", 5)["meldingsdatum"] = "31-02-2024"

    response = upload(bearer(token), files.write_zip(data, tmp_path / "export.zip"))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == 400 and body["instance"] == IMPORTS and body["code"] == "import_rejected"
    assert body["invalid-params"] == [
        {"name": "personen[15].bsn", "code": "invalid", "reason": services.MSG_BSN_INVALID, "sheet": "personen",
         "row": 15, "column": "bsn"},
        {"name": "casussen[5].meldingsdatum", "code": "invalid",
         "reason": "Ongeldige datum: gebruik JJJJ-MM-DD of DD-MM-JJJJ.", "sheet": "casussen", "row": 5,
         "column": "meldingsdatum"},
    ]
    assert "111222334" not in response.content.decode()  # a BSN is never echoed
    assert Household.objects.count() == 0


def test_an_upload_without_a_file_or_with_an_unreadable_one_is_a_problem(director, tmp_path):
    _, token = create_api_client(name="K", scopes=["registratie.schrijven"], teams=[director.team])
    api = bearer(token)
    response = api.post(IMPORTS, {}, format="multipart")
    assert response.status_code == 400 and response.json()["invalid-params"][0]["name"] == "file"
    junk = tmp_path / "kapot.xlsx"
    junk.write_bytes(b"dit is geen werkboek")
    response = upload(api, junk)
    assert response.status_code == 400
    assert response.json()["invalid-params"][0]["name"] == "bestand"


def test_only_registratie_schrijven_clients_and_team_leaders_may_import(director, team_leader, login, tmp_path):
    path = files.write_xlsx(data_for(director, households=2), tmp_path / "x.xlsx")
    for scopes in (["registratie.lezen"], ["aggregaten.lezen"], ["onderzoek.lezen"], ["mkba.lezen"]):
        teams = [director.team] if "registratie.lezen" in scopes else []
        _, token = create_api_client(name="/".join(scopes), scopes=scopes, teams=teams)
        assert upload(bearer(token), path).status_code == 403, scopes
    assert upload(APIClient(), path).status_code in (401, 403)
    assert upload(login(director), path).status_code == 403  # a sociaal werker's session
    assert Case.objects.count() == 0

    leader = StaffFactory(leader=True, team=director.team)
    response = upload(login(leader), path)  # a teamleider of the file's team
    assert response.status_code == 200, response.content
    assert set(AuditEvent.objects.values_list("user", flat=True)) == {leader.user_id}
    assert api_get_is_not_allowed(login(leader))


def api_get_is_not_allowed(api) -> bool:
    return api.get(IMPORTS).status_code == 405


def test_a_team_leader_cannot_import_for_another_team(director, login, tmp_path):
    other_leader = StaffFactory(leader=True)
    response = upload(login(other_leader), files.write_xlsx(data_for(director, households=2), tmp_path / "x.xlsx"))
    assert response.status_code == 400
    assert {p["name"] for p in response.json()["invalid-params"]} == {"casussen[2].team", "casussen[3].team"}


def test_dry_run_checks_the_file_without_writing(director, tmp_path):
    _, token = create_api_client(name="K", scopes=["registratie.schrijven"], teams=[director.team])
    response = upload(bearer(token), files.write_xlsx(data_for(director, households=2), tmp_path / "x.xlsx"),
                      query="?dryRun=true")
    assert response.status_code == 200 and response.json()["written"] is False
    assert counts()["Household"] == 0


def test_dry_run_is_a_boolean_query_parameter(director, tmp_path):
    # Once anything but true/1/ja meant "write": a misspelt dryRun imported for real.
    _, token = create_api_client(name="K", scopes=["registratie.schrijven"], teams=[director.team])
    path = files.write_xlsx(data_for(director, households=2), tmp_path / "x.xlsx")
    response = upload(bearer(token), path, query="?dryRun=yes")
    assert response.status_code == 200 and response.json()["written"] is False
    response = upload(bearer(token), path, query="?dryRun=misschien")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert [p["name"] for p in response.json()["invalid-params"]] == ["dryRun"]
    assert counts()["Household"] == 0


@pytest.fixture
def run_command(monkeypatch):
    """run_command(*args): manage.py import_registrations in-process, on the test database; returns the exit code."""
    from django.db import connections

    # run_from_argv closes every connection when it ends: that would end the test's transaction too.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args) -> int:
        try:
            ManagementUtility(["manage.py", "import_registrations", *map(str, args)]).execute()
        except SystemExit as exit_:
            return exit_.code
        return 0

    return run


def test_the_command_prints_every_error_and_exits_non_zero_with_nothing_written(director, tmp_path, capsys,
                                                                                 run_command):
    data = data_for(director)
    files.sheet_row(data, "personen", 15)["bsn"] = "123456789"
    files.sheet_row(data, "trajecten", 7)["rol_team"] = "misschien"

    code = run_command(files.write_xlsx(data, tmp_path / "migratie.xlsx"))

    assert code == 1
    err = capsys.readouterr().err
    assert "tabblad personen, rij 15, kolom bsn: Dit is geen geldig BSN" in err
    assert "tabblad trajecten, rij 7, kolom rol_team: Onbekende waarde 'misschien'" in err
    assert "Import geweigerd: 2 fout(en); er is niets opgeslagen." in err
    assert counts()["Household"] == 0


def test_the_command_imports_a_good_file_prints_a_summary_and_exits_zero(director, tmp_path, capsys, run_command):
    path = files.write_zip(data_for(director, households=20), tmp_path / "export.zip")

    assert run_command(path, "--user", director.user.username, "--team-limit", director.team.name) == 0

    out = capsys.readouterr().out
    assert "Import geslaagd: 100 rijen" in out
    assert "casussen            20      20          0            0" in out
    assert set(AuditEvent.objects.values_list("user", flat=True)) == {director.user_id}
    assert run_command(path, "--team-limit", "Wijkteam Elders") == 1  # an unknown team
    assert run_command(tmp_path / "bestaat-niet.xlsx") == 1
    assert Case.objects.count() == 20


def test_a_concurrent_change_between_validating_and_writing_rejects_the_file_whole(
        director, cli_actor, tmp_path, monkeypatch):
    from zrm import imports

    validate = imports.RegistrationImport.validate

    def validate_then_someone_else_writes(self):
        validate(self)
        Household.objects.create(external_id="A-HH-00003", postcode="9711AB", house_number=9, street="Korreweg",
                                 city="Groningen")

    monkeypatch.setattr(imports.RegistrationImport, "validate", validate_then_someone_else_writes)

    with pytest.raises(ImportRejected) as rejected:
        import_registrations(files.write_csv_folder(data_for(director, households=5), tmp_path / "e"), actor=cli_actor)

    assert [e.message for e in rejected.value.errors] == [imports.MSG_CONCURRENT]
    assert list(Household.objects.values_list("external_id", flat=True)) == ["A-HH-00003"]
    assert Person.objects.count() == 0 and AuditEvent.objects.count() == 0
