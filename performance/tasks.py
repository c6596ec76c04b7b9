"""Celery tasks of the performance app: a few lines each over performance.services."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from participants.jobs import RETRY_WHEN_CLAIMED, enqueue_for_every_contract

from . import services
from .kpis import services as kpi_services


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


@shared_task(name="performance.tasks.recompute_kpis", **RETRY_WHEN_CLAIMED)
def recompute_kpis(contract_id: int, months: list[str] | None = None) -> int:
    """After each import (settings.FLIGHTPATH_RECOMPUTE_TASKS) and at quarter end: the KPI ratings."""
    return kpi_services.recompute_ratings(contract_id=contract_id, months=months)


@shared_task(name="performance.tasks.rate_all_contracts")
def rate_all_contracts() -> int:
    """The first of each month (migration 0005): every contract's KPI ratings, so a quarter just ended is
    rated even without an import."""
    return enqueue_for_every_contract(recompute_kpis.name)


@shared_task(name="performance.tasks.send_scores_on_the_doors")
def send_scores_on_the_doors() -> int:
    """Each working morning (migration 0005): every site's league table to its staff, through the outbox."""
    return kpi_services.send_scores_on_the_doors()
