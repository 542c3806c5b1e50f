"""What the sheets of one import share (ImportContext) and what each sheet does (Sheet).

An import holds one instance of every Sheet subclass, in the file's order. The orchestrator
(zrm.imports.registrations) parses the file into rows per sheet, calls `validate(context)` on every sheet
(each after the sheets it looks rows up in), then `check(context)` on every sheet (the rules that need the
other sheets validated), and only when no sheet found an error, `write(context)` on every sheet in the file's
order, in one transaction (a real import first calls `check_writable(context)` on every sheet: the rules a dry
run must not answer). A sheet reaches another through `context.sheet(name)`.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from django.contrib.auth import get_user_model

from cases import services
from cases.models import StaffMembership, Team
from common import audit
from common.audit import Actor
from common.models import AuditAction, AuditPurpose

from . import bulk
from .cells import UNIQUE_KINDS, Column, cell_text, parse_cell
from .reading import IGNORED_SHEETS, RawSheet, column_name, sheet_name
from .results import ImportIssue, SheetSummary, in_file_order

PURPOSE_IMPORT = AuditPurpose.IMPORT.value


@dataclass
class Row:
    number: int
    values: dict  # column name -> parsed value (None when blank or wrong)
    cells: dict  # the text of the sheet's extra columns (the domain scores of a measurement)


class Sheet:
    """One table of the import: a sheet of a workbook, or one CSV file. Subclasses set the class attributes
    and implement validate and write; their instances keep what validating found, for writing."""

    name: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]] = ()
    # Columns that name a row of another sheet or of Wijkregie, by what they name ("household", "case",
    # "person", "staff"): the sheet that owns those rows looks them all up at once (context.referenced).
    references: ClassVar[dict[str, str]] = {}
    extra_columns_hint: ClassVar[str] = ""  # what else the sheet takes, for the message on an unknown column

    def is_extra_column(self, context: ImportContext, name: str) -> bool:
        """Whether a column not in `columns` is one the sheet takes as raw text (Row.cells)."""
        return False

    def validate(self, context: ImportContext) -> None:
        """Check every row against the file and Wijkregie; report problems with context.error."""
        raise NotImplementedError

    def check(self, context: ImportContext) -> None:
        """The rules that need every sheet validated first."""

    def check_writable(self, context: ImportContext) -> None:
        """The rules only a real write checks, after a clean validation: what a dry run must not answer."""

    def write(self, context: ImportContext) -> None:
        """Write the rows (inside the import's transaction) and fill context.summary[self.name]."""
        raise NotImplementedError


class ImportContext:
    """The state one import shares between its sheets: who imports for which teams, the parsed rows, the
    problems found, the staff named, and (while writing) the audit rows to record."""

    def __init__(self, sheets: Sequence[Sheet], *, actor: Actor, allowed_team_ids: set[int] | None):
        self.actor = actor
        self.allowed = allowed_team_ids
        self.today = services.today()
        self.sheets = {sheet.name: sheet for sheet in sheets}  # in the file's order
        self.errors: list[ImportIssue] = []
        self.error_places: set[tuple[str, int, str]] = set()
        self.warnings: list[ImportIssue] = []
        self.rows: dict[str, list[Row]] = {name: [] for name in self.sheets}
        self.summary = {name: SheetSummary() for name in self.sheets}
        self.present: dict[str, set[str]] = {name: set() for name in self.sheets}
        self._staff: dict[str, list[StaffMembership]] | None = None
        self.user = None
        self.audit_rows: dict[str, list] = {AuditAction.CREATE: [], AuditAction.UPDATE: []}

    def sheet(self, name: str) -> Sheet:
        return self.sheets[name]

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(self.sheets)

    # --- problems ---------------------------------------------------------------------------------

    def error(self, sheet: str, row: int, column: str, message: str) -> None:
        self.errors.append(ImportIssue(sheet, row, column, message))
        self.error_places.add((sheet, row, column))

    def had_error(self, sheet: str, row: int, column: str) -> bool:
        return (sheet, row, column) in self.error_places

    def warn(self, sheet: str, row: int, column: str, message: str) -> None:
        self.warnings.append(ImportIssue(sheet, row, column, message))

    def issues_in_order(self, issues: list[ImportIssue]) -> list[ImportIssue]:
        return in_file_order(issues, self.sheet_names)

    # --- parsing ----------------------------------------------------------------------------------

    def parse(self, raw_sheets: list[RawSheet]) -> None:
        """Every raw sheet into rows of typed values; unknown sheets, columns and bad cells are errors."""
        seen: dict[str, str] = {}
        for raw in raw_sheets:
            name = sheet_name(raw.name)
            if name in IGNORED_SHEETS or name.startswith("_"):
                continue
            if name not in self.sheets:
                self.error(raw.name, 0, "", f"Onbekend tabblad of bestand '{raw.name}'; verwacht: "
                                            f"{', '.join(self.sheets)}.")
                continue
            if name in seen:
                self.error(name, 0, "", "Dit tabblad of bestand staat twee keer in de import.")
                continue
            seen[name] = raw.name
            self._parse_sheet(self.sheets[name], raw)
        if not seen and not self.errors:
            self.error("", 0, "", f"Het bestand bevat geen tabbladen of bestanden met de namen "
                                  f"{', '.join(self.sheets)}.")

    def _parse_sheet(self, sheet: Sheet, raw: RawSheet) -> None:
        name = sheet.name
        columns = {c.name: c for c in sheet.columns}
        positions: dict[str, int] = {}
        extra_positions: dict[str, int] = {}
        for index, title in enumerate(raw.header):
            column = column_name(title)
            if not column:
                continue
            if column in positions or column in extra_positions:
                self.error(name, 1, column, "Deze kolom staat twee keer in de kop.")
            elif column in columns:
                positions[column] = index
            elif sheet.is_extra_column(self, column):
                extra_positions[column] = index
            else:
                self.error(name, 1, column, f"Onbekende kolom '{column}'; verwacht: {', '.join(columns)}"
                                            f"{sheet.extra_columns_hint}.")
        for column in columns.values():
            if column.required and column.name not in positions:
                self.error(name, 1, column.name, "Deze verplichte kolom ontbreekt.")
        self.present[name] = set(positions) | set(extra_positions)
        rows = self.rows[name]
        self.summary[name].rows = len(raw.rows)
        today = self.today
        # Per column, the parsed value of each text seen (dates, code lists, flags, postcodes repeat a lot);
        # not for free text and keys, which hardly repeat and are cheap to check.
        plan = [(column_name_, index, columns[column_name_],
                 None if columns[column_name_].kind in UNIQUE_KINDS else {})
                for column_name_, index in positions.items()]
        for number, cells in raw.rows:
            values = {}
            count = len(cells)
            for column_name_, index, column, seen in plan:
                value = cells[index] if index < count else None
                if seen is not None and type(value) is str:
                    parsed = seen.get(value)
                    if parsed is None:
                        parsed = seen[value] = parse_cell(column, value, today)
                else:
                    parsed = parse_cell(column, value, today)
                values[column_name_], message = parsed
                if message is not None:
                    self.error(name, number, column_name_, message)
            extra = {}
            for code, index in extra_positions.items():
                extra[code] = cell_text(cells[index] if index < count else None)
            rows.append(Row(number, values, extra))

    # --- helpers for the sheets -------------------------------------------------------------------

    def unique_keys(self, sheet: str, column: str) -> dict[str, Row]:
        """Rows by key; a key used twice is an error on the later row."""
        index: dict[str, Row] = {}
        for row in self.rows[sheet]:
            key = row.values.get(column)
            if key is None:
                continue
            if key in index:
                self.error(sheet, row.number, column, f"'{key}' staat al op rij {index[key].number} van dit tabblad.")
                continue
            index[key] = row
        return index

    def referenced(self, kind: str) -> set:
        """Every value, in every sheet, of the columns that name a `kind` (Sheet.references)."""
        values = set()
        for name, sheet in self.sheets.items():
            for column, named in sheet.references.items():
                if named == kind:
                    values.update(row.values.get(column) for row in self.rows[name])
        values.discard(None)
        return values

    def authorised_team(self, team_id: int | None) -> bool:
        return self.allowed is None or team_id in self.allowed

    def code(self, sheet: str, row: Row, column: str, lookup: dict, what: str):
        """The code-list row a cell names by code or label (code_lookup), or None (an error when unknown)."""
        value = row.values.get(column)
        if value is None:
            return None
        found = lookup.get(value.casefold())
        if found is None:
            self.error(sheet, row.number, column, f"Onbekende {what} '{value[:40]}'; gebruik een code uit de "
                                                  "codelijst.")
        return found

    def team_member(self, username: str, team: Team, open_case: bool) -> StaffMembership | str:
        """The membership of `username` that may direct (or assess in) a case of `team`, or the error message.
        A closed case may name a former member."""
        if self._staff is None:
            self._load_staff()
        if username not in self._known_users:
            return f"Onbekende gebruiker '{username}'."
        for membership in self._staff.get(username, []):
            if services.may_direct(membership, team.pk, open_case=open_case):
                return membership
        return services.MSG_DIRECTOR_NOT_IN_TEAM.format(team=team.name)

    def _load_staff(self) -> None:
        self._staff = defaultdict(list)
        self._known_users: set[str] = set()
        user_model = get_user_model()
        for chunk in bulk.chunks(self.referenced("staff")):
            for user in user_model.objects.filter(username__in=chunk):
                self._known_users.add(user.get_username())
            for membership in StaffMembership.objects.filter(user__username__in=chunk).select_related("user", "team"):
                self._staff[membership.user.get_username()].append(membership)

    # --- writing ----------------------------------------------------------------------------------

    def start_writing(self) -> None:
        self.user = audit._user(self.actor)
        self.audit_rows = {AuditAction.CREATE: [], AuditAction.UPDATE: []}

    def user_id(self, membership: StaffMembership) -> int:
        """Who the timeline names: the importing user, else the case's director (a machine has no account)."""
        return self.user.pk if self.user is not None else membership.user_id

    def audit(self, action, obj, person=None, case=None) -> None:
        self.audit_rows[action].append((obj, person, case))

    def record_audit(self) -> None:
        """One audit row per created or changed row, every sheet's, in one COPY per action."""
        for action, rows in self.audit_rows.items():
            audit.record_many(self.actor, action, rows, purpose=PURPOSE_IMPORT, bulk=True)


def code_lookup(rows) -> dict:
    """Code or label (any case) -> the code-list row."""
    lookup = {}
    for row in rows:
        lookup[row.label.casefold()] = row
    for row in rows:
        lookup[row.code.casefold()] = row  # a code wins over a label that happens to look like it
    return lookup
