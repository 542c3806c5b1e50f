"""Celery tasks: thin wrappers around reporting services.

All acknowledge late (a task lost with its worker is redelivered), retry with exponential
backoff, and have time limits. The services are idempotent, so a redelivery or a retry gives
the same rows; a failed attempt rolled back and is recorded as a failed RebuildRun.
"""
from celery import shared_task

from . import services

RETRY = {"acks_late": True, "autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 600,
         "retry_jitter": True, "max_retries": 5}


@shared_task(**RETRY)
def recount_open_cases(team_ids: list[int] | None = None) -> int:
    return services.recount_open_cases(team_ids)


@shared_task(bind=True, name="reporting.tasks.rebuild_aggregates", soft_time_limit=20 * 60, time_limit=25 * 60,
             **RETRY)
def rebuild_aggregates(self, trigger: str = "nachtelijk") -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): every fact, progress row and aggregate cell, in one transaction."""
    run = services.rebuild_all(trigger=trigger, task_id=self.request.id or "", attempt=self.request.retries + 1)
    return run.cells_written or 0


@shared_task(bind=True, name="reporting.tasks.refresh_after_measurement", soft_time_limit=120, time_limit=180,
             **RETRY)
def refresh_after_measurement(self, measurement_id: int) -> int:
    """After a ZRM measurement was vastgesteld: that person's progress in the case, then the affected cells."""
    run = services.refresh_after_measurement(measurement_id, task_id=self.request.id or "",
                                             attempt=self.request.retries + 1)
    return (run.cells_written or 0) if run else 0


@shared_task(bind=True, name="reporting.tasks.refresh_case", soft_time_limit=120, time_limit=180, **RETRY)
def refresh_case(self, case_id: int, trigger: str = "casus gewijzigd") -> int:
    """After a change to a case (melding, contact, director, plan, intervention, escalation, closing)."""
    run = services.refresh_case(case_id, trigger=trigger, task_id=self.request.id or "",
                                attempt=self.request.retries + 1)
    return run.cells_written or 0
