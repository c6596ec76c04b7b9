"""Celery tasks of the regimes app: a few lines each over its services."""

from __future__ import annotations

from celery import shared_task

from .services import notices

QUEUE_NOTICES_TASK = "regimes.tasks.queue_due_notices"


@shared_task(name=QUEUE_NOTICES_TASK)
def queue_due_notices() -> int:
    """Daily (django-celery-beat, migration 0003): queue the NORMAL issue notices still DRAFT."""
    return notices.queue_due_notices()
