"""Obligations (DOMAIN.md 17.7): every deadline a decision or a rule creates, one row each."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from participants.models import Contract


class Obligation(models.Model):
    """One thing owed by a date: a kind, a due date, an owner and a status. OVERDUE is not stored: it is an
    OPEN obligation past its due date (`is_overdue`, `ObligationQuerySet`-style filters in selectors)."""

    class Kind(models.TextChoices):
        ACTION_PLAN_DUE = "ACTION_PLAN_DUE", "Provider action plan due"
        EPR_REVIEW = "EPR_REVIEW", "EPR review"
        EPR_END = "EPR_END", "EPR ends"
        PIN_REMEDY_END = "PIN_REMEDY_END", "PIN remedy period ends"
        PICAN_PLAN_DUE = "PICAN_PLAN_DUE", "PICAN improvement plan due"
        MONTHLY_ACTION_PLAN_UPDATE = "MONTHLY_ACTION_PLAN_UPDATE", "Monthly action plan update"
        CPR_DUE = "CPR_DUE", "Contract performance review due"
        NOTICE_DUE = "NOTICE_DUE", "Issue notice due"

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        DONE = "DONE", "Done"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="obligations")
    key = models.CharField(
        max_length=120,
        help_text="What created it, stable across re-runs ('pin:7:action_plan'): one obligation per key.",
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    due_date = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="obligations"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(max_length=120, help_text="What created it, for people: 'PIN 7', 'EPR 3'.")
    done_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["contract", "key"], name="obligation_key")]
        indexes = [
            models.Index(fields=["contract", "status", "due_date"], name="obligation_due"),
            models.Index(fields=["owner", "status", "due_date"], name="obligation_owner_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.due_date} ({self.source})"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date < timezone.localdate()

    @property
    def display_status(self) -> str:
        """OPEN, DONE or OVERDUE, as the API and pages show it (DOMAIN.md 17.7)."""
        return "OVERDUE" if self.is_overdue else self.status


class CalendarFeed(models.Model):
    """A user's private iCalendar feed of their obligations: the secret token in its URL is the only key (no
    login: calendar apps cannot sign in), so it is long, random and rotatable."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
