"""Celery tasks of the regimes app: a few lines each over its services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from participants.models import Contract

from .services import digest, notices, recommendations, releases

REFRESH_TASK = "regimes.tasks.refresh_review_obligations"
QUEUE_NOTICES_TASK = "regimes.tasks.queue_due_notices"


@shared_task(name=REFRESH_TASK)
def refresh_review_obligations() -> int:
    """Daily (django-celery-beat, migration 0003_daily_review_obligations): the CPR and monthly plan
    update obligations of every live contract's recent dashboard releases."""
    return releases.refresh_all(today=timezone.localdate())


@shared_task(name=QUEUE_NOTICES_TASK)
def queue_due_notices() -> int:
    """Daily (django-celery-beat, migration 0003_daily_notice_schedule): queue the NORMAL issue notices
    still DRAFT."""
    return notices.queue_due_notices()


@shared_task(name="regimes.tasks.refresh_recommendations")
def refresh_recommendations(contract_id: int) -> dict:
    """After each performance recompute (settings.FLIGHTPATH_AFTER_RECOMPUTE_TASKS)."""
    contract = Contract.objects.select_related("programme").get(pk=contract_id)
    return recommendations.refresh(contract=contract)


@shared_task(name="regimes.tasks.send_whats_due_emails")
def send_whats_due_emails() -> int:
    """Daily at 07:00 Europe/London (migration 0004): each owner's open obligations, through the outbox."""
    return digest.send_whats_due_emails()
