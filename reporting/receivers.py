"""Reporting follows the writes below it: receivers of cases.signals.case_changed and
zrm.signals.measurement_finalised, connected in ReportingConfig.ready (and cases.signals.retention_applied,
for the research requests' stated purposes).

Each schedules a Celery task for after the commit of the sender's transaction (nothing is sent for a
rolled-back write). A broker or task failure never breaks the user's write (robust on_commit: logged);
the refresh is idempotent (it reads the current registration, never the event) and the nightly
rebuild repairs whatever an incremental update missed.
"""
from django.db import transaction

from . import research_requests, tasks


def on_measurement_finalised(sender, measurement_id: int, **kwargs) -> None:
    """A ZRM measurement was vastgesteld (or a correction was): recompute that person's progress."""
    transaction.on_commit(lambda: tasks.refresh_after_measurement.delay(measurement_id), robust=True)


def on_case_changed(sender, case_id: int, trigger: str = "casus gewijzigd", **kwargs) -> None:
    """A case's figures may have changed: recompute its facts and the affected cells."""
    transaction.on_commit(lambda: tasks.refresh_case.delay(case_id, trigger), robust=True)


def on_retention_applied(sender, cutoff, **kwargs) -> None:
    """The retention job ran: clear the purposes research clients stated on or before its cut-off."""
    research_requests.apply_retention(cutoff)
