"""The bulk import of registrations (docs/import-format.md): the sheet zrm-metingen (measurements.py) and the
import of a whole file across the sheets of cases and zrm (registrations.py). The framework and the cases
sheets are in cases.imports."""
from cases.imports import MSG_CONCURRENT, ImportIssue, ImportRejected, ImportSummary, SheetSummary

from .measurements import MeasurementSheet
from .registrations import SHEETS, RegistrationImport, import_registrations

__all__ = [
    "MSG_CONCURRENT", "SHEETS", "ImportIssue", "ImportRejected", "ImportSummary", "MeasurementSheet",
    "RegistrationImport", "SheetSummary", "import_registrations",
]
