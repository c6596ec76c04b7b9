"""Celery tasks of the participants app: a few lines each over its services, jobs and the outbox."""

from __future__ import annotations

from celery import shared_task

from . import jobs, mail
from .imports import uploads
from .jobs import RETRY_WHEN_CLAIMED


@shared_task(name=jobs.RELAY_TASK)
def relay_recompute_requests() -> int:
    """Every minute (django-celery-beat, migration 0008): the recompute requests the broker did not take
    when their change committed."""
    return jobs.relay_recompute_requests()


@shared_task(name=mail.SEND_TASK)
def send_outbox() -> int:
    """After each commit that queued an email, and every minute (migration 0008) for anything left."""
    return mail.send_pending()


@shared_task(name=uploads.IMPORT_TASK, **RETRY_WHEN_CLAIMED)
def import_upload(import_run_id: int) -> str:
    """Enqueued when an upload (page or API) commits its queued ImportRun; retried while another import
    holds the claim."""
    return uploads.run_upload(import_run_id=import_run_id)
