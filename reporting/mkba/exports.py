"""Exports of an MKBA scenario: XLSX (openpyxl) and PDF (reportlab), from the same report.Report the page
shows, so small counts are suppressed in the files too. Aggregates only; no personal data."""
from __future__ import annotations

import io

from django.utils import timezone
from django.utils.text import slugify

from common.exports import XLSX_TYPE, new_workbook, workbook_bytes

from . import inputs, report

CONTENT_TYPES = {
    "xlsx": XLSX_TYPE,
    "pdf": "application/pdf",
}


def filename(scenario, extension: str) -> str:
    scope = slugify(scenario.team.name) if scenario.team_id else "alle-teams"
    return f"mkba-{scope}-{scenario.year}-scenario-{scenario.pk}.{extension}"


def comparison_rows(scenarios) -> list[tuple[str, list[str]]]:
    """Rows of the side-by-side comparison: one value per scenario, in the given order."""
    def result_of(s):
        return s.result or {}

    def cell(s, getter, fmt):
        result = result_of(s)
        if not result:
            return "nog niet berekend"
        return fmt(getter(result))

    def effective(s, path):
        doc, _ = inputs.apply_overrides(s.input_document or {}, s.overrides or {})
        value = doc
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    rows: list[tuple[str, list[str]]] = []
    rows.append(("Frictieaandeel", [report.percent(effective(s, "friction.share")) for s in scenarios]))
    rows.append(("Aandeel extra gefinancierd", [report.percent(effective(s, "team.additionalShare"))
                                                for s in scenarios]))
    rows.append(("Toerekening aan het team", [report.percent(effective(s, "effects.attribution")) for s in scenarios]))
    rows.append(("Terugval", [report.percent(effective(s, "effects.relapse")) for s in scenarios]))
    for key, label in report.COST_ROWS:
        rows.append((label, [cell(s, lambda r, k=key: r["costs"][k], report.money) for s in scenarios]))
    rows.append(("Totale kosten", [cell(s, lambda r: r["costs"]["total"], report.money) for s in scenarios]))
    for key, label in report.BENEFIT_ROWS:
        rows.append((label, [cell(s, lambda r, k=key: r["benefits"][k], report.money) for s in scenarios]))
    rows.append(("Financiële baten (1-3)", [cell(s, lambda r: r["benefits"]["financialTotal"], report.money)
                                            for s in scenarios]))
    rows.append(("Alle baten (1-4)", [cell(s, lambda r: r["benefits"]["total"], report.money) for s in scenarios]))
    rows.append(("Financieel saldo", [cell(s, lambda r: r["balanceFinancial"], report.money) for s in scenarios]))
    rows.append(("Maatschappelijk saldo", [cell(s, lambda r: r["balanceSocietal"], report.money) for s in scenarios]))
    rows.append(("Financiële ratio", [cell(s, lambda r: r["ratioFinancial"], report.ratio) for s in scenarios]))
    rows.append(("Maatschappelijke ratio", [cell(s, lambda r: r["ratioSocietal"], report.ratio) for s in scenarios]))
    rows.append(("Gemeentelijke ratio", [cell(s, lambda r: r["ratioMunicipal"], report.ratio) for s in scenarios]))
    rows.append(("Prijsboekversie", [cell(s, lambda r: r["priceBookVersion"], str) for s in scenarios]))
    return rows


def _header(rep: report.Report) -> list[tuple[str, str]]:
    s = rep.scenario
    computed = timezone.localtime(s.computed_at).strftime("%d-%m-%Y %H:%M") if s.computed_at else "nog niet berekend"
    return [
        ("Scenario", s.name), ("Team", s.scope_label), ("Jaar", str(s.year)),
        ("Prijsboekversie", str((rep.result or {}).get("priceBookVersion", "–"))), ("Berekend op", computed),
    ]


# --- XLSX ------------------------------------------------------------------------------------------

