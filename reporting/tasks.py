"""Celery tasks: thin wrappers around reporting services."""
from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def recount_open_cases(team_ids: list[int] | None = None) -> int:
    return services.recount_open_cases(team_ids)
