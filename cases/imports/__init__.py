"""The bulk import's framework and the sheets the cases app owns (docs/import-format.md).

The import of a whole file, `import_registrations`, is in zrm.imports: it spans these sheets and the ZRM
measurements, so it lives in the layer that may import both. Here:

- reading.py: XLSX workbooks, zips or folders of CSV files, one CSV file; the zip-bomb limit;
- cells.py: the columns of a sheet and the parsing of one cell (dates, ja/nee, BSN, postcodes, code lists);
- results.py: ImportIssue, ImportRejected and the summaries the import answers;
- context.py: ImportContext, what the sheets of one import share (actor, teams, rows, problems, staff,
  audit rows), and Sheet, what each sheet does (validate, check, write);
- bulk.py: lookups by array and writes through COPY;
- households.py, persons.py, cases.py, interventions.py: the sheets huishoudens, personen, casussen and
  trajecten.
"""
from .cases import CaseSheet
from .cells import Column, parse_cell
from .context import ImportContext, Row, Sheet
from .households import HouseholdSheet
from .interventions import InterventionSheet
from .persons import PersonSheet
from .reading import RawSheet, UnreadableFile, read_sheets
from .results import MSG_CONCURRENT, ImportIssue, ImportRejected, ImportSummary, SheetSummary

__all__ = [
    "MSG_CONCURRENT", "CaseSheet", "Column", "HouseholdSheet", "ImportContext", "ImportIssue", "ImportRejected",
    "ImportSummary", "InterventionSheet", "PersonSheet", "RawSheet", "Row", "Sheet", "SheetSummary",
    "UnreadableFile", "parse_cell", "read_sheets",
]
