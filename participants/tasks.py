"""Celery tasks of the participants app: a few lines each over participants.jobs and participants.mail."""

from __future__ import annotations

from celery import shared_task

from . import jobs, mail


@shared_task(name=jobs.RELAY_TASK)
def relay_recompute_requests() -> int:
    """Every minute (django-celery-beat, migration 0008): the recompute requests the broker did not take
    when their change committed."""
    return jobs.relay_recompute_requests()


@shared_task(name=mail.SEND_TASK)
def send_outbox() -> int:
    """After each commit that queued an email, and every minute (migration 0008) for anything left."""
    return mail.send_pending()
