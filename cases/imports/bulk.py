"""The bulk reads and writes of an import, in PostgreSQL's fastest forms: lookups by `= ANY(array)`, new rows
through COPY, the score trigger with generic plans. Constraints and triggers apply as to any other write.

Call these through the module (`bulk.insert_rows(...)`), so a test can watch or replace one for every sheet.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, connections, models
from django.db.models.expressions import RawSQL

BATCH = 1000


def chunks(values: Iterable, size: int = 5000):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def filter_in(queryset, field: str, values) -> list:
    """The rows of `queryset` whose `field` is one of `values`, as a list.

    `= ANY(one array)`: the same rows as IN, without thousands of placeholders for Django and psycopg to build
    and parse and PostgreSQL to plan (a third of the validation time of a large file).
    """
    out = []
    meta, quote = queryset.model._meta, connection.ops.quote_name
    column = f"{quote(meta.db_table)}.{quote(meta.get_field(field).column)}"
    for chunk in chunks(set(values)):
        out.extend(queryset.filter(RawSQL(f"{column} = ANY(%s)", (chunk,), output_field=models.BooleanField())))
    return out


def bulk_create(model, objs: list) -> None:
    """bulk_create, with the primary keys set on the objects. The keys are taken from the table's sequence
    first and the rows go in through COPY: several times faster for large imports than Django's INSERT, which
    spells every value out in the statement. Constraints and triggers apply alike."""
    if not objs:
        return
    meta = model._meta
    fields = list(meta.concrete_fields)
    db = connections[connection.alias]  # the connection itself: `connection` is a proxy, slow in a hot loop
    # Fields whose database value is the attribute as it is get it straight; the others (auto_now, encrypted,
    # hashed, JSON, decimal, ...) go through the field, pre_save included, as bulk_create does.
    plain = [type(f) in _PLAIN_FIELD_TYPES and not getattr(f, "auto_now", False)
             and not getattr(f, "auto_now_add", False) for f in fields]
    quote = db.ops.quote_name
    with db.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, meta.pk.column, len(objs)])
        for obj, (pk,) in zip(objs, cursor.fetchall()):
            obj.pk = pk
            obj._state.adding, obj._state.db = False, db.alias
        sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
        columns = list(zip(fields, plain))
        with db.wrap_database_errors, cursor.cursor.copy(sql) as copy:  # IntegrityError as Django's
            for obj in objs:
                values = obj.__dict__
                copy.write_row([values[f.attname] if simple else _db_value(f, obj, db) for f, simple in columns])


def _db_value(field, obj, db):
    """The value bulk_create would write for `field` of a new `obj`."""
    value = field.pre_save(obj, True)  # fills auto_now(_add) fields
    if type(field) is models.DateTimeField and isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value  # an aware datetime goes to PostgreSQL as it is (Django only adapts naive ones)
    return field.get_db_prep_save(value, db)


# Field classes (exactly these, not subclasses) whose pre_save and get_db_prep_save on PostgreSQL return the
# typed attribute value unchanged: skipping the calls is the same row, several times cheaper.
_PLAIN_FIELD_TYPES = {
    models.AutoField, models.BigAutoField, models.CharField, models.TextField, models.IntegerField,
    models.SmallIntegerField, models.BigIntegerField, models.PositiveIntegerField, models.PositiveSmallIntegerField,
    models.BooleanField, models.DateField, models.ForeignKey,
}


@contextmanager
def generic_trigger_plans():
    """Within the block, PostgreSQL plans the queries inside row triggers once instead of for every row.

    The score trigger (zrm_score_immutable) tests `EXISTS (...) OR (TG_OP = 'UPDATE' AND EXISTS (...))`: a
    custom plan folds TG_OP away and so looks cheaper than the generic plan, and the plan cache ends up
    planning the query anew for each inserted score (about 80 microseconds, 3 of 4 seconds for 39,000 scores).
    The generic plan does the same checks. Only for this transaction, and put back after the block; when the
    block fails, the rollback of the import's transaction (or savepoint) puts it back.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('plan_cache_mode')")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
    yield  # no finally: in a failed transaction no statement runs (and the error must stay the one raised)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('plan_cache_mode', %s, true)", [previous])


def insert_rows(model, field_names: list[str], rows: list[tuple]) -> None:
    """Plain INSERTs of many rows whose primary keys nobody needs back (constraints and triggers still apply):
    through COPY, tens of thousands of rows in well under a second."""
    if not rows:
        return
    columns = [model._meta.get_field(name).column for name in field_names]
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
