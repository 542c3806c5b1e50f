"""Writes of the reporting app: recomputing stored aggregates."""
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from cases.models import CaseStatus, Team

from .models import TeamCaseCount


def recount_open_cases(team_ids: list[int] | None = None) -> int:
    """Recount open cases for the given teams (all teams when None), in one query. Idempotent."""
    teams = Team.objects.all() if team_ids is None else Team.objects.filter(pk__in=team_ids)
    counts = teams.annotate(n=Count("cases", filter=~Q(cases__status=CaseStatus.CLOSED))).values_list("pk", "n")
    now = timezone.now()
    with transaction.atomic():
        for team_id, n in counts:
            TeamCaseCount.objects.update_or_create(team_id=team_id, defaults={"open_cases": n, "computed_at": now})
    return len(counts)
