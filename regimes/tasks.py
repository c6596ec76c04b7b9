"""Celery tasks of the regimes app: a few lines each over regimes.services."""

from __future__ import annotations

from celery import shared_task

from participants.models import Contract

from .services import digest, recommendations


@shared_task(name="regimes.tasks.refresh_recommendations")
def refresh_recommendations(contract_id: int) -> dict:
    """After each performance recompute (settings.FLIGHTPATH_AFTER_RECOMPUTE_TASKS)."""
    contract = Contract.objects.select_related("programme").get(pk=contract_id)
    return recommendations.refresh(contract=contract)


@shared_task(name="regimes.tasks.send_whats_due_emails")
def send_whats_due_emails() -> int:
    """Daily at 07:00 Europe/London (migration 0004): each owner's open obligations, through the outbox."""
    return digest.send_whats_due_emails()
