"""Celery tasks of the audit log: thin wrappers around common.audit_chain and common.audit_checkpoint."""
import logging

from celery import shared_task

from . import audit_chain, audit_checkpoint

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def seal_audit_log() -> int:
    """Seal the audit rows appended since the last run (beat, every few seconds); skips if a sealer is at work."""
    return audit_chain.seal_pending()


@shared_task(ignore_result=True)
def write_audit_checkpoint() -> None:
    """The hourly signed checkpoint outside the database. A refusal (the chain was cut) is logged as an error."""
    try:
        checkpoint = audit_checkpoint.write_checkpoint("hourly")
    except audit_checkpoint.CheckpointRefused as refused:
        logger.error("audit checkpoint refused: %s", refused)
        raise
    logger.info("audit checkpoint written: seq %s", checkpoint.seq)
