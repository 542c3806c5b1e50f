"""Bulk import of registrations from CSV or XLSX (docs/import-format.md describes the format).

One sheet (XLSX) or one file (CSV, in a folder or a zip) per entity: huishoudens, personen,
casussen, zrm-metingen, trajecten. Each sheet validates and writes its own rows (cases.imports for
the first three and trajecten, zrm.imports.measurements for zrm-metingen); this module runs them
together. `import_registrations()` guarantees:

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

import time

from django.db import IntegrityError, transaction

from cases.imports import (
    MSG_CONCURRENT,
    CaseSheet,
    HouseholdSheet,
    ImportContext,
    ImportIssue,
    ImportRejected,
    ImportSummary,
    InterventionSheet,
    PersonSheet,
    UnreadableFile,
    read_sheets,
)
from common.audit import Actor

from .measurements import MeasurementSheet

# In the file's order, which is also the order of writing.
SHEET_CLASSES = (HouseholdSheet, PersonSheet, CaseSheet, MeasurementSheet, InterventionSheet)
SHEETS = tuple(sheet.name for sheet in SHEET_CLASSES)  # huishoudens, personen, casussen, zrm-metingen, trajecten
# Each sheet after the sheets it looks rows up in: the cases name households; which households the importer may
# change depends on the cases; measurements and trajectories name cases and persons.
VALIDATION_ORDER = ("huishoudens", "casussen", "personen", "zrm-metingen", "trajecten")


class RegistrationImport:
    """One import: a fresh instance of every sheet and the context they share."""

    def __init__(self, *, actor: Actor, allowed_team_ids: set[int] | None):
        self.context = ImportContext([sheet() for sheet in SHEET_CLASSES], actor=actor,
                                     allowed_team_ids=allowed_team_ids)

    def validate(self) -> None:
        context = self.context
        for name in VALIDATION_ORDER:
            context.sheet(name).validate(context)
        for sheet in context.sheets.values():
            sheet.check(context)

    def write(self) -> None:
        context = self.context
        with transaction.atomic():
            context.start_writing()
            for sheet in context.sheets.values():
                sheet.write(context)
            context.record_audit()


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
    run = RegistrationImport(actor=actor, allowed_team_ids=allowed_team_ids)
    context = run.context
    context.parse(raw)
    del raw  # parsed into rows: free the cells (less for the garbage collector to walk while writing)
    if not any(issue.row == 0 for issue in context.errors):  # a readable file: check every row
        run.validate()
    if context.errors:
        raise ImportRejected(context.errors, SHEETS)
    summary = ImportSummary(sheets={name: context.summary[name] for name in SHEETS if context.present[name]},
                            warnings=context.issues_in_order(context.warnings))
    if not dry_run:
        for sheet in context.sheets.values():  # what a dry run must not answer (cases.imports.persons)
            sheet.check_writable(context)
        if context.errors:
            raise ImportRejected(context.errors, SHEETS)
        try:
            run.write()
        except IntegrityError as exc:  # a concurrent writer got in between validating and writing
            raise ImportRejected([ImportIssue("", 0, "", MSG_CONCURRENT)]) from exc
        summary.written = True
    else:
        for sheet in summary.sheets.values():
            sheet.created = sheet.updated = sheet.unchanged = 0
    summary.seconds = time.perf_counter() - started
    return summary
