"""Celery tasks of the zrm app: thin wrappers around services."""
from celery import shared_task

from . import services


@shared_task(name="zrm.tasks.send_due_digest")
def send_due_digest() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): each director's e-mail of due and overdue ZRM measurements."""
    return services.send_due_digests()
