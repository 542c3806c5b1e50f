"""Files that leave the application: CSV the way Dutch spreadsheet programs read it, and XLSX workbooks.

What goes into them (and the small-cell suppression and the audit row every export needs) is the
caller's business; this module only writes the bytes.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    """Semicolon-separated, CRLF, UTF-8 with a BOM, as Dutch spreadsheet programs expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique worksheet name for `title` (no []:*?/\\, at most 31 characters); adds it to `used`."""
    name = re.sub(r"[\[\]:*?/\\]", "", title)[:28] or "Blad"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name[:26]} {n}", n + 1
    used.add(candidate)
    return candidate


def workbook_bytes(book) -> bytes:
    """An openpyxl Workbook as the bytes of an .xlsx file."""
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
