"""Celery tasks of the reporting app: the daily emails, a few lines each over reporting.services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="reporting.tasks.send_due_soon_digests")
def send_due_soon_digests() -> int:
    """Daily (django-celery-beat; compliance migration 0006, renamed by reporting migration 0001)."""
    return services.send_due_soon_digests(today=timezone.localdate())


@shared_task(name="reporting.tasks.send_review_reminders")
def send_review_reminders() -> int:
    """Daily (django-celery-beat; participants migration 0004, renamed by reporting migration 0001)."""
    return services.send_review_reminders(today=timezone.localdate())
