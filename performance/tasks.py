"""Celery tasks of the performance app: a few lines each over performance.services."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from participants.jobs import RETRY_WHEN_CLAIMED, enqueue_for_every_contract

from . import services


@shared_task(name="performance.tasks.recompute_contract", **RETRY_WHEN_CLAIMED)
def recompute_contract(contract_id: int, months: list[str] | None = None) -> dict:
    """Enqueued by the import (settings.FLIGHTPATH_RECOMPUTE_TASKS) with the months it touched, and nightly
    with months=None. Returns the counts as JSON."""
    result = services.recompute_contract(contract_id=contract_id, months=months)
    return {**asdict(result), "as_of": result.as_of and result.as_of.isoformat()}


@shared_task(name="performance.tasks.recompute_all_contracts")
def recompute_all_contracts() -> int:
    """Nightly (django-celery-beat, migration 0002): every contract, every month."""
    return enqueue_for_every_contract(recompute_contract.name)
