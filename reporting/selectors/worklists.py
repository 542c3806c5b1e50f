"""Work lists: open cases of a team or a worker, and their overdue work (live, from the zrm and cases
selectors): ZRMs, plan reviews and goals."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cases.models import Case, CaseStatus
from cases.selectors import plan_due_items
from zrm.selectors import schedules_for_cases


@dataclass
class OverdueItem:
    case: Case | None
    case_id: int
    label: str
    due: dt.date
    days: int


@dataclass(frozen=True)
class _CaseDates:
    """What the measurement schedule needs of a case (zrm.selectors.schedules_for_cases), without a model."""

    pk: int
    melding_date: dt.date
    status: str
    closed_on: dt.date | None


def overdue(cases_qs, today: dt.date, shown: int = 25) -> tuple[dict[str, int], list[OverdueItem], int]:
    """Overdue ZRMs (zrm.selectors schedule), plan reviews and goals (cases.selectors.plan_due_items) of the
    given open cases: counts, the `shown` oldest items (with their case and director loaded) and the total.
    Five queries whatever the number of cases."""
    cases = [_CaseDates(*row) for row in cases_qs.values_list("pk", "melding_date", "status", "closed_on")]
    ids = cases_qs.order_by().values("pk")  # the same cases, as a subquery
    schedules = schedules_for_cases(cases, today, case_ids=ids)
    plan_items = plan_due_items(ids if cases else [], today)
    counts = {"zrm": 0, "review": 0, "goals": 0}
    items: list[OverdueItem] = []
    for case in cases:
        for item in schedules.get(case.pk, []):
            if item.is_overdue:
                counts["zrm"] += 1
                items.append(OverdueItem(None, case.pk, f"ZRM: {item.label.lower()}", item.due,
                                         item.days_overdue(today)))
        for item in plan_items.get(case.pk, []):
            if item["kind"] == "review":
                counts["review"] += 1
            else:
                counts["goals"] += int(item["label"].split(" ", 1)[0])
            items.append(OverdueItem(None, case.pk, item["label"], item["due"], (today - item["due"]).days))
    items.sort(key=lambda item: (item.due, item.case_id))
    first = items[:shown]
    loaded = Case.objects.select_related("regisseur__user").in_bulk({item.case_id for item in first})
    for item in first:
        item.case = loaded[item.case_id]
    return counts, first, len(items)


def open_team_cases(team_id: int, worker_id: int | None = None):
    qs = Case.objects.filter(team_id=team_id).exclude(status=CaseStatus.CLOSED)
    if worker_id:
        qs = qs.filter(regisseur_id=worker_id)
    return qs.order_by("melding_date", "pk")


def my_open_cases(user):
    return Case.objects.filter(regisseur__user=user, regisseur__active=True).exclude(
        status=CaseStatus.CLOSED).order_by("melding_date", "pk")
