"""Celery tasks of the standards: a few lines each over compliance.services.snapshots."""

from __future__ import annotations

from celery import shared_task

from participants.jobs import RETRY_WHEN_CLAIMED, enqueue_for_every_contract

from .services import snapshots as services


@shared_task(name=services.RECOMPUTE_TASK, **RETRY_WHEN_CLAIMED)
def recompute_contract(contract_id: int, months: list[str] | None = None) -> dict:
    """Enqueued by the import (settings.FLIGHTPATH_RECOMPUTE_TASKS), by a change of the contract's standards
    and by the nightly run."""
    return services.recompute_contract_snapshots(contract_id=contract_id, months=months)


@shared_task(name="compliance.tasks.recompute_all_contracts")
def recompute_all_contracts() -> int:
    """Nightly (django-celery-beat, migration 0003): every contract, all month ends and the latest day."""
    return enqueue_for_every_contract(recompute_contract.name)
