"""Files that leave the application: CSV the way Dutch spreadsheet programs read it, and XLSX workbooks.

Every CSV and XLSX the product writes is made here and nowhere else (tests/architecture checks it), so
no export can attack its reader. A spreadsheet program takes a cell whose text starts with `=`, `+`,
`-`, `@`, a tab or a carriage return as a formula (CSV or formula injection: a staff member called
`=HYPERLINK("https://…";"klik")`). CSV cells go through the maintained `defusedcsv` writer, which puts
an apostrophe before such text (we add the tab and carriage return it leaves alone); XLSX cells with
such text are written as string cells with the quote prefix, so no formula is ever created. Only text
is neutralised: numbers stay numbers, and text that is just a number ("-3", "-12,5") stays as it is.

What goes into the files (and the small-cell suppression and the audit row every export needs) is the
caller's business; this module only writes the bytes.
"""
from __future__ import annotations

import io
import numbers
import re
from collections.abc import Iterable

from defusedcsv import csv as defused_csv
from openpyxl import Workbook as _Workbook
from openpyxl.cell.cell import TYPE_FORMULA, TYPE_STRING

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

# Text starting with one of these is a formula to a spreadsheet program (OWASP, CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A number written as text, with its sign ("-3", "+0,7": a difference as the dashboards show it): a spreadsheet
# reads it as that number, never as a formula that can call anything, so it is left as it is.
_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9][0-9,.]*$")


class _SignedNumber(str):
    """Signed-number text that defusedcsv must pass unchanged (it passes numbers.Number and escapes '+')."""


numbers.Number.register(_SignedNumber)


def is_formula_like(value) -> bool:
    """True for text a spreadsheet program would read as a formula (never for numbers)."""
    return (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
            and not _PLAIN_NUMBER.match(value))


def _csv_cell(value):
    # defusedcsv escapes = + - @ | %; a leading tab or carriage return gets the same apostrophe here.
    if isinstance(value, str) and value[:1] in ("\t", "\r"):
        return "'" + value
    if isinstance(value, str) and value[:1] == "+" and _PLAIN_NUMBER.match(value):
        return _SignedNumber(value)
    return value


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    """Semicolon-separated, CRLF, UTF-8 with a BOM, as Dutch spreadsheet programs expect; formula-like
    text neutralised."""
    buffer = io.StringIO()
    writer = defused_csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class _SafeWorkbook(_Workbook):
    """An openpyxl Workbook that neutralises every cell when it is saved, however the cell was filled."""

    def save(self, filename):
        neutralise_workbook(self)
        super().save(filename)


def new_workbook() -> _Workbook:
    """The only way to start an XLSX export: a workbook whose cells can never hold a formula."""
    return _SafeWorkbook()


def neutralise_workbook(book: _Workbook) -> None:
    """Every formula cell becomes a string cell; every formula-like string gets the quote prefix (so the
    spreadsheet program does not turn it into a formula when the cell is edited either)."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == TYPE_FORMULA:
                    cell._value = str(cell._value)
                    cell.data_type = TYPE_STRING
                if cell.data_type == TYPE_STRING and is_formula_like(cell._value):
                    cell.quotePrefix = True


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique worksheet name for `title` (no []:*?/\\, at most 31 characters); adds it to `used`."""
    name = re.sub(r"[\[\]:*?/\\]", "", title)[:28] or "Blad"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name[:26]} {n}", n + 1
    used.add(candidate)
    return candidate


def workbook_bytes(book: _Workbook) -> bytes:
    """A workbook from new_workbook() as the bytes of an .xlsx file, with no formula in it."""
    neutralise_workbook(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
