"""Bulk import of registrations from CSV or XLSX (docs/import-format.md describes the format).

One sheet (XLSX) or one file (CSV, in a folder or a zip) per entity: huishoudens, personen,
casussen, zrm-metingen, trajecten. `import_registrations()` guarantees:

- the whole file is validated first, every row and every column (types, code lists, elfproef,
  dates not in the future, references to other sheets or to existing rows, the importer's
  teams); every problem is collected as (sheet, row, column, Dutch message) and the file is
  rejected with all of them (ImportRejected): nothing is written;
- a valid file is written in one transaction, with bulk inserts, keeping every invariant the
  services keep: one open case per household, a director from the case's team, the case state
  machine, the case timeline and director history, derived ZRM values (zrm.derived) and one
  audit row per created or changed household, person, case, measurement and trajectory;
- importing the same file again changes nothing: rows are matched on their natural key (BSN, or
  for a person without BSN the household plus names and date of birth; `extern_id` for the
  rest). A vastgestelde measurement is never changed: the same values are skipped, different
  values are an error for that row.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, connections, models, transaction
from django.db.models import Exists, OuterRef
from django.db.models.expressions import RawSQL
from django.utils import timezone

from common import audit
from common.audit import Actor
from common.models import AuditAction
from common.validators import is_valid_bsn, normalise_postcode, validate_postcode

from . import services
from .crypto import bsn_lookup_hash
from .models import (
    CASE_TRANSITIONS,
    TEAM_ROLES,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    ClosureReason,
    Deliverer,
    DeviationReason,
    DirectorAssignment,
    Household,
    HouseholdMembership,
    Intervention,
    InterventionType,
    MeldingSource,
    MemberRole,
    OtherSubcategory,
    Person,
    StaffMembership,
    Team,
    TeamAction,
)

PURPOSE_IMPORT = "registratie-import (koppeling of migratie)"
SHEETS = ("huishoudens", "personen", "casussen", "zrm-metingen", "trajecten")
IGNORED_SHEETS = {"toelichting", "uitleg", "readme"}
BATCH = 1000
MAX_UNPACKED_BYTES = 1024 ** 3  # a zip or workbook that unpacks to more is refused (zip bombs)
TEAM_ROLE_VALUES = [r.value for r in TEAM_ROLES]


# --- Results and errors ------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class ImportIssue:
    """One problem (or warning) at a place in the file. Row numbers are spreadsheet rows: the header is row 1."""

    sheet: str
    row: int
    column: str
    message: str

    @property
    def name(self) -> str:
        """`personen[12].bsn`: the place as an API parameter name."""
        where = (f"{self.sheet}[{self.row}]" if self.row else self.sheet) if self.sheet else "bestand"
        return f"{where}.{self.column}" if self.column else where

    def __str__(self) -> str:
        parts = [f"tabblad {self.sheet}" if self.sheet else "bestand"]
        if self.row:
            parts.append(f"rij {self.row}")
        if self.column:
            parts.append(f"kolom {self.column}")
        return f"{', '.join(parts)}: {self.message}"


class ImportRejected(Exception):
    """The file was rejected and nothing was written; `errors` lists every problem found."""

    def __init__(self, errors: list[ImportIssue]):
        self.errors = sorted(set(errors), key=_issue_order)
        super().__init__(f"{len(self.errors)} fout(en) in het importbestand")


def _issue_order(issue: ImportIssue):
    sheet = SHEETS.index(issue.sheet) if issue.sheet in SHEETS else -1
    return (sheet, issue.row, issue.column, issue.message)


@dataclass
class SheetSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportSummary:
    sheets: dict[str, SheetSummary]
    warnings: list[ImportIssue] = field(default_factory=list)
    seconds: float = 0.0
    written: bool = False

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.sheets.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "written": self.written,
            "seconds": round(self.seconds, 3),
            "sheets": [
                {"sheet": name, "rows": s.rows, "created": s.created, "updated": s.updated, "unchanged": s.unchanged}
                for name, s in self.sheets.items()
            ],
            "warnings": [{"name": w.name, "sheet": w.sheet, "row": w.row, "column": w.column, "reason": w.message}
                         for w in self.warnings],
        }


# --- Reading CSV and XLSX ----------------------------------------------------------------------

@dataclass
class RawSheet:
    name: str
    header: list[str]
    rows: list[tuple[int, list]]  # (spreadsheet row number, cells)


def _sheet_name(value: str) -> str:
    return re.sub(r"[\s_]+", "-", (value or "").strip().lower())


def _column_name(value) -> str:
    return re.sub(r"[\s\-]+", "_", str(value if value is not None else "").strip().lower())


def _is_blank(cells) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel's "CSV" on Dutch Windows


def _read_csv(name: str, data: bytes) -> RawSheet:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows = []
    for number, cells in enumerate(reader, start=1):
        if header is None:
            header = cells
            continue
        if not _is_blank(cells):
            rows.append((number, cells))
    return RawSheet(name, header or [], rows)


def _read_xlsx(data) -> list[RawSheet]:
    from openpyxl import load_workbook

    workbook = load_workbook(data, read_only=True, data_only=True)
    try:
        sheets = []
        for worksheet in workbook.worksheets:
            header = None
            rows = []
            for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
                if header is None:
                    header = list(cells)
                    continue
                if not _is_blank(cells):
                    rows.append((number, list(cells)))
            sheets.append(RawSheet(worksheet.title, header or [], rows))
        return sheets
    finally:
        workbook.close()


def _read_zip(archive: zipfile.ZipFile) -> list[RawSheet]:
    sheets = []
    for info in archive.infolist():
        path = Path(info.filename)
        if info.is_dir() or path.name.startswith(".") or "__MACOSX" in path.parts:
            continue
        if path.suffix.lower() == ".csv":
            sheets.append(_read_csv(path.stem, archive.read(info)))
    return sheets


class UnreadableFile(Exception):
    pass


def read_sheets(source, filename: str | None = None) -> list[RawSheet]:
    """The sheets of an XLSX workbook, a zip of CSV files, a folder of CSV files or one CSV file.

    `source` is a path or a binary file object (then `filename` tells its type, else it is sniffed).
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        if path.is_dir():
            return [_read_csv(p.stem, p.read_bytes()) for p in sorted(path.iterdir())
                    if p.is_file() and p.suffix.lower() == ".csv"]
        filename = filename or path.name
        data = path.read_bytes()
    else:
        data = source.read()
    suffix = Path(filename or "").suffix.lower()
    buffer = io.BytesIO(data)
    try:
        if zipfile.is_zipfile(buffer):
            with zipfile.ZipFile(buffer) as archive:
                if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                    raise UnreadableFile("Uitgepakt is dit bestand groter dan "
                                         f"{MAX_UNPACKED_BYTES // 1024 ** 2} MB; splits het bestand.")
                names = set(archive.namelist())
                if "xl/workbook.xml" in names or suffix in (".xlsx", ".xlsm"):
                    buffer.seek(0)
                    return _read_xlsx(buffer)
                return _read_zip(archive)
        if suffix in (".xlsx", ".xlsm", ".zip"):
            raise UnreadableFile("Dit bestand is geen geldig XLSX- of zip-bestand.")
        if b"\x00" in data[:4096]:
            raise UnreadableFile("Dit bestand is geen CSV, XLSX of zip met CSV-bestanden.")
        return [_read_csv(Path(filename or "").stem, data)]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        if isinstance(exc, UnreadableFile):
            raise
        raise UnreadableFile("Het bestand kon niet worden gelezen als XLSX, zip of CSV.") from exc


# --- Columns -----------------------------------------------------------------------------------

MSG_REQUIRED = "Dit veld is verplicht."
MSG_CONCURRENT = ("Tijdens het opslaan heeft iemand anders dezelfde gegevens gewijzigd; er is niets opgeslagen. "
                  "Importeer het bestand opnieuw.")
MSG_DATE = "Ongeldige datum: gebruik JJJJ-MM-DD of DD-MM-JJJJ."
MSG_FUTURE = services.MSG_FUTURE
MSG_BOOL = "Vul ja of nee in."
MSG_SCORE = "Kies een score van 1 tot en met 5, of niet_relevant of onbekend."
SCORE_VALUES = {str(score): score for score in range(1, 6)}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text, key, int, date, bool, decimal, bsn, postcode, choice
    required: bool = False
    max_length: int = 200
    not_future: bool = True  # dates
    choices: type | None = None  # a TextChoices class for kind "choice"


_CHOICE_LOOKUPS: dict[type, dict[str, str]] = {}


def _choice_lookup(choices) -> dict[str, str]:
    """Value or label (any case) -> value; built once per choices class."""
    if choices not in _CHOICE_LOOKUPS:
        lookup = {}
        for value, label in choices.choices:
            lookup[str(label).casefold()] = value
        for value, _label in choices.choices:
            lookup[str(value).casefold()] = value
        _CHOICE_LOOKUPS[choices] = lookup
    return _CHOICE_LOOKUPS[choices]


def _text(value) -> str:
    if type(value) is str:  # every CSV cell and most XLSX cells
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


