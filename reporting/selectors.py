"""Reads of the reporting app. Anything leaving a team goes through `suppress`."""
from django.conf import settings

from .models import TeamCaseCount


def suppress(count: int | None) -> str:
    """A count as it may leave the team: below the threshold it is shown as '<5'."""
    threshold = settings.WIJKREGIE["SMALL_CELL_THRESHOLD"]
    if count is None:
        return "–"
    return f"<{threshold}" if count < threshold else str(count)


def open_cases_per_team() -> list[dict]:
    rows = TeamCaseCount.objects.select_related("team").order_by("team__name")
    return [
        {"team": row.team.name, "open_cases": suppress(row.open_cases), "computed_at": row.computed_at}
        for row in rows
    ]
