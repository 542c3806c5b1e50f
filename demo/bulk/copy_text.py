"""Bulk demo data: rows in PostgreSQL's COPY text format, and the identities moved past explicit ids."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal


def _escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


class _Formats(dict):
    """type -> COPY text formatter; a subclass (TextChoices members are str) resolves to its base once."""

    def __missing__(self, kind):
        for base in (bool, int, str, dt.datetime, dt.date, Decimal, float):
            if issubclass(kind, base):
                self[kind] = self[base]
                return self[base]
        raise TypeError(f"no COPY text format for {kind.__name__}")


_FORMAT = _Formats({
    int: str, str: _escape, type(None): lambda _: r"\N", bool: lambda b: "t" if b else "f",
    dt.date: dt.date.isoformat, dt.datetime: dt.datetime.isoformat, Decimal: str, float: repr,
})


def _defaults(model, given: list[str], now: dt.datetime) -> tuple[list[str], str]:
    """Columns not in `given` (except an auto id) and their model defaults, as the end of every line."""
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.attname in given or (field.primary_key and field.attname == "id"):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        elif field.get_internal_type() in ("CharField", "TextField", "SlugField"):
            value = ""
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value in the bulk demo data")
        if isinstance(value, (dict, list)):
            value = json.dumps(value)
        columns.append(field.column)
        values.append(value)
    return columns, "".join("\t" + _FORMAT[type(v)](v) for v in values)


def _copy_data(model, given: list[str], rows: list[tuple], now: dt.datetime) -> tuple[str, str]:
    """(COPY statement, data in text format) for rows: tuples in the order of `given` (field attnames,
    ids included); the other columns get their defaults."""
    extra_columns, suffix = _defaults(model, given, now)
    columns = ["id" if name == "id" else model._meta.get_field(name).column for name in given] + extra_columns
    quoted = ", ".join(f'"{c}"' for c in columns)
    fmt = _FORMAT
    lines = ["\t".join([fmt[type(v)](v) for v in row]) + suffix for row in rows]
    lines.append("")
    return f'COPY "{model._meta.db_table}" ({quoted}) FROM STDIN', "\n".join(lines)


def _move_sequence(cursor, model) -> None:
    """After explicit ids: the identity continues past the highest id."""
    table = model._meta.db_table
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                   f"GREATEST((SELECT MAX(id) FROM \"{table}\"), 1))")