UNIQUE_KINDS = {"text", "key", "bsn"}  # column kinds whose cells are mostly distinct
INTEGER = re.compile(r"-?[0-9]+")
BSN_SEPARATORS = re.compile(r"[\s.]")
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")
TRUE = {"ja", "j", "1", "true", "waar", "x", "yes", "y"}
FALSE = {"nee", "n", "0", "false", "onwaar", "no"}


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for fmt in DATE_FORMATS[1:]:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _parse_cell(column: Column, value, today: dt.date) -> tuple[object, str | None]:
    """(typed value, None) for one cell, or (None, the Dutch message) when it is wrong."""
    if column.kind == "bsn" and isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(int(value)).zfill(9)  # Excel drops a BSN's leading zero when it stores it as a number
    else:
        text = _text(value)
    if text == "":
        return None, (MSG_REQUIRED if column.required else None)
    kind = column.kind
    if kind in ("text", "key"):
        if len(text) > column.max_length:
            return None, f"Te lang: hoogstens {column.max_length} tekens."
        return text, None
    if kind == "int":
        if not INTEGER.fullmatch(text):
            return None, "Vul een geheel getal in."
        return int(text), None
    if kind == "decimal":
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            return None, "Vul een getal in, bijvoorbeeld 2,5."
        if not number.is_finite():
            return None, "Vul een getal in, bijvoorbeeld 2,5."
        return number, None
    if kind == "date":
        if isinstance(value, dt.datetime):
            parsed = value.date()
        elif isinstance(value, dt.date):
            parsed = value
        else:
            parsed = _parse_date(text)
            if parsed is None:
                return None, MSG_DATE
        if column.not_future and parsed > today:
            return None, MSG_FUTURE
        return parsed, None
    if kind == "bool":
        lowered = text.casefold()
        if lowered in TRUE:
            return True, None
        if lowered in FALSE:
            return False, None
        return None, MSG_BOOL
    if kind == "bsn":
        compact = BSN_SEPARATORS.sub("", text)
        if not is_valid_bsn(compact):
            return None, services.MSG_BSN_INVALID
        return compact, None
    if kind == "postcode":
        compact = normalise_postcode(text)
        try:
            validate_postcode(compact)
        except DjangoValidationError as exc:
            return None, " ".join(exc.messages)
        return compact, None
    if kind == "choice":
        found = _choice_lookup(column.choices).get(text.casefold())
        if found is None:
            allowed = ", ".join(str(v) for v in column.choices.values)
            return None, f"Onbekende waarde '{text[:40]}'; kies uit: {allowed}."
        return found, None
    raise ValueError(kind)


COLUMNS: dict[str, list[Column]] = {
    "huishoudens": [
        Column("extern_id", "key", required=True, max_length=64),
        Column("postcode", "postcode", required=True),
        Column("huisnummer", "int", required=True),
        Column("toevoeging", max_length=10),
        Column("straat", required=True),
        Column("plaats", required=True, max_length=100),
        Column("wijk", max_length=100),
    ],
    "personen": [
        Column("huishouden_id", "key", required=True, max_length=64),
        Column("bsn", "bsn"),
        Column("persoon_sleutel", "key", max_length=64),
        Column("voornaam", required=True, max_length=100),
        Column("tussenvoegsel", max_length=20),
        Column("achternaam", required=True, max_length=100),
        Column("geboortedatum", "date", required=True),
        Column("rol", "choice", required=True, choices=MemberRole),
        Column("thuiswonend", "bool"),
        Column("lid_vanaf", "date"),
    ],
    "casussen": [
        Column("extern_id", "key", required=True, max_length=64),
        Column("huishouden_id", "key", required=True, max_length=64),
        Column("team", required=True),
        Column("meldingsdatum", "date", required=True),
        Column("bron", required=True),
        Column("status", "choice", choices=CaseStatus),
        Column("regisseur", required=True, max_length=150),
        Column("eerste_contact", "date"),
        Column("afsluitdatum", "date"),
        Column("afsluitreden"),
        Column("veiligheid", "bool"),
    ],
    "zrm-metingen": [
        Column("extern_id", "key", required=True, max_length=64),
        Column("casus_id", "key", required=True, max_length=64),
        Column("bsn", "bsn"),
        Column("persoon_sleutel", "key", max_length=64),
        Column("versie", required=True),
        Column("datum", "date", required=True),
        Column("soort", "choice", required=True),  # choices set in _measurement_columns
        Column("beoordelaar", max_length=150),
        Column("doel", "choice"),
        Column("participatieladder", "int"),
        Column("inkomensbron", "choice"),
    ],
    "trajecten": [
        Column("extern_id", "key", required=True, max_length=64),
        Column("casus_id", "key", required=True, max_length=64),
        Column("soort", required=True),
        Column("subcategorie", "choice", choices=OtherSubcategory),
        Column("rol_team", "choice", required=True, choices=TeamAction),
        Column("uitvoerder", "choice", required=True, choices=Deliverer),
        Column("aanbieder"),
        Column("startdatum", "date"),
        Column("einddatum", "date", not_future=False),
        Column("zonder_team_gestart", "bool"),
        Column("uren_per_maand", "decimal"),
        Column("meest_passende_soort"),
        Column("reden_afwijking", "choice", choices=DeviationReason),
        Column("vervangt_soort"),
        Column("op_wachtlijst", "bool"),
        Column("overbrugging_voor", "key", max_length=64),
        Column("uitgevoerd_na_6_maanden", "bool"),
        Column("bsn", "bsn"),
        Column("persoon_sleutel", "key", max_length=64),
    ],
}


def _measurement_columns() -> list[Column]:
    from zrm.models import IncomeSource, MeasurementPurpose, MeasurementType

    choices = {"soort": MeasurementType, "doel": MeasurementPurpose, "inkomensbron": IncomeSource}
    return [Column(c.name, c.kind, c.required, c.max_length, c.not_future, choices.get(c.name, c.choices))
            for c in COLUMNS["zrm-metingen"]]


# --- The import --------------------------------------------------------------------------------

@dataclass
class Row:
    number: int
    values: dict
    cells: dict  # raw text per column, for domain scores


