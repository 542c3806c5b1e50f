"""Celery tasks of the MKBA: thin wrappers around reporting.mkba.services."""
from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def refresh_scope(team_id: int | None, year: int) -> int:
    """Fill the input document of a team (None: all teams) and year from the registration and recompute
    its scenarios (creating the base scenario). Returns the number of scenarios computed."""
    return len(services.refresh_scope(team_id, year))


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def recompute_all(years: list[int] | None = None) -> int:
    """Nightly (CELERY_BEAT_SCHEDULE "mkba-recompute-nightly"): this and last year, every team and all teams."""
    return services.recompute_all(years=years)
