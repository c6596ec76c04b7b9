"""Celery tasks of the performance app: a few lines each over performance.services."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task
from django.db import transaction

from participants.jobs import job_run
from participants.models import Contract

from . import services

JOB_KIND = "performance.recompute"
CLAIM_RETRY_SECONDS = 60


@shared_task(bind=True, name="performance.tasks.recompute_contract", max_retries=30)
def recompute_contract(self, contract_id: int, months: list[str] | None = None) -> dict:
    """Enqueued by the import (settings.FLIGHTPATH_RECOMPUTE_TASKS) with the months it touched, and nightly
    with months=None. When another run holds the claim it may have read the data before this change
    committed, so try again later rather than drop the change."""
    with job_run(JOB_KIND, contract_id=contract_id, params={"months": months}) as run:
        if run is None:
            raise self.retry(countdown=CLAIM_RETRY_SECONDS)
        result = services.recompute_contract(contract_id=contract_id, months=months, report=run.report)
    return {
        key: str(value) if value is not None and key == "as_of" else value
        for key, value in asdict(result).items()
    }


@shared_task(name="performance.tasks.recompute_all_contracts")
def recompute_all_contracts() -> int:
    """Nightly (django-celery-beat, migration 0002): every contract, every month."""
    ids = list(Contract.objects.values_list("pk", flat=True))
    for contract_id in ids:
        transaction.on_commit(lambda pk=contract_id: recompute_contract.delay(pk))
    return len(ids)
