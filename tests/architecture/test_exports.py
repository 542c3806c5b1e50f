"""Every CSV and XLSX the product writes goes through common/exports.py, which neutralises formula-like cells:
no other module writes CSV rows, creates an openpyxl workbook or sets a spreadsheet content type itself."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("common", "cases", "zrm", "reporting", "demo", "config")
HELPER = ROOT / "common" / "exports.py"
TEMPLATES = ROOT / "templates"

BYPASSES = {
    "a csv writer": re.compile(r"\bcsv\s*\.\s*(writer|DictWriter)\b|from\s+csv\s+import\s+[^\n]*\b(writer|DictWriter)\b"),
    "defusedcsv outside the helper": re.compile(r"\bdefusedcsv\b"),
    "an openpyxl Workbook": re.compile(r"\bWorkbook\s*\(|\bopenpyxl\s*\.\s*Workbook\b"
                                       r"|from\s+openpyxl[\w.]*\s+import\s+[^\n]*\bWorkbook\b"),
    "another spreadsheet writer": re.compile(r"\b(xlsxwriter|xlwt|pyexcel|tablib|pandas)\b"),
    "a spreadsheet content type": re.compile(r"content_type\s*=\s*[\"'](text/csv|application/vnd\.(ms-excel|openxml))"),
}


def test_no_module_but_the_export_helper_writes_csv_or_xlsx():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path == HELPER or "migrations" in path.parts:
                continue
            text = path.read_text()
            offenders += [f"{path.relative_to(ROOT)}: {what}" for what, pattern in BYPASSES.items()
                          if pattern.search(text)]
    assert not offenders, offenders


def test_no_template_renders_a_csv_file():
    assert not [p for p in TEMPLATES.rglob("*") if p.suffix in (".csv", ".tsv")]


def test_the_helper_itself_uses_defusedcsv_and_a_workbook_that_neutralises_on_save():
    text = HELPER.read_text()
    assert "defused_csv.writer(" in text and "neutralise_workbook(self)" in text