class _Importer:
    """Validates every row against the file and the database, then writes everything in one go."""

    def __init__(self, *, actor: Actor, allowed_team_ids: set[int] | None):
        self.actor = actor
        self.allowed = allowed_team_ids
        self.errors: list[ImportIssue] = []
        self.error_places: set[tuple[str, int, str]] = set()
        self.warnings: list[ImportIssue] = []
        self.sheets: dict[str, list[Row]] = {name: [] for name in SHEETS}
        self.summary = {name: SheetSummary() for name in SHEETS}
        self.present: dict[str, set[str]] = {name: set() for name in SHEETS}
        self.today = services.today()

    def error(self, sheet: str, row: int, column: str, message: str) -> None:
        self.errors.append(ImportIssue(sheet, row, column, message))
        self.error_places.add((sheet, row, column))

    def _had_error(self, sheet: str, row: int, column: str) -> bool:
        return (sheet, row, column) in self.error_places

    # --- parsing ------------------------------------------------------------------------------

    def parse(self, raw_sheets: list[RawSheet]) -> None:
        from zrm.models import Domain

        self.domain_codes = set(Domain.objects.values_list("code", flat=True))
        seen: dict[str, str] = {}
        for raw in raw_sheets:
            name = _sheet_name(raw.name)
            if name in IGNORED_SHEETS or name.startswith("_"):
                continue
            if name not in SHEETS:
                self.error(raw.name, 0, "", f"Onbekend tabblad of bestand '{raw.name}'; verwacht: "
                                            f"{', '.join(SHEETS)}.")
                continue
            if name in seen:
                self.error(name, 0, "", "Dit tabblad of bestand staat twee keer in de import.")
                continue
            seen[name] = raw.name
            self._parse_sheet(name, raw)
        if not seen and not self.errors:
            self.error("", 0, "", f"Het bestand bevat geen tabbladen of bestanden met de namen {', '.join(SHEETS)}.")

    def _parse_sheet(self, name: str, raw: RawSheet) -> None:
        columns = {c.name: c for c in (_measurement_columns() if name == "zrm-metingen" else COLUMNS[name])}
        positions: dict[str, int] = {}
        domain_positions: dict[str, int] = {}
        for index, title in enumerate(raw.header):
            column = _column_name(title)
            if not column:
                continue
            if column in positions or column in domain_positions:
                self.error(name, 1, column, "Deze kolom staat twee keer in de kop.")
            elif column in columns:
                positions[column] = index
            elif name == "zrm-metingen" and column in self.domain_codes:
                domain_positions[column] = index
            else:
                hint = " of een domeincode van de ZRM" if name == "zrm-metingen" else ""
                self.error(name, 1, column, f"Onbekende kolom '{column}'; verwacht: {', '.join(columns)}{hint}.")
        for column in columns.values():
            if column.required and column.name not in positions:
                self.error(name, 1, column.name, "Deze verplichte kolom ontbreekt.")
        self.present[name] = set(positions) | set(domain_positions)
        rows = self.sheets[name]
        self.summary[name].rows = len(raw.rows)
        today = self.today
        # Per column, the parsed value of each text seen (dates, code lists, flags, postcodes repeat a lot);
        # not for free text and keys, which hardly repeat and are cheap to check.
        plan = [(column_name, index, columns[column_name], None if columns[column_name].kind in UNIQUE_KINDS else {})
                for column_name, index in positions.items()]
        for number, cells in raw.rows:
            values = {}
            count = len(cells)
            for column_name, index, column, seen in plan:
                value = cells[index] if index < count else None
                if seen is not None and type(value) is str:
                    parsed = seen.get(value)
                    if parsed is None:
                        parsed = seen[value] = _parse_cell(column, value, today)
                else:
                    parsed = _parse_cell(column, value, today)
                values[column_name], message = parsed
                if message is not None:
                    self.error(name, number, column_name, message)
            raw_scores = {}
            for code, index in domain_positions.items():
                raw_scores[code] = _text(cells[index] if index < count else None)
            rows.append(Row(number, values, raw_scores))

    # --- helpers ---------------------------------------------------------------------------------

    def _unique_keys(self, sheet: str, column: str, casefold: bool = False) -> dict[str, Row]:
        """Rows by key; a key used twice is an error on the later row."""
        index: dict[str, Row] = {}
        for row in self.sheets[sheet]:
            key = row.values.get(column)
            if key is None:
                continue
            lookup = key.casefold() if casefold else key
            if lookup in index:
                self.error(sheet, row.number, column,
                           f"'{key}' staat al op rij {index[lookup].number} van dit tabblad.")
                continue
            index[lookup] = row
        return index

    def _authorised_team(self, team_id: int | None) -> bool:
        return self.allowed is None or team_id in self.allowed

    @staticmethod
    def _chunks(values: Iterable, size: int = 5000):
        values = list(values)
        for start in range(0, len(values), size):
            yield values[start:start + size]

    def _in(self, queryset, field: str, values) -> list:
        out = []
        if connection.vendor == "postgresql":
            # `= ANY(one array)`: the same rows as IN, without thousands of placeholders for Django and psycopg
            # to build and parse and PostgreSQL to plan (a third of the validation time of a large file).
            meta, quote = queryset.model._meta, connection.ops.quote_name
            column = f"{quote(meta.db_table)}.{quote(meta.get_field(field).column)}"
            for chunk in self._chunks(set(values)):
                out.extend(queryset.filter(RawSQL(f"{column} = ANY(%s)", (chunk,), output_field=models.BooleanField())))
            return out
        for chunk in self._chunks(set(values)):
            out.extend(queryset.filter(**{f"{field}__in": chunk}))
        return out

    # --- validation ------------------------------------------------------------------------------

    def validate(self) -> None:
        self._load_reference_data()
        self._validate_households()
        self._validate_cases()  # before persons: household authorisation depends on the cases
        self._authorise_households()
        self._validate_persons()
        self._check_open_cases()
        self._validate_measurements()
        self._validate_interventions()

    def _load_reference_data(self) -> None:
        self.teams = {t.name.casefold(): t for t in Team.objects.all()}
        self.sources = _code_lookup(MeldingSource.objects.all())
        self.reasons = _code_lookup(ClosureReason.objects.all())
        self.intervention_types = _code_lookup(InterventionType.objects.all())
        usernames = {row.values.get(column) for sheet, column in (("casussen", "regisseur"),
                                                                   ("zrm-metingen", "beoordelaar"))
                     for row in self.sheets[sheet]} - {None}
        self.staff: dict[str, list[StaffMembership]] = defaultdict(list)
        self.known_users: set[str] = set()
        user_model = get_user_model()
        for chunk in self._chunks(usernames):
            for user in user_model.objects.filter(username__in=chunk):
                self.known_users.add(user.get_username())
            for membership in StaffMembership.objects.filter(user__username__in=chunk).select_related("user", "team"):
                self.staff[membership.user.get_username()].append(membership)

    def _director(self, username: str, team: Team, open_case: bool) -> StaffMembership | str:
        """The membership that may direct (or assess in) a case of `team`, or the error message."""
        if username not in self.known_users:
            return f"Onbekende gebruiker '{username}'."
        for membership in self.staff.get(username, []):
            if membership.team_id == team.pk and membership.role in TEAM_ROLE_VALUES and (
                    membership.active or not open_case):
                return membership
        return f"De regisseur moet een actief lid van team {team.name} zijn (sociaal werker of teamleider)."

    # Households ---------------------------------------------------------------------------------

    def _validate_households(self) -> None:
        self.household_rows = self._unique_keys("huishoudens", "extern_id")
        refs = set(self.household_rows)
        refs |= {row.values.get("huishouden_id") for sheet in ("personen", "casussen")
                 for row in self.sheets[sheet]} - {None}
        self.db_households = {h.external_id: h for h in self._in(Household.objects.all(), "external_id", refs)}
        self.household_changes: dict[str, dict] = {}
        for key, row in self.household_rows.items():
            existing = self.db_households.get(key)
            if existing is None:
                continue
            v = row.values
            wanted = {
                "postcode": v.get("postcode"), "house_number": v.get("huisnummer"),
                "house_number_addition": v.get("toevoeging") or "", "street": v.get("straat"),
                "city": v.get("plaats"), "wijk": v.get("wijk") or "",
            }
            changed = {f: value for f, value in wanted.items() if getattr(existing, f) != value}
            if changed:
                self.household_changes[key] = changed
        for row in self.household_rows.values():
            if row.values.get("huisnummer") is not None and row.values["huisnummer"] < 1:
                self.error("huishoudens", row.number, "huisnummer", "Vul een huisnummer in (1 of hoger).")

    def _household_token(self, key: str):
        if key in self.db_households:
            return ("db", self.db_households[key].pk)
        if key in self.household_rows:
            return ("new", key)
        return None

    def _resolve_household(self, sheet: str, row: Row) -> tuple | None:
        key = row.values.get("huishouden_id")
        if key is None:
            return None
        token = self._household_token(key)
        if token is None:
            self.error(sheet, row.number, "huishouden_id",
                       f"Onbekend huishouden '{key}': niet in het tabblad huishoudens en niet in Wijkregie.")
        return token

    # Cases --------------------------------------------------------------------------------------

    def _validate_cases(self) -> None:
        self.case_rows = self._unique_keys("casussen", "extern_id")
        refs = set(self.case_rows) | {row.values.get("casus_id") for sheet in ("zrm-metingen", "trajecten")
                                      for row in self.sheets[sheet]} - {None}
        self.db_cases = {c.external_id: c for c in self._in(
            Case.objects.select_related("team", "closure_reason", "household", "regisseur__user"), "external_id",
            refs)}
        # Every case of the households concerned: one open case per household, reopening, authorisation.
        household_pks = {h.pk for h in self.db_households.values()} | {c.household_id for c in self.db_cases.values()}
        self.household_cases: dict[int, list[Case]] = defaultdict(list)
        self._load_household_cases(household_pks)
        self.case_plan: dict[str, dict] = {}  # extern_id -> what to write
        for key, row in self.case_rows.items():
            self._validate_case(key, row)

    def _load_household_cases(self, household_pks) -> None:
        reopened = Case.objects.filter(reopened_from=OuterRef("pk"))
        queryset = Case.objects.select_related("closure_reason").annotate(already_reopened=Exists(reopened))
        for case in self._in(queryset, "household_id", set(household_pks) - set(self.household_cases)):
            self.household_cases[case.household_id].append(case)

    def _validate_case(self, key: str, row: Row) -> None:
        v, n = row.values, row.number
        household = self._resolve_household("casussen", row)
        team = None
        if v.get("team") is not None:
            team = self.teams.get(v["team"].casefold())
            if team is None:
                self.error("casussen", n, "team", f"Onbekend team '{v['team']}'.")
            elif not self._authorised_team(team.pk):
                self.error("casussen", n, "team",
                           f"U mag alleen importeren voor uw eigen team(s); team {team.name} hoort daar niet bij.")
                team = None
        source = self._code("casussen", row, "bron", self.sources, "meldingsbron")
        reason = self._code("casussen", row, "afsluitreden", self.reasons, "reden van afsluiting")
        melding, contact, closed_on = v.get("meldingsdatum"), v.get("eerste_contact"), v.get("afsluitdatum")
        status = v.get("status")
        if status is None:  # left blank: follows from the dates
            status = CaseStatus.CLOSED if closed_on else (CaseStatus.IN_PROGRESS if contact else CaseStatus.REGISTERED)
        if melding and contact and contact < melding:
            self.error("casussen", n, "eerste_contact", "Het eerste contact kan niet vóór de meldingsdatum liggen.")
        if melding and closed_on and closed_on < melding:
            self.error("casussen", n, "afsluitdatum", "De afsluitdatum kan niet vóór de meldingsdatum liggen.")
        if status == CaseStatus.CLOSED:
            if closed_on is None and not self._had_error("casussen", n, "afsluitdatum"):
                self.error("casussen", n, "afsluitdatum", "Een afgesloten casus heeft een afsluitdatum.")
            if v.get("afsluitreden") is None:
                self.error("casussen", n, "afsluitreden", "Kies een reden van afsluiting.")
        else:
            if closed_on is not None:
                self.error("casussen", n, "afsluitdatum",
                           f"Een casus met status '{CaseStatus(status).label}' heeft geen afsluitdatum.")
            if v.get("afsluitreden") is not None:
                self.error("casussen", n, "afsluitreden",
                           f"Een casus met status '{CaseStatus(status).label}' heeft geen reden van afsluiting.")
        if status == CaseStatus.IN_PROGRESS and contact is None and not self._had_error("casussen", n, "eerste_contact"):
            self.error("casussen", n, "eerste_contact", "Een casus in behandeling heeft een datum eerste contact.")
        if status == CaseStatus.REGISTERED and contact is not None:
            self.error("casussen", n, "status",
                       "Met een eerste contact is de casus in behandeling (of afgesloten), niet aangemeld.")
        plan = {"row": row, "household": household, "team": team, "source": source, "reason": reason,
                "status": status, "melding": melding, "contact": contact, "closed_on": closed_on,
                "safety": bool(v.get("veiligheid")), "regisseur": None, "existing": self.db_cases.get(key),
                "changes": {}, "events": [], "transfer": False}
        self.case_plan[key] = plan
        existing = plan["existing"]
        if existing is not None:
            if not self._authorised_team(existing.team_id):
                self.error("casussen", n, "extern_id",
                           "Deze casus hoort bij een team waarvoor u niet mag importeren.")
                return
            self._compare_case(plan, row)
        if team is not None and v.get("regisseur") is not None and (
                existing is None or existing.regisseur is None
                or existing.regisseur.user.get_username() != v["regisseur"]):
            director = self._director(v["regisseur"], team, status != CaseStatus.CLOSED)
            if isinstance(director, str):
                self.error("casussen", n, "regisseur", director)
            else:
                plan["regisseur"] = director
        elif existing is not None:
            plan["regisseur"] = existing.regisseur

    def _compare_case(self, plan: dict, row: Row) -> None:
        existing, n, v = plan["existing"], row.number, row.values
        if plan["household"] is not None and plan["household"] != ("db", existing.household_id):
            self.error("casussen", n, "huishouden_id", "Deze casus hoort in Wijkregie bij een ander huishouden.")
        if plan["team"] is not None and plan["team"].pk != existing.team_id:
            self.error("casussen", n, "team",
                       "Een casus kan niet via de import naar een ander team; draag de casus over in Wijkregie.")
        if plan["melding"] is not None and plan["melding"] != existing.melding_date:
            self.error("casussen", n, "meldingsdatum",
                       "De meldingsdatum van een bestaande casus kan niet via de import worden gewijzigd.")
        old, new = CaseStatus(existing.status), plan["status"]
        if new != old and new not in CASE_TRANSITIONS[old]:
            self.error("casussen", n, "status",
                       f"Een casus met status '{old.label}' kan niet naar '{CaseStatus(new).label}'.")
            return
        changes = plan["changes"]
        if existing.first_contact_date is not None and plan["contact"] != existing.first_contact_date:
            self.error("casussen", n, "eerste_contact",
                       f"Het eerste contact is al geregistreerd op {existing.first_contact_date:%d-%m-%Y}; "
                       "dat kan niet via de import worden gewijzigd.")
        elif existing.first_contact_date is None and plan["contact"] is not None:
            changes["first_contact_date"] = plan["contact"]
        if old == CaseStatus.CLOSED:
            if plan["closed_on"] != existing.closed_on or (
                    plan["reason"] is not None and plan["reason"].pk != existing.closure_reason_id):
                self.error("casussen", n, "afsluitdatum",
                           "Deze casus is al afgesloten; datum en reden van afsluiting kunnen niet via de import "
                           "worden gewijzigd.")
        elif new == CaseStatus.CLOSED and plan["closed_on"] is not None and plan["reason"] is not None:
            changes.update(closed_on=plan["closed_on"], closure_reason=plan["reason"])
        if new != old:
            changes["status"] = new
        if plan["source"] is not None and plan["source"].pk != existing.melding_source_id:
            changes["melding_source"] = plan["source"]
        if plan["safety"] != existing.safety_flag:
            changes["safety_flag"] = plan["safety"]
        if v.get("regisseur") is not None and (existing.regisseur is None
                                                or existing.regisseur.user.get_username() != v["regisseur"]):
            if old == CaseStatus.CLOSED:
                self.error("casussen", n, "regisseur", "Een afgesloten casus kan niet worden overgedragen.")
            else:
                plan["transfer"] = True

    def _code(self, sheet: str, row: Row, column: str, lookup: dict, what: str):
        value = row.values.get(column)
        if value is None:
            return None
        found = lookup.get(value.casefold())
        if found is None:
            self.error(sheet, row.number, column, f"Onbekende {what} '{value[:40]}'; gebruik een code uit de codelijst.")
        return found

    def _case_for(self, sheet: str, row: Row) -> tuple[str | None, dict | None, Case | None]:
        """(extern_id, plan of a case in this file, existing case) for a row's casus_id."""
        key = row.values.get("casus_id")
        if key is None:
            return None, None, None
        plan, existing = self.case_plan.get(key), self.db_cases.get(key)
        if plan is None and existing is None:
            self.error(sheet, row.number, "casus_id",
                       f"Onbekende casus '{key}': niet in het tabblad casussen en niet in Wijkregie.")
        elif plan is None and not self._authorised_team(existing.team_id):
            self.error(sheet, row.number, "casus_id", "Deze casus hoort bij een team waarvoor u niet mag importeren.")
            return key, None, None
        return key, plan, existing

    # Authorisation of households ------------------------------------------------------------------

    def _authorise_households(self) -> None:
        self.households_with_my_case = {plan["household"][1] for plan in self.case_plan.values()
                                        if plan["household"] and plan["household"][0] == "db"
                                        and plan["team"] is not None}
        for key, row in self.household_rows.items():
            existing = self.db_households.get(key)
            if existing is not None and not self._household_authorised(existing.pk):
                self.error("huishoudens", row.number, "extern_id", MSG_HOUSEHOLD_NOT_YOURS)

    def _household_authorised(self, pk: int) -> bool:
        """An existing household may be changed only when one of its cases (in Wijkregie or in this file)
        belongs to a team the importer may write for."""
        if self.allowed is None or pk in self.households_with_my_case:
            return True
        return any(case.team_id in self.allowed for case in self.household_cases.get(pk, []))

    # Persons ------------------------------------------------------------------------------------

    def _validate_persons(self) -> None:
        rows = self.sheets["personen"]
        self.person_by_bsn_row = self._unique_keys("personen", "bsn")
        self.person_by_key = self._unique_keys("personen", "persoon_sleutel")
        bsns = set(self.person_by_bsn_row) | {row.values.get("bsn") for sheet in ("zrm-metingen", "trajecten")
                                              for row in self.sheets[sheet]} - {None}
        # The BSN is encrypted: look persons up by keyed hash, and know them by the number of the file (the
        # hash of a number is its key), so no stored BSN needs decrypting here (bsn is not even loaded).
        by_hash = {bsn_lookup_hash(bsn): bsn for bsn in bsns if bsn}
        self.db_persons = {by_hash[p.bsn_hash]: p for p in self._in(Person.objects.defer("bsn"), "bsn_hash", by_hash)}
        # Current memberships of the households concerned, and of persons known by BSN.
        household_pks = {h.pk for h in self.db_households.values()} | {c.household_id for c in self.db_cases.values()}
        person_pks = {p.pk for p in self.db_persons.values()}
        current = HouseholdMembership.objects.filter(valid_to__isnull=True).select_related("person").defer("person__bsn")
        memberships = {m.pk: m for m in self._in(current, "household_id", household_pks)}
        memberships.update({m.pk: m for m in self._in(current, "person_id", person_pks)})
        self.db_memberships: dict[tuple, HouseholdMembership] = {}
        bsnless: dict[tuple, Person] = {}
        person_households: dict[int, set[int]] = defaultdict(set)
        for m in memberships.values():
            self.db_memberships[(("db", m.household_id), ("db", m.person_id))] = m
            person_households[m.person_id].add(m.household_id)
            if m.person.bsn_hash is None:  # no BSN (a database constraint keeps the two together)
                bsnless[(m.household_id, *_identity(m.person.first_name, m.person.last_name,
                                                    m.person.date_of_birth))] = m.person
        self._load_household_cases(set().union(*person_households.values()) if person_households else set())
        self.person_token: dict[int, tuple] = {}  # personen row number -> person token
        self.new_persons: dict[int, Row] = {}
        self.person_changes: dict[int, dict] = {}  # db person pk -> changes
        self.person_rows_of_db: dict[int, Row] = {}
        self.final_memberships: dict[tuple, tuple[str, bool]] = {
            key: (m.role, m.living_at_home) for key, m in self.db_memberships.items()}
        self.new_memberships: list[tuple[tuple, tuple, Row]] = []
        self.membership_changes: dict[int, dict] = {}
        identities: dict[tuple, Row] = {}
        for row in rows:
            v, n = row.values, row.number
            household = self._resolve_household("personen", row)
            if household and household[0] == "db" and not self._household_authorised(household[1]):
                self.error("personen", n, "huishouden_id", MSG_HOUSEHOLD_NOT_YOURS)
            bsn = v.get("bsn")
            if bsn is None and v.get("persoon_sleutel") is None and not self._had_error("personen", n, "bsn"):
                self.error("personen", n, "bsn", "Vul een BSN in, of een persoon_sleutel als het BSN onbekend is.")
            wanted = {"first_name": v.get("voornaam"), "name_prefix": v.get("tussenvoegsel") or "",
                      "last_name": v.get("achternaam"), "date_of_birth": v.get("geboortedatum")}
            person = None
            if bsn is not None:
                person = self.db_persons.get(bsn)
            elif household and household[0] == "db" and None not in (wanted["first_name"], wanted["last_name"],
                                                                     wanted["date_of_birth"]):
                person = bsnless.get((household[1], *_identity(wanted["first_name"], wanted["last_name"],
                                                               wanted["date_of_birth"])))
            if bsn is None and household and None not in wanted.values():
                identity = (household, *_identity(wanted["first_name"], wanted["last_name"], wanted["date_of_birth"]))
                if identity in identities:
                    self.error("personen", n, "voornaam",
                               f"Deze persoon (zonder BSN) staat al op rij {identities[identity].number} "
                               "in hetzelfde huishouden.")
                identities[identity] = row
            if person is None:
                token = ("new", n)
                self.new_persons[n] = row
            else:
                token = ("db", person.pk)
                self.person_rows_of_db[person.pk] = row
                changes = {f: value for f, value in wanted.items() if value is not None and getattr(person, f) != value}
                if changes:
                    if not all(self._household_authorised(pk) for pk in person_households.get(person.pk, ())):
                        self.error("personen", n, "bsn",
                                   "Deze persoon is ook bij een ander team geregistreerd; naam en geboortedatum "
                                   "kunnen niet via deze import worden gewijzigd.")
                    else:
                        self.person_changes[person.pk] = changes
            self.person_token[n] = token
            if household is None or v.get("rol") is None:
                continue
            living = v.get("thuiswonend") if v.get("thuiswonend") is not None else True
            key = (household, token)
            existing_membership = self.db_memberships.get(key)
            if existing_membership is None:
                self.new_memberships.append((household, token, row))
            elif (existing_membership.role, existing_membership.living_at_home) != (v["rol"], living):
                self.membership_changes[existing_membership.pk] = {"role": v["rol"], "living_at_home": living,
                                                                   "person_id": existing_membership.person_id}
            self.final_memberships[key] = (v["rol"], living)

    def _person_for(self, sheet: str, row: Row, required: bool) -> tuple | None:
        """The person token a row refers to by bsn or persoon_sleutel."""
        bsn, key = row.values.get("bsn"), row.values.get("persoon_sleutel")
        token = None
        if bsn is not None:
            if bsn in self.person_by_bsn_row:
                token = self.person_token.get(self.person_by_bsn_row[bsn].number)
            elif bsn in self.db_persons:
                token = ("db", self.db_persons[bsn].pk)
            else:
                self.error(sheet, row.number, "bsn", "Onbekende persoon: dit BSN staat niet in het tabblad personen "
                                                     "en niet in Wijkregie.")
                return None
        if key is not None:
            by_key = self.person_by_key.get(key)
            if by_key is None:
                self.error(sheet, row.number, "persoon_sleutel",
                           f"Onbekende persoon_sleutel '{key}': niet in het tabblad personen.")
                return None
            key_token = self.person_token.get(by_key.number)
            if token is not None and key_token != token:
                self.error(sheet, row.number, "persoon_sleutel", "BSN en persoon_sleutel wijzen naar verschillende "
                                                                 "personen.")
                return None
            token = key_token
        if token is None and required and not self._had_error(sheet, row.number, "bsn"):
            self.error(sheet, row.number, "bsn", "Vul het BSN of de persoon_sleutel van de persoon in.")
        return token

    # One open case per household, reopening ----------------------------------------------------------

    def _check_open_cases(self) -> None:
        in_file = {plan["existing"].pk for plan in self.case_plan.values() if plan["existing"] is not None}
        open_by_household: dict[tuple, list] = defaultdict(list)
        for pk, cases in self.household_cases.items():
            for case in cases:
                if case.pk not in in_file and case.status != CaseStatus.CLOSED:
                    open_by_household[("db", pk)].append(None)
        for key in sorted(self.case_plan, key=lambda k: self.case_plan[k]["row"].number):
            plan = self.case_plan[key]
            if plan["household"] is None or plan["status"] == CaseStatus.CLOSED:
                continue
            if open_by_household[plan["household"]]:
                self.error("casussen", plan["row"].number, "huishouden_id", services.MSG_OPEN_CASE)
            open_by_household[plan["household"]].append(key)

    # Measurements -------------------------------------------------------------------------------

    def _validate_measurements(self) -> None:
        from zrm.models import Domain, InstrumentVersion, Measurement, NotScoredReason

        self.not_scored = frozenset(NotScoredReason.values)  # once: `.values` builds a new list on every use
        self.measurement_rows = self._unique_keys("zrm-metingen", "extern_id")
        self.versions = {}
        for version in InstrumentVersion.objects.filter(instrument__code="zrm"):
            for alias in (version.code, version.name, str(version.year)):
                self.versions[alias.casefold()] = version
        self.domains: dict[int, dict[str, Domain]] = defaultdict(dict)
        for domain in Domain.objects.order_by("order"):
            self.domains[domain.version_id][domain.code] = domain
        existing = {m.external_id: m for m in self._in(Measurement.objects.select_related("assessor__user"),
                                                        "external_id", self.measurement_rows)}
        stored_scores: dict[int, dict] = defaultdict(dict)
        for chunk in self._chunks([m.pk for m in existing.values()]):
            for mid, code, score, reason in _stored_score_rows(chunk):
                stored_scores[mid][code] = score if score is not None else reason
        self.new_measurements: list[dict] = []
        for key, row in self.measurement_rows.items():
            self._validate_measurement(row, existing.get(key), stored_scores)

    def _final_case_state(self, plan: dict | None, existing: Case | None) -> dict:
        if plan is not None:
            return {"household": plan["household"], "team": plan["team"] or (existing.team if existing else None),
                    "status": plan["status"], "closed_on": plan["closed_on"], "melding": plan["melding"],
                    "regisseur": plan["regisseur"]}
        return {"household": ("db", existing.household_id), "team": existing.team, "status": existing.status,
                "closed_on": existing.closed_on, "melding": existing.melding_date, "regisseur": existing.regisseur}

    def _has_child_at_home(self, household: tuple) -> bool:
        if not hasattr(self, "_children"):
            self._children = {h for (h, _), (role, living) in self.final_memberships.items()
                              if role == MemberRole.CHILD and living}
        return household in self._children

    def _validate_measurement(self, row: Row, existing, stored_scores) -> None:
        from zrm.models import MeasurementStatus, MeasurementType

        sheet, v, n = "zrm-metingen", row.values, row.number
        case_key, plan, db_case = self._case_for(sheet, row)
        person = self._person_for(sheet, row, required=True)
        version = None
        if v.get("versie") is not None:
            version = self.versions.get(v["versie"].casefold())
            if version is None:
                self.error(sheet, n, "versie", f"Onbekende ZRM-versie '{v['versie'][:40]}'; gebruik bijvoorbeeld "
                                               "zrm-2017 of zrm-2013.")
        # Scores: 1-5, niet_relevant, onbekend or blank; only domains of this version.
        scores: dict[str, object] = {}
        version_domains = self.domains.get(version.pk, {}) if version else {}
        for code, text in row.cells.items():
            if text == "":
                continue
            value: object
            lowered = text.casefold().replace(" ", "_")
            if lowered in self.not_scored:
                value = lowered
            elif text in SCORE_VALUES:
                value = SCORE_VALUES[text]
            else:
                self.error(sheet, n, code, MSG_SCORE)
                continue
            if version is not None and code not in version_domains:
                self.error(sheet, n, code, f"Het domein '{code}' hoort niet bij {version.name}.")
                continue
            scores[code] = value
        if plan is None and db_case is None:
            return
        state = self._final_case_state(plan, db_case)
        assessor = None
        if existing is not None:
            if self._same_measurement(existing, row, plan, db_case, person, version, scores, stored_scores):
                self.summary[sheet].unchanged += 1
            else:
                self.error(sheet, n, "extern_id",
                           "Deze meting is al vastgesteld en wijkt af van het bestand; een vastgestelde meting wordt "
                           "niet gewijzigd (leg in Wijkregie een correctie vast).")
            return
        if person is not None and state["household"] is not None and (
                (state["household"], person) not in self.final_memberships):
            self.error(sheet, n, "bsn" if v.get("bsn") else "persoon_sleutel",
                       "Deze persoon is geen huidig lid van het huishouden van deze casus.")
        date = v.get("datum")
        if date is not None and state["melding"] is not None:
            days = settings.WIJKREGIE["ZRM_DAYS_BEFORE_MELDING"]
            earliest = state["melding"] - dt.timedelta(days=days)
            if date < earliest:
                self.error(sheet, n, "datum", f"De meting kan niet eerder zijn dan {earliest:%d-%m-%Y} "
                                              f"({days} dagen voor de melding).")
        # Historical data: only measurements dated after the closing must be afsluiting or follow-up.
        if (v.get("soort") and state["status"] == CaseStatus.CLOSED and date is not None and state["closed_on"]
                and date > state["closed_on"]
                and v["soort"] not in (MeasurementType.AFSLUITING, MeasurementType.FOLLOW_UP)):
            self.error(sheet, n, "soort", "Na de afsluiting van de casus is alleen een afsluitende meting of een "
                                          "follow-up mogelijk.")
        ladder = v.get("participatieladder")
        if ladder is not None and not 1 <= ladder <= 6:
            self.error(sheet, n, "participatieladder", "De participatieladder loopt van 1 tot en met 6.")
        team = state["team"]
        if v.get("beoordelaar") is not None and team is not None:
            found = self._director(v["beoordelaar"], team, state["status"] != CaseStatus.CLOSED)
            if isinstance(found, str):
                self.error(sheet, n, "beoordelaar", found.replace("De regisseur", "De beoordelaar"))
            else:
                assessor = found
        elif team is not None:
            assessor = state["regisseur"]
        offered = {}
        if version is not None:
            child = state["household"] is not None and self._has_child_at_home(state["household"])
            offered = {code: d for code, d in version_domains.items() if child or not d.is_child_module}
            for code in scores:
                if code not in offered:
                    self.error(sheet, n, code, f"{version_domains[code].name} hoort bij de kindmodule en wordt alleen "
                                               "gescoord als er kinderen thuis wonen in het huishouden.")
            if not any(isinstance(value, int) for value in scores.values()):
                self.error(sheet, n, "", "Scoor minstens één domein met 1 tot en met 5: de meting wordt als "
                                         "vastgesteld geïmporteerd.")
            if settings.WIJKREGIE["ZRM_REQUIRE_ALL_DOMAINS"]:
                for code, domain in offered.items():
                    if not isinstance(scores.get(code), int):
                        self.error(sheet, n, code, f"{domain.name}: in deze gemeente moet elk domein een score krijgen.")
        from zrm.models import IncomeSource

        limit = settings.WIJKREGIE["ZRM_BENEFIT_FINANCIEN_MAX_SCORE"]
        financien = scores.get("financien")
        if v.get("inkomensbron") == IncomeSource.BENEFIT and isinstance(financien, int) and financien > limit:
            self.warnings.append(ImportIssue(sheet, n, "financien", f"Let op: met een uitkering is de score op "
                                                                    f"Financiën meestal niet hoger dan {limit}."))
        self.new_measurements.append({
            "row": row, "case_key": case_key, "person": person, "version": version, "assessor": assessor,
            "scores": scores, "offered": offered, "status": MeasurementStatus.FINAL,
        })

    def _same_measurement(self, existing, row, plan, db_case, person, version, scores, stored_scores) -> bool:
        from zrm.models import MeasurementStatus, NotScoredReason

        v = row.values
        if existing.status != MeasurementStatus.FINAL:
            return False
        case_pk = plan["existing"].pk if plan and plan["existing"] else (db_case.pk if db_case else None)
        if existing.case_id != case_pk or person != ("db", existing.person_id):
            return False
        if version is None or existing.version_id != version.pk or existing.date != v.get("datum"):
            return False
        if existing.type != v.get("soort") or existing.purpose != (v.get("doel") or ""):
            return False
        if existing.participatieladder != v.get("participatieladder") or existing.income_source != (
                v.get("inkomensbron") or ""):
            return False
        if v.get("beoordelaar") is not None and existing.assessor.user.get_username() != v["beoordelaar"]:
            return False
        stored = stored_scores.get(existing.pk, {})
        for code in set(stored) | set(scores):
            mine = scores.get(code, NotScoredReason.UNKNOWN)
            theirs = stored.get(code, NotScoredReason.UNKNOWN)
            if mine != theirs:
                return False
        return True

    # Interventions ------------------------------------------------------------------------------

    def _validate_interventions(self) -> None:
        rows = self.intervention_rows = self._unique_keys("trajecten", "extern_id")
        self.db_interventions = {i.external_id: i for i in self._in(Intervention.objects.all(), "external_id",
                                                                    set(rows) | {r.values.get("overbrugging_voor")
                                                                                 for r in rows.values()} - {None})}
        self.intervention_plan: dict[str, dict] = {}
        for key, row in rows.items():
            self._validate_intervention(key, row)
        for key, item in self.intervention_plan.items():  # bridging: another trajectory of the same case
            target = item["row"].values.get("overbrugging_voor")
            if target is None:
                continue
            other = self.intervention_plan.get(target)
            other_case = other["case_key"] if other else None
            if other is None and target in self.db_interventions:
                db = self.db_interventions[target]
                other_case = next((k for k, c in self.db_cases.items() if c.pk == db.case_id), ("db", db.case_id))
            if other_case is None:
                self.error("trajecten", item["row"].number, "overbrugging_voor",
                           f"Onbekend traject '{target}': niet in het tabblad trajecten en niet in Wijkregie.")
            elif other_case != item["case_key"]:
                self.error("trajecten", item["row"].number, "overbrugging_voor",
                           "Overbrugging kan alleen voor een traject in deze casus.")
            elif target == key:
                self.error("trajecten", item["row"].number, "overbrugging_voor",
                           "Een traject kan geen overbrugging voor zichzelf zijn.")

    def _validate_intervention(self, key: str, row: Row) -> None:
        sheet, v, n = "trajecten", row.values, row.number
        case_key, plan, db_case = self._case_for(sheet, row)
        person = self._person_for(sheet, row, required=False)
        type_ = self._code(sheet, row, "soort", self.intervention_types, "soort traject")
        most = self._code(sheet, row, "meest_passende_soort", self.intervention_types, "soort traject")
        replaces = self._code(sheet, row, "vervangt_soort", self.intervention_types, "soort traject")
        if plan is None and db_case is None:
            return
        state = self._final_case_state(plan, db_case)
        if person is not None and state["household"] is not None and (
                (state["household"], person) not in self.final_memberships):
            self.error(sheet, n, "bsn" if v.get("bsn") else "persoon_sleutel",
                       "Dit is geen gezinslid van dit huishouden.")
        data = services.InterventionData(
            type=type_, team_action=v.get("rol_team") or "", deliverer=v.get("uitvoerder") or "",
            subcategory=v.get("subcategorie") or "", provider=v.get("aanbieder") or "",
            start_date=v.get("startdatum"), end_date=v.get("einddatum"),
            would_have_started_without_team=v.get("zonder_team_gestart"), monthly_hours=v.get("uren_per_maand"),
            most_appropriate_type=most, deviation_reason=v.get("reden_afwijking") or "", replaces_type=replaces,
            on_waiting_list=bool(v.get("op_wachtlijst")), carried_out_at_6_months=v.get("uitgevoerd_na_6_maanden"),
        )
        # The service's own rules (person and bridging are checked above, against the file).
        errors, warnings = services._validate_intervention(UNSAVED_CASE, data)
        for field_name, messages in errors.items():
            column = INTERVENTION_COLUMNS.get(field_name, field_name)
            if self._had_error(sheet, n, column) or (field_name == "type" and v.get("soort") is not None):
                continue
            if field_name in ("team_action", "deliverer") and row.values.get(column) is None:
                continue  # already reported as a required or unknown value
            for message in messages:
                self.error(sheet, n, column, message)
        for message in warnings:
            self.warnings.append(ImportIssue(sheet, n, "uren_per_maand", message))
        existing = self.db_interventions.get(key)
        changes = {}
        if existing is not None:
            existing_case = plan["existing"].pk if plan and plan["existing"] else (db_case.pk if db_case else None)
            if existing.case_id != existing_case:
                self.error(sheet, n, "casus_id", "Dit traject hoort in Wijkregie bij een andere casus.")
            for name in INTERVENTION_FIELDS:
                value = getattr(data, name)
                current = getattr(existing, f"{name}_id") if name in INTERVENTION_FKS else getattr(existing, name)
                wanted = value.pk if name in INTERVENTION_FKS and value is not None else value
                if current != wanted:
                    changes[name] = value
            person_id = None if person is None else person[1] if person[0] == "db" else -1
            if existing.person_id != person_id:
                changes["person"] = person
        self.intervention_plan[key] = {"row": row, "case_key": case_key, "person": person, "data": data,
                                       "existing": existing, "changes": changes}

    # --- writing -----------------------------------------------------------------------------------

    def write(self) -> None:
        with transaction.atomic():
            self.audit_rows: dict[str, list] = {AuditAction.CREATE: [], AuditAction.UPDATE: []}
            self.user = audit._user(self.actor)
            self._write_households()
            self._write_persons()
            self._write_cases()
            self._write_measurements()
            self._write_interventions()
            for action, rows in self.audit_rows.items():
                audit.record_many(self.actor, action, rows, purpose=PURPOSE_IMPORT, bulk=True)

    def _user_id(self, membership: StaffMembership) -> int:
        """Who the timeline names: the importing user, else the case's director (a machine has no account)."""
        return self.user.pk if self.user is not None else membership.user_id

    def _audit(self, action, obj, person=None, case=None) -> None:
        self.audit_rows[action].append((obj, person, case))

    def _write_households(self) -> None:
        summary = self.summary["huishoudens"]
        new = []
        for key, row in self.household_rows.items():
            if key in self.db_households:
                continue
            v = row.values
            new.append(Household(
                external_id=key, postcode=v["postcode"], house_number=v["huisnummer"],
                house_number_addition=v.get("toevoeging") or "", street=v["straat"], city=v["plaats"],
                wijk=v.get("wijk") or "",
            ))
        _bulk_create(Household, new)
        self.households = dict(self.db_households)
        for household in new:
            self.households[household.external_id] = household
            self._audit(AuditAction.CREATE, household)
        changed = []
        for key, changes in self.household_changes.items():
            household = self.db_households[key]
            for name, value in changes.items():
                setattr(household, name, value)
            changed.append(household)
            self._audit(AuditAction.UPDATE, household)
        if changed:
            Household.objects.bulk_update(changed, ["postcode", "house_number", "house_number_addition", "street",
                                                    "city", "wijk"], batch_size=BATCH)
        summary.created, summary.updated = len(new), len(changed)
        summary.unchanged = len(self.household_rows) - len(new) - len(changed)

    def _household(self, token: tuple) -> Household:
        if token[0] == "db":
            return self._households_by_pk()[token[1]]
        return self.households[token[1]]

    def _households_by_pk(self) -> dict[int, Household]:
        if not hasattr(self, "_by_pk"):
            self._by_pk = {h.pk: h for h in self.db_households.values()}
            missing = {c.household_id for c in self.db_cases.values()} - set(self._by_pk)
            self._by_pk.update({c.household_id: c.household for c in self.db_cases.values() if c.household_id in missing})
        return self._by_pk

    def _write_persons(self) -> None:
        summary = self.summary["personen"]
        new: dict[int, Person] = {}
        for number, row in self.new_persons.items():
            v = row.values
            new[number] = Person(bsn=v.get("bsn"), first_name=v["voornaam"], name_prefix=v.get("tussenvoegsel") or "",
                                 last_name=v["achternaam"], date_of_birth=v["geboortedatum"])
        _bulk_create(Person, list(new.values()))
        self.persons_new = new
        db_persons = {p.pk: p for p in self.db_persons.values()}
        db_persons.update({m.person_id: m.person for m in self.db_memberships.values()})
        self.persons_db = db_persons
        changed_people = set()
        changed = []
        for pk, changes in self.person_changes.items():
            person = db_persons[pk]
            for name, value in changes.items():
                setattr(person, name, value)
            changed.append(person)
            changed_people.add(pk)
        if changed:
            Person.objects.bulk_update(changed, ["first_name", "name_prefix", "last_name", "date_of_birth"],
                                       batch_size=BATCH)
        memberships = []
        for household, token, row in self.new_memberships:
            v = row.values
            h = self._household(household)
            valid_from = v.get("lid_vanaf") or self._first_melding(household) or self.today
            memberships.append((h.pk, self._person(token).pk, v["rol"], v.get("thuiswonend") is not False,
                                valid_from))
            if token[0] == "db":
                changed_people.add(token[1])
        _insert_rows(HouseholdMembership, ["household", "person", "role", "living_at_home", "valid_from"],
                     memberships)
        if self.membership_changes:
            rows = []
            for m in self.db_memberships.values():
                if m.pk in self.membership_changes:
                    m.role = self.membership_changes[m.pk]["role"]
                    m.living_at_home = self.membership_changes[m.pk]["living_at_home"]
                    rows.append(m)
                    changed_people.add(m.person_id)
            HouseholdMembership.objects.bulk_update(rows, ["role", "living_at_home"], batch_size=BATCH)
        for person in new.values():
            self._audit(AuditAction.CREATE, person, person=person)
        for pk in sorted(changed_people):
            self._audit(AuditAction.UPDATE, db_persons[pk], person=db_persons[pk])
        summary.created = len(new)
        changed_rows = {self.person_rows_of_db[pk].number for pk in changed_people if pk in self.person_rows_of_db}
        summary.updated = len(changed_rows)
        summary.unchanged = len(self.sheets["personen"]) - summary.created - summary.updated

    def _person(self, token: tuple) -> Person:
        return self.persons_db[token[1]] if token[0] == "db" else self.persons_new[token[1]]

    def _first_melding(self, household: tuple) -> dt.date | None:
        """The earliest melding of the household (file or database): when its members' membership starts."""
        if not hasattr(self, "_first_meldingen"):
            first: dict[tuple, dt.date] = {}
            for plan in self.case_plan.values():
                if plan["household"] and plan["melding"]:
                    first[plan["household"]] = min(plan["melding"], first.get(plan["household"], plan["melding"]))
            for pk, cases in self.household_cases.items():
                for case in cases:
                    first[("db", pk)] = min(case.melding_date, first.get(("db", pk), case.melding_date))
            self._first_meldingen = first
        return self._first_meldingen.get(household)

    def _write_cases(self) -> None:
        summary = self.summary["casussen"]
        now = timezone.now()
        events: list[tuple] = []  # CaseEvent rows, in timeline order
        assignments: list[tuple] = []  # DirectorAssignment rows
        names: dict[int, str] = {}

        def event(case, kind, on, description=""):
            events.append((case.pk, kind, on, description[:500], self._user_id(case.regisseur), now))

        def assignment(case, regisseur, started_on, ended_on, reason):
            assignments.append((case.pk, regisseur.pk, started_on, ended_on, reason, self._user_id(regisseur), now))

        def name_of(regisseur) -> str:
            if regisseur.pk not in names:
                names[regisseur.pk] = str(regisseur)
            return names[regisseur.pk]

        # Existing cases first: a case closed by this file frees its household for a new one.
        changed, to_end = [], {}
        for key, plan in self.case_plan.items():
            case = plan["existing"]
            if case is None:
                continue
            changes = dict(plan["changes"])
            if plan["transfer"]:
                changes["regisseur"] = plan["regisseur"]
            if not changes:
                summary.unchanged += 1
                continue
            for field_name, value in changes.items():
                setattr(case, field_name, value)
            case.updated_at = now
            changed.append(case)
            if "first_contact_date" in changes:
                event(case, CaseEventKind.FIRST_CONTACT, case.first_contact_date)
            closing = changes.get("closed_on")
            if plan["transfer"]:  # on the closing date when the same file closes the case
                on = closing or self.today
                to_end[case.pk] = on
                assignment(case, plan["regisseur"], on, closing, "Regie overgedragen via registratie-import")
                event(case, CaseEventKind.TRANSFER, on, f"Naar {name_of(plan['regisseur'])}: via registratie-import")
            elif closing:
                to_end[case.pk] = closing
            if closing:
                event(case, CaseEventKind.CLOSED, closing, f"Reden: {case.closure_reason.label}")
            self._audit(AuditAction.UPDATE, case, case=case)
        if to_end:
            current = self._in(DirectorAssignment.objects.filter(ended_on__isnull=True), "case_id", to_end)
            for assignment in current:
                assignment.ended_on = max(to_end[assignment.case_id], assignment.started_on)
            DirectorAssignment.objects.bulk_update(current, ["ended_on"], batch_size=BATCH)
        if changed:
            Case.objects.bulk_update(changed, ["status", "first_contact_date", "closed_on", "closure_reason",
                                               "regisseur", "melding_source", "safety_flag", "updated_at"],
                                     batch_size=BATCH)
        summary.updated = len(changed)

        new: list[Case] = []
        for key, plan in self.case_plan.items():
            if plan["existing"] is not None:
                continue
            new.append(Case(
                external_id=key, household=self._household(plan["household"]), team=plan["team"],
                melding_date=plan["melding"], melding_source=plan["source"], status=plan["status"],
                regisseur=plan["regisseur"], first_contact_date=plan["contact"], closed_on=plan["closed_on"],
                closure_reason=plan["reason"] if plan["status"] == CaseStatus.CLOSED else None,
                safety_flag=plan["safety"],
            ))
        _bulk_create(Case, new)
        self.cases = {c.external_id: c for c in self.db_cases.values()}
        self.cases.update({c.external_id: c for c in new})
        relinked = self._link_reopenings(new)
        if relinked:
            Case.objects.bulk_update(relinked, ["reopened_from"], batch_size=BATCH)
        for case in new:
            assignment(case, case.regisseur, case.melding_date, case.closed_on, "Eerste toewijzing (registratie-import)")
            if case.reopened_from_id:
                old = case.reopened_from
                event(case, CaseEventKind.REOPENED, case.melding_date,
                      f"Heropend {(case.melding_date - old.closed_on).days} dagen na afsluiting "
                      f"(reden toen: {old.closure_reason.label})")
            event(case, CaseEventKind.MELDING, case.melding_date, f"Bron: {case.melding_source.label}")
            event(case, CaseEventKind.DIRECTOR, case.melding_date, f"Regisseur: {name_of(case.regisseur)}")
            if case.first_contact_date:
                event(case, CaseEventKind.FIRST_CONTACT, case.first_contact_date)
            if case.closed_on:
                event(case, CaseEventKind.CLOSED, case.closed_on, f"Reden: {case.closure_reason.label}")
            self._audit(AuditAction.CREATE, case, case=case)
        _insert_rows(DirectorAssignment, ["case", "regisseur", "started_on", "ended_on", "reason", "assigned_by",
                                          "created_at"], assignments)
        _insert_rows(CaseEvent, ["case", "kind", "occurred_on", "description", "actor", "created_at"], events)
        summary.created = len(new)

    def _link_reopenings(self, new: list[Case]) -> list[Case]:
        """A new case of a household whose earlier case closed within the reopening window is its reopening."""
        window = settings.WIJKREGIE["REOPEN_WINDOW_DAYS"]
        closed: dict[int, list[Case]] = defaultdict(list)
        taken: set[int] = set()
        for cases in self.household_cases.values():
            for case in cases:
                if getattr(case, "already_reopened", False):
                    taken.add(case.pk)
        for case in self.cases.values():
            if case.status == CaseStatus.CLOSED:
                closed[case.household_id].append(case)
        for household_id, cases in self.household_cases.items():
            known = {c.pk for c in closed[household_id]}
            closed[household_id] += [c for c in cases if c.status == CaseStatus.CLOSED and c.pk not in known]
        linked = []
        for case in sorted(new, key=lambda c: (c.melding_date, c.pk)):
            candidates = [c for c in closed[case.household_id]
                          if c.pk != case.pk and c.pk not in taken and c.closed_on
                          and case.melding_date - dt.timedelta(days=window) <= c.closed_on <= case.melding_date]
            if not candidates:
                continue
            previous = max(candidates, key=lambda c: (c.closed_on, c.pk))
            case.reopened_from = previous
            taken.add(previous.pk)
            linked.append(case)
        return linked

    def _write_measurements(self) -> None:
        from zrm import derived
        from zrm.models import Measurement, MeasurementStatus, NotScoredReason, Score

        summary = self.summary["zrm-metingen"]
        measurements, scores = [], []  # scores: (measurement id, domain id, score, reason)
        now = timezone.now()
        for item in self.new_measurements:
            v = item["row"].values
            case = self.cases[item["case_key"]]
            filled = {code: item["scores"].get(code, NotScoredReason.UNKNOWN) for code in item["offered"]}
            result = derived.derive([(item["offered"][code].cluster, value if isinstance(value, int) else None)
                                     for code, value in filled.items()])
            assessor = item["assessor"]
            measurement = Measurement(
                external_id=v["extern_id"], person=self._person(item["person"]), case=case, version=item["version"],
                date=v["datum"], type=v["soort"], purpose=v.get("doel") or "", assessor=assessor,
                participatieladder=v.get("participatieladder"), income_source=v.get("inkomensbron") or "",
                problem_domain_count=result.problem_domain_count, acute_domain_count=result.acute_domain_count,
                bucket=result.bucket, cluster_scores=result.cluster_scores,
                household_category=result.household_category, status=MeasurementStatus.DRAFT,
                created_by=self.user or assessor.user, finalised_by=self.user, finalised_at=now,
            )
            measurements.append(measurement)
            item["measurement"], item["filled"] = measurement, filled
        # Scores go in while the measurement is still a concept (PostgreSQL rejects score writes on a
        # vastgestelde one); then all are vastgesteld in one UPDATE.
        _bulk_create(Measurement, measurements)
        for item in self.new_measurements:
            mid = item["measurement"].pk
            for code, value in item["filled"].items():
                scores.append((mid, item["offered"][code].pk, value if isinstance(value, int) else None,
                               "" if isinstance(value, int) else value))
        with _generic_trigger_plans():
            _insert_rows(Score, ["measurement", "domain", "score", "not_scored_reason"], scores)
        ids = [m.pk for m in measurements]
        for chunk in self._chunks(ids):
            Measurement.objects.filter(pk__in=chunk).update(status=MeasurementStatus.FINAL)
        for m in measurements:
            m.status = MeasurementStatus.FINAL
            self._audit(AuditAction.CREATE, m, person=m.person, case=m.case)
        summary.created = len(measurements)

    def _write_interventions(self) -> None:
        summary = self.summary["trajecten"]
        new, changed = [], []
        for key, item in self.intervention_plan.items():
            data, existing = item["data"], item["existing"]
            person = self._person(item["person"]) if item["person"] else None
            case = self.cases[item["case_key"]]
            if existing is None:
                intervention = Intervention(case=case, person=person, external_id=key,
                                            **{name: getattr(data, name) for name in INTERVENTION_FIELDS})
                new.append(intervention)
                item["object"] = intervention
                continue
            item["object"] = existing
            if item["changes"]:
                for name in INTERVENTION_FIELDS:
                    setattr(existing, name, getattr(data, name))
                existing.person = person
                changed.append(existing)
        _bulk_create(Intervention, new)
        # Bridging points at another trajectory, which may be new too: set once every row has a key.
        by_key = {i.external_id: i for i in self.db_interventions.values()}
        by_key.update({key: item["object"] for key, item in self.intervention_plan.items()})
        new_bridging = []
        for item in self.intervention_plan.values():
            target = item["row"].values.get("overbrugging_voor")
            obj = item["object"]
            wanted = by_key[target].pk if target else None
            if obj.bridging_for_id == wanted:
                continue
            obj.bridging_for_id = wanted
            if item["existing"] is None:
                new_bridging.append(obj)
            elif obj not in changed:
                changed.append(obj)
        if changed:
            Intervention.objects.bulk_update(changed, INTERVENTION_FIELDS + ["person", "bridging_for"],
                                             batch_size=BATCH)
        if new_bridging:
            Intervention.objects.bulk_update(new_bridging, ["bridging_for"], batch_size=BATCH)
        for obj in new:
            self._audit(AuditAction.CREATE, obj, person=obj.person, case=obj.case)
        for obj in changed:
            self._audit(AuditAction.UPDATE, obj, person=obj.person, case=obj.case)
        summary.created, summary.updated = len(new), len(changed)
        summary.unchanged = len(self.intervention_plan) - len(new) - len(changed)


