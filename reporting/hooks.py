"""Calls the registration's services make, inside their transaction, so the reporting tables follow.

Each schedules a Celery task for after the commit (nothing is sent for a rolled-back write). A
broker or task failure never breaks the user's write (robust on_commit: logged); the nightly
rebuild repairs whatever an incremental update missed.
"""
from django.db import transaction


def measurement_finalised(measurement_id: int) -> None:
    """A ZRM measurement was vastgesteld (or a correction was): recompute that person's progress."""
    from .tasks import refresh_after_measurement

    transaction.on_commit(lambda: refresh_after_measurement.delay(measurement_id), robust=True)


def case_changed(case_id: int, trigger: str = "casus gewijzigd") -> None:
    """A case's figures may have changed: recompute its facts and the affected cells."""
    from .tasks import refresh_case

    transaction.on_commit(lambda: refresh_case.delay(case_id, trigger), robust=True)
