"""Report periods (months, quarters, years) and their labels, and the last successful rebuild."""
from __future__ import annotations

import datetime as dt

from ..models import PeriodKind, RebuildRun, RebuildStatus, ReportPeriod

PERIOD_LABELS = {PeriodKind.MONTH: "Maand", PeriodKind.QUARTER: "Kwartaal", PeriodKind.YEAR: "Jaar"}
MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december"]


def period_label(kind: str, start: dt.date) -> str:
    if kind == PeriodKind.MONTH:
        return f"{MONTHS[start.month - 1]} {start.year}"
    if kind == PeriodKind.QUARTER:
        return f"{(start.month - 1) // 3 + 1}e kwartaal {start.year}"
    return str(start.year)


def period_start_for(kind: str, day: dt.date) -> dt.date:
    from ..services import _period_start

    return _period_start(kind, day)


def period_end(kind: str, start: dt.date) -> dt.date:
    from ..services import STEP

    return start + STEP[kind]


def periods(kind: str, today: dt.date) -> list[tuple[dt.date, str]]:
    """(start, label) of the periods of this kind computed so far, newest first."""
    return [(start, period_label(kind, start)) for start in
            ReportPeriod.objects.filter(kind=kind, start_date__lte=today).order_by("-start_date")
            .values_list("start_date", flat=True)]


def last_rebuild() -> RebuildRun | None:
    return RebuildRun.objects.filter(status=RebuildStatus.SUCCESS).order_by("-finished_at").first()
