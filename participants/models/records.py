"""The records behind the workspace KPIs (DOMAIN.md 11, 17.12): complaints, eligibility checks and placements
sourced, each kept against a referral by the member of staff who recorded it. They are credited to the
referral's assignment on their date, as journey events are."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .journey import Referral


class _Record(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    on = models.DateField("date")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-on", "-id"]


class Complaint(_Record):
    """A complaint about the service a participant received (a maximum KPI: COMPLAINTS, DOMAIN.md 17.13)."""

    summary = models.CharField(max_length=300)
    resolved_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Complaint {self.on}: {self.summary}"


class EligibilityCheck(_Record):
    """An engagement officer's eligibility check of a referral (ELIGIBILITY_CHECKS)."""

    class Result(models.TextChoices):
        ELIGIBLE = "ELIGIBLE", "Eligible"
        NOT_ELIGIBLE = "NOT_ELIGIBLE", "Not eligible"

    result = models.CharField(max_length=12, choices=Result.choices)
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Eligibility check {self.on}: {self.result}"


class PlacementSourced(_Record):
    """A job or placement an employer account manager sourced for a participant (PLACEMENTS_SOURCED)."""

    employer = models.CharField(max_length=200)
    role_title = models.CharField("role", max_length=200)
    history = HistoricalRecords()

    class Meta(_Record.Meta):
        verbose_name_plural = "placements sourced"

    def __str__(self) -> str:
        return f"{self.role_title} at {self.employer}"
