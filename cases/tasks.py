"""Celery tasks of the cases app: thin wrappers around services."""
from celery import shared_task

from . import retention


@shared_task(name="cases.tasks.apply_retention")
def apply_retention() -> dict:
    """Nightly (CELERY_BEAT_SCHEDULE): anonymise households whose last case closed WIJKREGIE_RETENTION_YEARS
    ago. Idempotent: a redelivered or repeated run finds nothing left to do. Returns counts only."""
    report = retention.apply_retention()
    return {"households": report.households, "persons": report.persons, "cases": report.cases,
            "cutoff": report.cutoff.isoformat()}
