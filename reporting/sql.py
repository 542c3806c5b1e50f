"""Portable SQL fragments: the same meaning on SQLite (3.25+, window functions) and PostgreSQL.

Every statement is executed with a parameter list (possibly empty), so a literal percent sign is
written '%%'. Only values the code controls are rendered into SQL text (dates from `datetime.date`,
integers from settings or ids cast with int()); strings from users always travel as parameters.
"""
from __future__ import annotations

import datetime as dt

from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def date(value: dt.date) -> str:
    """A date literal."""
    if not isinstance(value, dt.date):
        raise TypeError(value)
    iso = value.isoformat()
    return f"DATE '{iso}'" if is_postgres() else f"'{iso}'"


def ints(values) -> str:
    """A comma-separated list of integers for IN (...); never empty."""
    items = [str(int(v)) for v in values]
    return ", ".join(items) if items else "NULL"


def days_between(later: str, earlier: str) -> str:
    """Whole days from `earlier` to `later` (both date expressions)."""
    if is_postgres():
        return f"({later} - {earlier})"
    return f"CAST(ROUND(julianday({later}) - julianday({earlier})) AS INTEGER)"


def add_days(expr: str, days: int) -> str:
    days = int(days)
    if is_postgres():
        return f"({expr} + {days})"
    return f"date({expr}, '{days:+d} days')"


def add_months(expr: str, months: int) -> str:
    """Calendar months, the day clipped to the month's end (31 August + 6 months = 28/29 February),
    as dateutil's relativedelta (zrm/schedule.py) and PostgreSQL's interval arithmetic do."""
    months = int(months)
    if is_postgres():
        return f"CAST({expr} + INTERVAL '{months} months' AS DATE)"
    # SQLite would roll 31 August + 6 months over into March; clip to the last day of the month.
    return (
        f"MIN(date({expr}, 'start of month', '{months:+d} months', "
        f"'+' || (CAST(strftime('%%d', {expr}) AS INTEGER) - 1) || ' days'), "
        f"date({expr}, 'start of month', '{months + 1:+d} months', '-1 day'))"
    )


def age(date_of_birth: str, on: str) -> str:
    """Age in whole years on a date, exactly as cases.selectors.age_on."""
    if is_postgres():
        return (
            f"(CAST(EXTRACT(YEAR FROM {on}) AS INTEGER) - CAST(EXTRACT(YEAR FROM {date_of_birth}) AS INTEGER)"
            f" - CASE WHEN to_char({on}, 'MM-DD') < to_char({date_of_birth}, 'MM-DD') THEN 1 ELSE 0 END)"
        )
    return (
        f"(CAST(strftime('%%Y', {on}) AS INTEGER) - CAST(strftime('%%Y', {date_of_birth}) AS INTEGER)"
        f" - CASE WHEN strftime('%%m-%%d', {on}) < strftime('%%m-%%d', {date_of_birth}) THEN 1 ELSE 0 END)"
    )


def _part(expr: str, part: str) -> str:
    if is_postgres():
        return f"CAST(EXTRACT({ {'Y': 'YEAR', 'm': 'MONTH'}[part] } FROM {expr}) AS INTEGER)"
    return f"CAST(strftime('%%{part}', {expr}) AS INTEGER)"


def period_number(kind: str, expr: str) -> str:
    """The sequence number of the month, quarter or year a date lies in (ReportPeriod.seq)."""
    year, month = _part(expr, "Y"), _part(expr, "m")
    if kind == "month":
        return f"({year} * 12 + {month} - 1)"
    if kind == "quarter":
        return f"({year} * 4 + ({month} - 1) / 3)"
    return year


def text(expr: str) -> str:
    return f"CAST({expr} AS TEXT)"


def real(expr: str) -> str:
    return f"CAST({expr} AS DOUBLE PRECISION)"


def ratio(numerator: str, denominator: str) -> str:
    """numerator / denominator in double precision (IEEE on both databases), NULL when dividing by 0."""
    return f"(CASE WHEN ({denominator}) > 0 THEN {real(numerator)} / {real(denominator)} END)"


def tune_transaction(cursor) -> None:
    """PostgreSQL, for the current transaction: no JIT (compiling these one-off aggregate statements costs
    more than it saves, seconds per statement) and enough memory to sort and hash in memory."""
    if is_postgres():
        cursor.execute("SET LOCAL jit = off", [])
        cursor.execute("SET LOCAL work_mem = '64MB'", [])
