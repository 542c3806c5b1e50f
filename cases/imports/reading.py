"""Reading an import file: an XLSX workbook, a zip of CSV files, a folder of CSV files or one CSV file, as raw
sheets of cells. A zip or workbook that unpacks to more than MAX_UNPACKED_BYTES is refused (zip bombs)."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

IGNORED_SHEETS = {"toelichting", "uitleg", "readme"}
MAX_UNPACKED_BYTES = 1024 ** 3  # a zip or workbook that unpacks to more is refused (zip bombs)


@dataclass
class RawSheet:
    name: str
    header: list[str]
    rows: list[tuple[int, list]]  # (spreadsheet row number, cells)


class UnreadableFile(Exception):
    pass


def sheet_name(value: str) -> str:
    """`Zrm metingen`, `zrm_metingen` -> `zrm-metingen`."""
    return re.sub(r"[\s_]+", "-", (value or "").strip().lower())


def column_name(value) -> str:
    """`Lid vanaf`, `lid-vanaf` -> `lid_vanaf`."""
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
