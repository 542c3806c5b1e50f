"""What an import answers: the problems found (ImportIssue, ImportRejected) and the summary per sheet."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MSG_CONCURRENT = ("Tijdens het opslaan heeft iemand anders dezelfde gegevens gewijzigd; er is niets opgeslagen. "
                  "Importeer het bestand opnieuw.")


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


def in_file_order(issues: Iterable[ImportIssue], sheets: Sequence[str] = ()) -> list[ImportIssue]:
    """Each issue once, by sheet (in the order of `sheets`; the file as a whole and unknown sheets first), row,
    column and message."""
    def order(issue: ImportIssue):
        sheet = sheets.index(issue.sheet) if issue.sheet in sheets else -1
        return (sheet, issue.row, issue.column, issue.message)

    return sorted(set(issues), key=order)


class ImportRejected(Exception):
    """The file was rejected and nothing was written; `errors` lists every problem found, in file order."""

    def __init__(self, errors: list[ImportIssue], sheets: Sequence[str] = ()):
        self.errors = in_file_order(errors, sheets)
        super().__init__(f"{len(self.errors)} fout(en) in het importbestand")


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
