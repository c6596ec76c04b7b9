"""Celery tasks of the regimes app: a few lines each over its services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .services import releases

REFRESH_TASK = "regimes.tasks.refresh_review_obligations"


@shared_task(name=REFRESH_TASK)
def refresh_review_obligations() -> int:
    """Daily (django-celery-beat, migration 0003): the CPR and monthly plan update obligations of every
    live contract's recent dashboard releases."""
    return releases.refresh_all(today=timezone.localdate())
