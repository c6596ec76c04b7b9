"""Celery tasks of the key workers' workspace: a few lines each, calling a service."""

from celery import shared_task
from django.utils import timezone

from .workspace import services as services_workspace


@shared_task(name="participants.tasks_workspace.send_review_reminders")
def send_review_reminders() -> int:
    """Daily (django-celery-beat, migration 0004): overdue action-plan reviews and open FTA follow-ups."""
    return services_workspace.send_review_reminders(today=timezone.localdate())