UNSAVED_CASE = Case()  # the intervention rules need a case only for checks this module does against the file
MSG_HOUSEHOLD_NOT_YOURS = ("U mag dit huishouden niet wijzigen: het hoort bij een team waarvoor u niet mag "
                           "importeren.")
INTERVENTION_FIELDS = [
    "type", "subcategory", "provider", "start_date", "end_date", "team_action", "deliverer",
    "would_have_started_without_team", "monthly_hours", "most_appropriate_type", "deviation_reason",
    "replaces_type", "on_waiting_list", "carried_out_at_6_months",
]
INTERVENTION_FKS = {"type", "most_appropriate_type", "replaces_type"}
INTERVENTION_COLUMNS = {
    "type": "soort", "subcategory": "subcategorie", "team_action": "rol_team", "deliverer": "uitvoerder",
    "start_date": "startdatum", "end_date": "einddatum", "monthly_hours": "uren_per_maand",
    "deviation_reason": "reden_afwijking", "bridging_for": "overbrugging_voor", "person": "bsn",
}


def _bulk_create(model, objs: list) -> None:
    """bulk_create, with the primary keys set on the objects. On PostgreSQL the keys are taken from the
    table's sequence first and the rows go in through COPY: several times faster for large imports than
    Django's INSERT, which spells every value out in the statement. Constraints and triggers apply alike."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=BATCH)
        return
    meta = model._meta
    fields = list(meta.concrete_fields)
    db = connections[connection.alias]  # the connection itself: `connection` is a proxy, slow in a hot loop
    # Fields whose database value is the attribute as it is get it straight; the others (auto_now, encrypted,
    # hashed, JSON, decimal, ...) go through the field, pre_save included, as bulk_create does.
    plain = [type(f) in _PLAIN_FIELD_TYPES and not getattr(f, "auto_now", False)
             and not getattr(f, "auto_now_add", False) for f in fields]
    quote = db.ops.quote_name
    with db.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, len(objs)])
        for obj, (pk,) in zip(objs, cursor.fetchall()):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, db.alias
        sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
        columns = list(zip(fields, plain))
        with db.wrap_database_errors, cursor.cursor.copy(sql) as copy:  # IntegrityError as Django's
            for obj in objs:
                values = obj.__dict__
                copy.write_row([values[f.attname] if simple else _db_value(f, obj, db) for f, simple in columns])


def _db_value(field, obj, db):
    """The value bulk_create would write for `field` of a new `obj`."""
    value = field.pre_save(obj, True)  # fills auto_now(_add) fields
    if type(field) is models.DateTimeField and isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value  # an aware datetime goes to PostgreSQL as it is (Django only adapts naive ones)
    return field.get_db_prep_save(value, db)


# Field classes (exactly these, not subclasses) whose pre_save and get_db_prep_save on PostgreSQL return the
# typed attribute value unchanged: skipping the calls is the same row, several times cheaper.
_PLAIN_FIELD_TYPES = {
    models.AutoField, models.BigAutoField, models.CharField, models.TextField, models.IntegerField,
    models.SmallIntegerField, models.BigIntegerField, models.PositiveIntegerField, models.PositiveSmallIntegerField,
    models.BooleanField, models.DateField, models.ForeignKey,
}


@contextmanager
def _generic_trigger_plans():
    """Within the block, PostgreSQL plans the queries inside row triggers once instead of for every row.

    The score trigger (zrm_score_immutable) tests `EXISTS (...) OR (TG_OP = 'UPDATE' AND EXISTS (...))`: a
    custom plan folds TG_OP away and so looks cheaper than the generic plan, and the plan cache ends up
    planning the query anew for each inserted score (about 80 microseconds, 3 of 4 seconds for 39,000 scores).
    The generic plan does the same checks. Only for this transaction, and put back after the block; when the
    block fails, the rollback of the import's transaction (or savepoint) puts it back.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('plan_cache_mode')")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
    yield  # no finally: in a failed transaction no statement runs (and the error must stay the one raised)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('plan_cache_mode', %s, true)", [previous])


