"""The measurement schedule of a case (DOMAIN.md §1), as pure functions of dates.

- nulmeting: due ZRM_NULMETING_DAYS (42 = 6 weeks) after the melding;
- tussenmetingen: ZRM_TUSSENMETING_MONTHS (6, 12, 18) calendar months after the case's first
  vastgestelde nulmeting, with dateutil's relativedelta, so 31 August + 6 months = 28 (or 29)
  February;
- afsluiting: due on the closing date when ZRM_AFSLUITING_REQUIRED is set.

A tussenmeting counts for the slot whose due date is nearest to it (ties go to the earlier
slot). A slot left empty while a later one is done is *overgeslagen*, not overdue; on a closed
case, open slots lapse (*vervallen*). Overdue = due date before today and not done.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings

DONE = "gedaan"
OVERDUE = "te_laat"
OPEN = "gepland"
SKIPPED = "overgeslagen"
LAPSED = "vervallen"

STATUS_LABELS = {
    DONE: "Gedaan",
    OVERDUE: "Te laat",
    OPEN: "Gepland",
    SKIPPED: "Overgeslagen",
    LAPSED: "Vervallen",
}


@dataclass(frozen=True)
class DueItem:
    kind: str  # a MeasurementType value
    label: str
    due: dt.date
    done_on: dt.date | None
    status: str

    @property
    def is_open(self) -> bool:
        return self.status in (OPEN, OVERDUE)

    @property
    def is_overdue(self) -> bool:
        return self.status == OVERDUE

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def days_overdue(self, today: dt.date) -> int:
        return max(0, (today - self.due).days)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months; the day is clipped to the month's end (31 Aug + 6 months = 28/29 Feb). The same
    dates as dateutil's relativedelta(months=...), several times faster (a team's overdue list adds months
    to every open case's nulmeting)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def nulmeting_due(melding_date: dt.date) -> dt.date:
    return melding_date + dt.timedelta(days=settings.WIJKREGIE["NULMETING_DAYS"])


def _status(due: dt.date, done_on: dt.date | None, today: dt.date, *, closed: bool) -> str:
    if done_on is not None:
        return DONE
    if closed:
        return LAPSED
    return OVERDUE if due < today else OPEN


def case_schedule(
    *,
    melding_date: dt.date,
    closed_on: dt.date | None,
    nulmeting_dates: list[dt.date],
    tussenmeting_dates: list[dt.date],
    afsluiting_dates: list[dt.date],
    today: dt.date,
) -> list[DueItem]:
    """Every scheduled measurement of one case with its status, in due-date order.

    The dates are those of the case's vastgestelde measurements that are not superseded.
    """
    closed = closed_on is not None
    items: list[DueItem] = []
    first_nulmeting = min(nulmeting_dates) if nulmeting_dates else None
    items.append(DueItem(
        "nulmeting", "Nulmeting", nulmeting_due(melding_date), first_nulmeting,
        _status(nulmeting_due(melding_date), first_nulmeting, today, closed=closed),
    ))

    if first_nulmeting is not None:
        months = settings.WIJKREGIE["ZRM_TUSSENMETING_MONTHS"]
        slots = [add_months(first_nulmeting, m) for m in months]
        done: dict[int, dt.date] = {}
        for day in sorted(d for d in tussenmeting_dates if d >= first_nulmeting):
            nearest = min(range(len(slots)), key=lambda k: (abs((day - slots[k]).days), k))
            done.setdefault(nearest, day)
        last_done = max(done) if done else -1
        for k, (m, due) in enumerate(zip(months, slots)):
            done_on = done.get(k)
            if done_on is None and k < last_done:
                status = SKIPPED
            elif done_on is None and closed and due > closed_on:
                continue  # the case closed before this follow-up was due
            else:
                status = _status(due, done_on, today, closed=closed)
            items.append(DueItem("tussenmeting", f"Tussenmeting ({m} maanden)", due, done_on, status))

    if closed:
        done_on = min(afsluiting_dates) if afsluiting_dates else None
        if settings.WIJKREGIE["ZRM_AFSLUITING_REQUIRED"] or done_on is not None:
            status = DONE if done_on else (OVERDUE if closed_on < today else OPEN)
            items.append(DueItem("afsluiting", "Afsluitende meting", closed_on, done_on, status))
    return sorted(items, key=lambda item: item.due)


def next_open(items: list[DueItem]) -> DueItem | None:
    """The earliest scheduled measurement still to do (overdue or planned)."""
    open_items = [item for item in items if item.is_open]
    return min(open_items, key=lambda item: item.due) if open_items else None
