"""The pseudonymised, k-anonymous research extract (scope onderzoek.lezen): reporting.research.extract builds
the rows, reporting.research.anonymity generalises and suppresses their quasi-identifiers."""
from .anonymity import QUASI_IDENTIFIERS, LADDER, QuasiRecord, Release, Step, anonymise
from .extract import extract_cases, pseudonym, quasi_records, release, rows_for

__all__ = ["LADDER", "QUASI_IDENTIFIERS", "QuasiRecord", "Release", "Step", "anonymise", "extract_cases",
           "pseudonym", "quasi_records", "release", "rows_for"]
