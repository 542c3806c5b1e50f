"""Reads of the reporting app: aggregate cells turned into dashboard sections (tables + charts).

Anything leaving the team goes through `suppress` (counts) and the Builder (a mean or share over
fewer persons than the threshold is suppressed too): the gemeente view and every export. The
team leader's own dashboard shows exact figures and links each count to the cases behind it.

Every function runs a fixed number of queries whatever the number of cases.

One module per subdomain (the names are re-exported here): dashboards.py (team, gemeente, teams side
by side), sections.py (the Builder turning cells into sections), cells.py (stored or live cells),
names.py (labels), report_periods.py, formatting.py (suppression, number formats, Cell/Table/Section),
worklists.py (open cases, overdue work), drilldown.py (the cases behind a number), progress.py (the
social worker's own households).
"""
from .cells import CELL_FIELDS, Report, live_report, stored_report
from .dashboards import drill_url_factory, open_cases_per_team, public_sections, team_sections, teams_comparison, wijken
from .drilldown import decorate, drilldown_cases
from .formatting import Cell, Section, Table, fmt_dec, fmt_int, fmt_pct, fmt_signed, round_half_up, suppress, threshold
from .names import (
    ACTION_LABELS,
    AGE_GROUPS,
    CATEGORY_LABELS,
    CLUSTER_LABELS,
    DELIVERER_LABELS,
    DIRECTIONS,
    ESCALATION_LABELS,
    NORM_LABELS,
    SIDES,
    Labels,
    labels,
    team_workers,
    worker_name,
)
from .progress import my_progress, my_progress_section
from .report_periods import MONTHS, PERIOD_LABELS, last_rebuild, period_end, period_label, period_start_for, periods
from .sections import Builder
from .worklists import OverdueItem, my_open_cases, open_team_cases, overdue

__all__ = [
    "ACTION_LABELS", "AGE_GROUPS", "Builder", "CATEGORY_LABELS", "CELL_FIELDS", "CLUSTER_LABELS", "Cell",
    "DELIVERER_LABELS", "DIRECTIONS", "ESCALATION_LABELS", "Labels", "MONTHS", "NORM_LABELS", "OverdueItem",
    "PERIOD_LABELS", "Report", "SIDES", "Section", "Table", "decorate", "drill_url_factory", "drilldown_cases",
    "fmt_dec", "fmt_int", "fmt_pct", "fmt_signed", "labels", "last_rebuild", "live_report", "my_open_cases",
    "my_progress", "my_progress_section", "open_cases_per_team", "open_team_cases", "overdue", "period_end",
    "period_label", "period_start_for", "periods", "public_sections", "round_half_up", "stored_report", "suppress",
    "team_sections", "team_workers", "teams_comparison", "threshold", "wijken", "worker_name",
]