def xlsx(rep: report.Report, scenarios=()) -> bytes:
    """The workbook: result, per actor, inputs with sources, registration figures, all scenarios of the
    same team and year side by side, and the notes."""
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    euro = '"€" #,##0;[Red]-"€" #,##0'
    book = new_workbook()
    sheet = book.active
    sheet.title = "Resultaat"
    sheet.append(["Maatschappelijke kosten-batenanalyse (MKBA)"])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in _header(rep):
        sheet.append([label, value])
    sheet.append([])
    sheet.append([report.CAVEAT])
    sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True)
    sheet.append([])
    if rep.result:
        for title, rows in (("Kosten", rep.cost_rows), ("Baten", rep.benefit_rows)):
            sheet.append([title, "Contante waarde (€)"])
            sheet.cell(row=sheet.max_row, column=1).font = bold
            for label, _display, value in rows:
                sheet.append([label, value])
                sheet.cell(row=sheet.max_row, column=2).number_format = euro
            sheet.append([])
        result = rep.result
        numbers = [
            ("Totale kosten", result["costs"]["total"], euro),
            ("Financiële baten (1-3)", result["benefits"]["financialTotal"], euro),
            ("Alle baten, met immateriële (1-4)", result["benefits"]["total"], euro),
            ("Financieel saldo", result["balanceFinancial"], euro),
            ("Maatschappelijk saldo", result["balanceSocietal"], euro),
            ("Financiële ratio", result["ratioFinancial"], "0.00"),
            ("Maatschappelijke ratio", result["ratioSocietal"], "0.00"),
            ("Gemeentelijke ratio", result["ratioMunicipal"], "0.00"),
        ]
        sheet.append(["Samenvatting"])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        for label, value, fmt in numbers:
            sheet.append([label, value if value is not None else "–"])
            sheet.cell(row=sheet.max_row, column=2).number_format = fmt
    else:
        sheet.append(["Dit scenario is nog niet berekend."])
    sheet.column_dimensions["A"].width = 55
    sheet.column_dimensions["B"].width = 22

    actors = book.create_sheet("Per actor")
    actors.append(["Actor", "Kosten (€)", "Baten (€)", "Saldo (€)"])
    for cell in actors[1]:
        cell.font = bold
    for label, _c, _b, _s, row in rep.actor_rows:
        actors.append([label, row["costs"], row["benefits"], row["balance"]])
        for column in (2, 3, 4):
            actors.cell(row=actors.max_row, column=column).number_format = euro
    actors.column_dimensions["A"].width = 25

    inputs_sheet = book.create_sheet("Invoer")
    inputs_sheet.append(["Groep", "Invoer", "Waarde", "Prijs per eenheid", "Bron", "Toelichting"])
    for cell in inputs_sheet[1]:
        cell.font = bold
    for group in rep.groups:
        for row in group.rows:
            inputs_sheet.append([group.title, row.label, row.display, row.unit_price, row.source_label, row.note])
    for column, width in zip("ABCDEF", (32, 50, 16, 22, 20, 60), strict=True):
        inputs_sheet.column_dimensions[column].width = width

    registration = book.create_sheet("Registratie")
    registration.append(["Uit de registratie (aantallen onder de drempel als <5)", "Aantal"])
    for cell in registration[1]:
        cell.font = bold
    for label, value in rep.registration_rows:
        registration.append([label, value])
    registration.column_dimensions["A"].width = 60

    scenarios = list(scenarios)
    if scenarios:
        compare = book.create_sheet("Scenario's")
        compare.append(["", *[scenario.name for scenario in scenarios]])
        for cell in compare[1]:
            cell.font = bold
        for label, values in comparison_rows(scenarios):
            compare.append([label, *values])
        compare.column_dimensions["A"].width = 35

    notes = book.create_sheet("Toelichting")
    notes.append([report.CAVEAT])
    for warning in rep.warnings:
        notes.append([warning])
    for error in rep.errors:
        notes.append([f"Fout bij de laatste berekening: {error.get('path')}: {error.get('message')}"])
    notes.column_dimensions["A"].width = 120

    return workbook_bytes(book)


