"""The dashboards: the team leader's (stored cells, or live with filters), the gemeente's per scope, the
teams side by side, and the first figure, open cases per team."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from urllib.parse import urlencode

from django.db import connection
from django.urls import reverse

from cases.models import StaffMembership

from ..models import AggregateCell, ScopeKind, TeamCaseCount
from .cells import CELL_FIELDS, Report, live_report, stored_report
from .formatting import Cell, Section, Table, suppress
from .names import labels
from .sections import Builder


def drill_url_factory(base: dict):
    # The fixed part of the query string is encoded once: a team dashboard has a few hundred links.
    url = reverse("reporting:drilldown")
    prefix = f"{url}?{urlencode(base)}&" if base else f"{url}?"

    def make(indicator: str, keys: tuple) -> str:
        query = {"indicator": indicator}
        for index, key in enumerate(keys, start=1):
            query[f"k{index}"] = key
        return prefix + urlencode(query)

    return make


def team_sections(*, team, period_kind: str, period_start: dt.date, today: dt.date, worker_id=None,
                  household_type: str = "", age_group: str = "", public: bool = False,
                  workers: list[StaffMembership] | None = None) -> tuple[list[Section], bool]:
    """The team dashboard's sections; stored cells unless a worker/household type/age group filter asks for
    a live computation. Returns (sections, has_data). `workers`: team_workers(team.pk), if already read."""
    if worker_id or household_type or age_group:
        report = live_report(team_id=team.pk, period_kind=period_kind, period_start=period_start, today=today,
                             worker_id=worker_id, household_type=household_type, age_group=age_group)
    else:
        report = stored_report(ScopeKind.TEAM, str(team.pk), period_kind, period_start)
    base = {"team": team.pk, "soort": period_kind, "periode": period_start.isoformat()}
    for name, value in (("medewerker", worker_id), ("huishoudtype", household_type), ("leeftijd", age_group)):
        if value:
            base[name] = value
    builder = Builder(report, labels(team.pk, workers), public=public,
                      drill=None if public else drill_url_factory(base))
    return builder.all(with_workers=True), bool(report)


def public_sections(*, scope_kind: str, scope_key: str, period_kind: str, period_start: dt.date
                    ) -> tuple[list[Section], bool]:
    report = stored_report(scope_kind, scope_key, period_kind, period_start)
    builder = Builder(report, labels(), public=True)
    return builder.all(with_workers=False), bool(report)


def teams_comparison(period_kind: str, period_start: dt.date, teams) -> Table:
    """Key figures per team side by side (suppressed): one query for all teams."""
    teams = list(teams)
    cells = defaultdict(dict)
    for row in AggregateCell.objects.filter(
        # the team keys let the unique index (scope_kind, scope_key, period, indicator) serve the query
        scope_kind=ScopeKind.TEAM, scope_key__in=[str(team.pk) for team in teams], period_kind=period_kind,
        period_start=period_start,
        indicator__in=["caseload", "inflow", "first_contact_days", "first_contact_norm", "plan_within_norm",
                       "zrm_nulmeting", "zrm_paired", "reopened"],
    ).values("scope_key", *CELL_FIELDS):
        cells[row["scope_key"]][(row["indicator"], row["key1"])] = row
    builder = Builder(Report([]), None, public=True)

    def on_time(cell):
        if not cell:
            return Cell("–")
        hidden = any(builder.protect([cell["count"], cell["base"] - cell["count"]]))
        return builder.share(cell["value"], cell["base"], hidden=hidden)

    rows = []
    for team in teams:
        c = cells.get(str(team.pk), {})
        caseload = c.get(("caseload", ""))
        inflow = sum(row["count"] for (name, _), row in c.items() if name == "inflow")
        median = c.get(("first_contact_days", "median"))
        norm = c.get(("first_contact_norm", ""))
        plan = c.get(("plan_within_norm", ""))
        nulmeting = c.get(("zrm_nulmeting", ""))
        paired = c.get(("zrm_paired", "paired"))
        reopened = c.get(("reopened", ""))
        rows.append([
            builder.label(team.name),
            builder.count(caseload["count"] if caseload else 0),
            builder.mean(caseload["value"] if caseload else None, caseload["count"] if caseload else 0),
            builder.count(inflow),
            builder.mean(median["value"] if median else None, median["base"] if median else 0, decimals=0),
            on_time(norm), on_time(plan), on_time(nulmeting),
            builder.count(paired["count"] if paired else 0),
            builder.share(reopened["value"] if reopened else None, reopened["base"] if reopened else 0,
                          reopened["count"] if reopened else 0),
        ])
    return Table("Kerncijfers per team", ["Team", "Open casussen", "Per fte", "Meldingen", "Mediaan dagen tot "
                 "eerste contact", "Eerste contact op tijd", "Plan op tijd", "Nulmeting op tijd",
                 "Gepaarde ZRM-personen", "Heropend"], rows)


def wijken() -> list[str]:
    """The wijken that have cells, in order. A loose index scan: one probe of the unique index
    (scope_kind, scope_key, ...) per wijk, instead of reading and sorting every wijk cell (a DISTINCT
    over hundreds of thousands of rows at city scale)."""
    table = connection.ops.quote_name(AggregateCell._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH RECURSIVE wijk (scope_key) AS (
                SELECT MIN(scope_key) FROM {table} WHERE scope_kind = %s
                UNION ALL
                SELECT (SELECT MIN(c.scope_key) FROM {table} c WHERE c.scope_kind = %s AND c.scope_key > wijk.scope_key)
                FROM wijk WHERE wijk.scope_key IS NOT NULL
            )
            SELECT scope_key FROM wijk WHERE scope_key IS NOT NULL ORDER BY scope_key""",
                       [ScopeKind.WIJK.value, ScopeKind.WIJK.value])
        return [row[0] for row in cursor.fetchall()]


def open_cases_per_team() -> list[dict]:
    rows = TeamCaseCount.objects.select_related("team").order_by("team__name")
    return [
        {"team": row.team.name, "open_cases": suppress(row.open_cases), "computed_at": row.computed_at}
        for row in rows
    ]
