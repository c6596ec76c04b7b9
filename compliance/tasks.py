"""Celery tasks of the standards: a few lines each over compliance.services.snapshots."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from participants.models import Contract

from .services import snapshots as services

CLAIM_RETRY_SECONDS = 60


@shared_task(bind=True, name="compliance.tasks.recompute_contract", max_retries=30)
def recompute_contract(self, contract_id: int, months: list[str] | None = None) -> dict | None:
    """Enqueued by the import (settings.FLIGHTPATH_RECOMPUTE_TASKS) and by the nightly run. When another run
    holds the claim it may have loaded the data before this change committed, so try again later."""
    counts = services.recompute_contract_snapshots(contract_id=contract_id, months=months)
    if counts is None:
        raise self.retry(countdown=CLAIM_RETRY_SECONDS)
    return counts


@shared_task(name="compliance.tasks.recompute_all_contracts")
def recompute_all_contracts() -> int:
    """Nightly (django-celery-beat, migration 0003): every contract, all month ends and the latest day."""
    ids = list(Contract.objects.values_list("pk", flat=True))
    for contract_id in ids:
        transaction.on_commit(lambda pk=contract_id: recompute_contract.delay(pk))
    return len(ids)