# --- PDF -------------------------------------------------------------------------------------------

# The PDF's standard fonts (WinAnsi) lack a few characters the page uses.
_PDF_SAFE = str.maketrans({"−": "-", "≤": "<=", "≥": ">=", "×": "x"})


def _safe(text) -> str:
    from xml.sax.saxutils import escape

    return escape(str(text)).translate(_PDF_SAFE)


def pdf(rep: report.Report) -> bytes:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    body, heading = styles["BodyText"], styles["Heading2"]
    out = io.BytesIO()
    s = rep.scenario
    doc = SimpleDocTemplate(out, pagesize=A4, title=f"MKBA {s.scope_label} {s.year}: {s.name}",
                            author="Wijkregie", leftMargin=2 * cm, rightMargin=2 * cm)
    grid = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde7f3")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
    ])

    def table(header, rows, widths):
        data = [[Paragraph(f"<b>{_safe(h)}</b>", body) for h in header]]
        data += [[Paragraph(_safe(cell), body) for cell in row] for row in rows]
        t = Table(data, colWidths=widths, repeatRows=1)
        t.setStyle(grid)
        return t

    story = [Paragraph(_safe(f"MKBA {s.scope_label} {s.year}"), styles["Title"]),
             Paragraph(_safe(" · ".join(f"{label}: {value}" for label, value in _header(rep))), body),
             Spacer(1, 6), Paragraph(f"<i>{_safe(report.CAVEAT)}</i>", body), Spacer(1, 10)]
    if rep.result:
        story += [Paragraph("Kosten en baten (contante waarde)", heading),
                  table(["Post", "Bedrag"], [(label, display) for label, display, _ in rep.cost_rows]
                        + [(label, display) for label, display, _ in rep.benefit_rows], [11 * cm, 5 * cm]),
                  Spacer(1, 8), table(["Saldi en ratio's", ""], rep.summary_rows, [11 * cm, 5 * cm])]
        chart = Drawing(16 * cm, 7 * cm)
        bars = HorizontalBarChart()
        bars.x, bars.y, bars.width, bars.height = 5.5 * cm, 0.5 * cm, 10 * cm, 6 * cm
        values = [row[2] for row in rep.cost_rows] + [row[2] for row in rep.benefit_rows]
        bars.data = [values]
        bars.categoryAxis.categoryNames = [_safe(row[0])[:28] for row in rep.cost_rows + rep.benefit_rows]
        bars.categoryAxis.labels.fontSize = 6
        bars.valueAxis.labels.fontSize = 6
        bars.valueAxis.valueMin = 0
        bars.bars[0].fillColor = colors.HexColor("#24578f")
        chart.add(bars)
        story += [Spacer(1, 8), Paragraph("Kosten en baten per post", heading), chart,
                  Paragraph("Wie betaalt en wie ontvangt", heading),
                  table(["Actor", "Kosten", "Baten", "Saldo"], [row[:4] for row in rep.actor_rows],
                        [5 * cm, 3.7 * cm, 3.7 * cm, 3.6 * cm])]
    else:
        story.append(Paragraph("Dit scenario is nog niet berekend.", body))
    story += [Paragraph("Invoer en bronnen", heading)]
    rows = [(group.title + ": " + row.label, row.display, row.unit_price, row.source_label)
            for group in rep.groups for row in group.rows]
    story.append(table(["Invoer", "Waarde", "Prijs", "Bron"], rows, [8.5 * cm, 2.5 * cm, 2.7 * cm, 2.8 * cm]))
    if rep.registration_rows:
        story += [Paragraph("Uit de registratie", heading),
                  table(["Kenmerk", "Aantal"], rep.registration_rows, [12 * cm, 4 * cm])]
    if rep.warnings:
        story += [Paragraph("Opmerkingen", heading)] + [Paragraph(_safe(w), body) for w in rep.warnings]
    doc.build(story)
    return out.getvalue()
