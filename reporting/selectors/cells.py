"""The aggregate cells of one scope and period: stored by the rebuild, or computed now with the dashboard's
extra filters."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection, transaction

from .. import indicators
from ..indicators import Ctx
from ..models import AggregateCell
from ..services import tune_transaction
from .report_periods import period_end


class Report:
    """The cells of one scope and period, looked up by indicator and keys."""

    def __init__(self, rows: list[dict]):
        self.by: dict[str, dict[tuple, dict]] = defaultdict(dict)
        for row in rows:
            self.by[row["indicator"]][(row["key1"], row["key2"], row["key3"])] = row

    def get(self, indicator: str, k1: str = "", k2: str = "", k3: str = "") -> dict | None:
        return self.by.get(indicator, {}).get((k1, k2, k3))

    def count(self, indicator: str, *keys: str) -> int | None:
        cell = self.get(indicator, *keys)
        return cell["count"] if cell else None

    def items(self, indicator: str) -> dict[tuple, dict]:
        return self.by.get(indicator, {})

    def __bool__(self):
        return bool(self.by)


CELL_FIELDS = ("indicator", "key1", "key2", "key3", "count", "value", "base")


def stored_report(scope_kind: str, scope_key: str, period_kind: str, period_start: dt.date) -> Report:
    return Report(list(AggregateCell.objects.filter(
        scope_kind=scope_kind, scope_key=scope_key, period_kind=period_kind, period_start=period_start,
    ).values(*CELL_FIELDS)))


def live_report(*, team_id: int, period_kind: str, period_start: dt.date, today: dt.date, worker_id=None,
                household_type=None, age_group=None) -> Report:
    """The same indicators computed now from the facts, with the dashboard's extra filters (one
    query per indicator, whatever the number of cases)."""

    def ctx() -> Ctx:
        return Ctx(today=today, scopes=("team",), period=(period_kind, period_start),
                   date_range=(period_start, period_end(period_kind, period_start)), team_ids=[team_id],
                   worker_id=worker_id, household_type=household_type or None, age_group=age_group or None)

    rows = []
    with transaction.atomic(), connection.cursor() as cursor:
        tune_transaction(cursor)
        for select, params in indicators.statements(ctx):
            cursor.execute(select, params)
            for row in cursor.fetchall():
                rows.append(dict(zip(CELL_FIELDS, row[4:])))
    for row in rows:
        row["count"] = None if row["count"] is None else int(row["count"])
        row["base"] = None if row["base"] is None else int(row["base"])
        row["value"] = None if row["value"] is None else float(row["value"])
    return Report(rows)
