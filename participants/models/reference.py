"""Reference data both engines read: validation rounds, MPL profiles, DWP-notified targets (DOMAIN.md 5-8)."""

from django.db import models
from simple_history.models import HistoricalRecords

from .contracts import Contract


class ValidationRound(models.Model):
    """DWP's post-payment validation of a period's outcomes (DATA.md validation_rounds.csv; DOMAIN.md 8, 13).
    Held here, beside the import, because compliance lists and edits them and performance uses them."""

    class Status(models.TextChoices):
        PROVISIONAL = "PROVISIONAL", "Provisional"
        FINAL = "FINAL", "Final"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="validation_rounds")
    round = models.PositiveIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    invalid_pct = models.DecimalField(max_digits=6, decimal_places=2)
    status = models.CharField(max_length=12, choices=Status.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "round"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "round"], name="validation_round_unique"),
            models.CheckConstraint(
                condition=models.Q(invalid_pct__gte=0, invalid_pct__lte=100),
                name="validation_round_pct_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.ref} round {self.round} ({self.status})"


class MplProfile(models.Model):
    """A point of a group's MPL profile: cumulative % of a cohort with a job outcome by month k on
    programme (DATA.md mpl_profiles.csv; DOMAIN.md 7, 15.9)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="mpl_profiles")
    group = models.CharField(max_length=20)
    month = models.PositiveSmallIntegerField()
    cumulative_pct = models.DecimalField(max_digits=6, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "group", "month"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "group", "month"], name="mpl_profile_unique"),
            models.CheckConstraint(condition=models.Q(month__gte=1), name="mpl_profile_month_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.ref} {self.group} month {self.month}: {self.cumulative_pct}%"


class MplTarget(models.Model):
    """A DWP-notified required-outcomes figure that overrides the derived MPL for an exact group and
    period (DATA.md mpl_targets.csv; DOMAIN.md 7, 15.10)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="mpl_targets")
    group = models.CharField(max_length=20)
    period_start = models.DateField()
    period_end = models.DateField()
    required_outcomes = models.DecimalField(max_digits=12, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "period_start", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "group", "period_start", "period_end"], name="mpl_target_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.ref} {self.group} {self.period_start}..{self.period_end}"
