"""CSV and XLSX exports of dashboard sections. Exports leave the team: the sections passed in are
built with public=True (small cells suppressed), and the views audit every export."""
from __future__ import annotations

from openpyxl.styles import Font

from common.exports import csv_bytes, new_workbook, sheet_name, workbook_bytes

from .selectors import Section


def _rows(title: str, sections: list[Section]):
    yield [title]
    for section in sections:
        for table in section.tables:
            yield []
            yield [f"{section.title}: {table.caption}"]
            yield table.columns
            for row in table.rows:
                yield [cell.text for cell in row]


def to_csv(title: str, sections: list[Section]) -> bytes:
    """Semicolon-separated with a BOM, as Dutch spreadsheet programs expect; the displayed (suppressed) text."""
    return csv_bytes(_rows(title, sections))


def to_xlsx(title: str, sections: list[Section]) -> bytes:
    """One sheet per section; numbers as numbers where they may be shown, '<5' as text."""
    book = new_workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for section in sections:
        sheet = book.create_sheet(sheet_name(section.title, used))
        sheet.append([title])
        sheet.append([section.title])
        sheet["A1"].font = sheet["A2"].font = bold
        for table in section.tables:
            sheet.append([])
            sheet.append([table.caption])
            sheet.cell(row=sheet.max_row, column=1).font = bold
            sheet.append(table.columns)
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for row in table.rows:
                sheet.append([cell.raw if cell.raw is not None else cell.text for cell in row])
        sheet.column_dimensions["A"].width = 42
    return workbook_bytes(book)