def _insert_rows(model, field_names: list[str], rows: list[tuple]) -> None:
    """Plain INSERTs of many rows whose primary keys nobody needs back (constraints and triggers still apply).

    PostgreSQL gets them through COPY, tens of thousands of rows in well under a second; elsewhere bulk_create.
    """
    if not rows:
        return
    columns = [model._meta.get_field(name).column for name in field_names]
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    attnames = [model._meta.get_field(name).attname for name in field_names]
    model.objects.bulk_create((model(**dict(zip(attnames, row))) for row in rows), batch_size=BATCH)


def _stored_score_rows(measurement_ids):
    from zrm.models import Score

    return Score.objects.filter(measurement_id__in=measurement_ids).values_list(
        "measurement_id", "domain__code", "score", "not_scored_reason")


def _identity(first_name: str, last_name: str, date_of_birth) -> tuple:
    return (first_name.strip().casefold(), last_name.strip().casefold(), date_of_birth)


def _code_lookup(rows) -> dict:
    lookup = {}
    for row in rows:
        lookup[row.label.casefold()] = row
    for row in rows:
        lookup[row.code.casefold()] = row  # a code wins over a label that happens to look like it
    return lookup


def import_registrations(source, *, actor: Actor, allowed_team_ids: set[int] | None = None,
                         filename: str | None = None, dry_run: bool = False) -> ImportSummary:
    """Validate the whole file, then write it in one transaction (see the module docstring).

    `allowed_team_ids`: the teams the importer may write for (None: all, for the command line without
    --team-limit). Raises ImportRejected listing every problem; nothing is written then.
    """
    started = time.perf_counter()
    try:
        raw = read_sheets(source, filename)
    except UnreadableFile as exc:
        raise ImportRejected([ImportIssue("", 0, "", str(exc))]) from exc
    importer = _Importer(actor=actor, allowed_team_ids=allowed_team_ids)
    importer.parse(raw)
    del raw  # parsed into rows: free the cells (less for the garbage collector to walk while writing)
    if not any(issue.row == 0 for issue in importer.errors):  # a readable file: check every row
        importer.validate()
    if importer.errors:
        raise ImportRejected(importer.errors)
    summary = ImportSummary(sheets={name: importer.summary[name] for name in SHEETS if importer.present[name]},
                            warnings=sorted(set(importer.warnings), key=_issue_order))
    if not dry_run:
        try:
            importer.write()
        except IntegrityError as exc:  # a concurrent writer got in between validating and writing
            raise ImportRejected([ImportIssue("", 0, "", MSG_CONCURRENT)]) from exc
        summary.written = True
    else:
        for sheet in summary.sheets.values():
            sheet.created = sheet.updated = sheet.unchanged = 0
    summary.seconds = time.perf_counter() - started
    return summary
