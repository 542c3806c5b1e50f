"""Generates registration import files (docs/import-format.md) for the tests: XLSX, a folder of CSV
files or a zip of CSV files, from the same rows.

A data set for `households` households has per household: 1 huishoudens row, 2 personen rows (every
fifth household's second member has no BSN and is referred to by persoon_sleutel), 1 casussen row,
3 out of 4 households a zrm-metingen row and 1 out of 4 a trajecten row: 5 rows per household, so
200 households make a file of 1,000 rows.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from common.validators import complete_bsn

CODES_2017 = [
    "financien", "werk_opleiding", "tijdsbesteding", "huisvesting", "huiselijke_relaties", "geestelijke_gezondheid",
    "lichamelijke_gezondheid", "middelengebruik", "basale_adl", "instrumentele_adl", "sociaal_netwerk",
    "maatschappelijke_participatie", "justitie",
]
FIRST_NAMES = ["Anna", "Bram", "Carla", "Daan", "Eva", "Finn", "Greet", "Hidde", "Iris", "Jan"]
LAST_NAMES = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Dijkstra"]
STREETS = ["Oosterstraat", "Vinkenstraat", "Korreweg", "Zaagmuldersweg", "Helper Brink"]


def bsn_sequence(start: int):
    """Elfproef-valid, made-up BSNs from a starting number (deterministic)."""
    number = start
    while True:
        bsn = complete_bsn(f"{number:08d}")
        number += 1
        if bsn:
            yield bsn


def dataset(*, team: str, regisseur: str, households: int = 200, prefix: str = "A", bsn_start: int = 20_000_000,
            today: dt.date | None = None) -> dict[str, list[dict]]:
    """Rows per sheet, as the cells a user would type (dates as ISO text, flags as ja/nee)."""
    today = today or dt.date.today()
    bsns = bsn_sequence(bsn_start)
    data: dict[str, list[dict]] = {"huishoudens": [], "personen": [], "casussen": [], "zrm-metingen": [],
                                   "trajecten": []}
    for i in range(households):
        hh, case = f"{prefix}-HH-{i:05d}", f"{prefix}-C-{i:05d}"
        melding = today - dt.timedelta(days=120 + i % 200)
        data["huishoudens"].append({
            "extern_id": hh, "postcode": f"97{11 + i % 80:02d} {'AB' if i % 2 else 'CD'}", "huisnummer": i % 300 + 1,
            "toevoeging": "a" if i % 7 == 0 else "", "straat": STREETS[i % len(STREETS)], "plaats": "Groningen",
            "wijk": "Oosterpark" if i % 2 else "Vinkhuizen",
        })
        first_bsn = next(bsns)
        data["personen"].append({
            "huishouden_id": hh, "bsn": first_bsn, "persoon_sleutel": "", "voornaam": FIRST_NAMES[i % 10],
            "tussenvoegsel": "", "achternaam": LAST_NAMES[i % 10], "geboortedatum": f"{1960 + i % 35}-03-{1 + i % 28:02d}",
            "rol": "ouder", "thuiswonend": "ja", "lid_vanaf": "",
        })
        child = i % 3 == 0
        second = {
            "huishouden_id": hh, "bsn": next(bsns), "persoon_sleutel": "", "voornaam": FIRST_NAMES[(i + 3) % 10],
            "tussenvoegsel": "van" if i % 4 == 0 else "", "achternaam": LAST_NAMES[(i + 1) % 10],
            "geboortedatum": f"{2010 + i % 8}-06-15" if child else f"{1962 + i % 30}-09-{1 + i % 27:02d}",
            "rol": "kind" if child else "partner", "thuiswonend": "ja", "lid_vanaf": "",
        }
        if i % 5 == 0:
            second["bsn"], second["persoon_sleutel"] = "", f"{prefix}-P-{i:05d}"
        data["personen"].append(second)
        status = ("aangemeld", "in_behandeling", "afgesloten")[i % 3]
        data["casussen"].append({
            "extern_id": case, "huishouden_id": hh, "team": team, "meldingsdatum": melding.isoformat(),
            "bron": ("zelfmelder", "huisarts_poh", "school", "woningcorporatie")[i % 4], "status": status,
            "regisseur": regisseur,
            "eerste_contact": (melding + dt.timedelta(days=5)).isoformat() if status != "aangemeld" else "",
            "afsluitdatum": (melding + dt.timedelta(days=90)).isoformat() if status == "afgesloten" else "",
            "afsluitreden": "doelen_behaald" if status == "afgesloten" else "",
            "veiligheid": "ja" if i % 11 == 0 else "nee",
        })
        if i % 4 != 3:
            scores = {code: str(1 + (i + k) % 5) for k, code in enumerate(CODES_2017)}
            scores["justitie"] = "niet_relevant" if i % 2 else scores["justitie"]
            if i % 6 == 0:
                scores["middelengebruik"] = ""  # left open: imported as niet gescoord (onbekend)
            data["zrm-metingen"].append({
                "extern_id": f"{prefix}-M-{i:05d}", "casus_id": case, "bsn": first_bsn, "persoon_sleutel": "",
                "versie": "zrm-2017", "datum": (melding + dt.timedelta(days=20)).isoformat(), "soort": "nulmeting",
                "beoordelaar": "", "doel": "plan", "participatieladder": str(1 + i % 6), "inkomensbron": "werk",
                **scores,
            })
        if i % 4 == 0:
            data["trajecten"].append({
                "extern_id": f"{prefix}-T-{i:05d}", "casus_id": case,
                "soort": ("schuldhulpverlening", "ggz_ambulant", "wmo_overig")[i % 3], "subcategorie": "",
                "rol_team": "gestart", "uitvoerder": "extern", "aanbieder": "Kredietbank",
                "startdatum": (melding + dt.timedelta(days=30)).isoformat(), "einddatum": "",
                "zonder_team_gestart": "nee", "uren_per_maand": "", "meest_passende_soort": "",
                "reden_afwijking": "", "vervangt_soort": "", "op_wachtlijst": "nee", "overbrugging_voor": "",
                "uitgevoerd_na_6_maanden": "", "bsn": "", "persoon_sleutel": "",
            })
    return data


def row_count(data: dict[str, list[dict]]) -> int:
    return sum(len(rows) for rows in data.values())


def _header(rows: list[dict]) -> list[str]:
    header: list[str] = []
    for row in rows:
        header += [key for key in row if key not in header]
    return header


def csv_bytes(rows: list[dict], delimiter: str = ";") -> bytes:
    out = io.StringIO()
    header = _header(rows)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode("utf-8-sig")


def write_csv_folder(data: dict[str, list[dict]], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, rows in data.items():
        if rows:
            (folder / f"{sheet}.csv").write_bytes(csv_bytes(rows))
    return folder


def write_zip(data: dict[str, list[dict]], path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet, rows in data.items():
            if rows:
                archive.writestr(f"export/{sheet}.csv", csv_bytes(rows, delimiter=","))
    return path


def write_xlsx(data: dict[str, list[dict]], path: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet, rows in data.items():
        if not rows:
            continue
        worksheet = workbook.create_sheet(sheet)
        header = _header(rows)
        worksheet.append(header)
        for row in rows:
            worksheet.append([_xlsx_cell(column, row.get(column, "")) for column in header])
    workbook.save(path)
    return path


def _xlsx_cell(column: str, value):
    """Cells as Excel holds them: numbers as numbers, dates as dates, the rest as text."""
    if value == "" or value is None:
        return None
    if column in ("huisnummer", "participatieladder") and str(value).isdigit():
        return int(value)
    if column in ("meldingsdatum", "eerste_contact", "afsluitdatum", "datum", "geboortedatum", "startdatum",
                  "einddatum") and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def sheet_row(data: dict[str, list[dict]], sheet: str, row_number: int) -> dict:
    """The row a user sees as spreadsheet row `row_number` (the header is row 1)."""
    return data[sheet][row_number - 2]
