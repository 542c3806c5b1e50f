"""The cases behind one number of the team dashboard."""
from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch

from cases.models import Case, HouseholdMembership
from cases.selectors import decorate_for_list

from .. import indicators
from ..indicators import Ctx


def drilldown_cases(*, team_id: int, indicator: str, keys: list[str], period_kind: str, period_start: dt.date,
                    today: dt.date, worker_id=None, household_type: str = "", age_group: str = ""):
    """The team's cases behind one number of the dashboard (same SQL as the number), or None when the
    indicator has no drill-down. A queryset ready for cases.selectors.decorate_for_list."""
    from django.db.models.expressions import RawSQL

    ctx = Ctx(today=today, scopes=("team",), period=(period_kind, period_start), team_ids=[team_id],
              worker_id=worker_id, household_type=household_type or None, age_group=age_group or None)
    select = indicators.drill_sql(ctx, indicator, keys)
    if select is None:
        return None
    return (
        Case.objects.filter(team_id=team_id, pk__in=RawSQL(*indicators.positional(select, ctx.params)))
        .select_related("household", "team", "regisseur__user", "melding_source")
        .prefetch_related(Prefetch(
            "household__memberships",
            queryset=HouseholdMembership.objects.filter(valid_to__isnull=True).select_related("person"),
            to_attr="current_memberships"))
        .order_by("melding_date", "pk")
    )


def decorate(cases, today: dt.date):
    return decorate_for_list(cases, today)
