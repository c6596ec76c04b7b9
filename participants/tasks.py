"""Celery tasks of the participants app: a few lines each over its services."""

from __future__ import annotations

from celery import shared_task

from .imports import uploads
from .jobs import RETRY_WHEN_CLAIMED


@shared_task(name=uploads.IMPORT_TASK, **RETRY_WHEN_CLAIMED)
def import_upload(import_run_id: int) -> str:
    """Enqueued when an upload (page or API) commits its queued ImportRun; retried while another import
    holds the claim."""
    return uploads.run_upload(import_run_id=import_run_id)
