"""Snapshots of the performance engine's results (DOMAIN.md 6-8, 10); the recommendations drawn from them are
the regimes app's (regimes.models.Recommendation).

Snapshots hold unrounded figures; the API rounds at output (DOMAIN.md 15.16). They are written only by
performance.services.recompute_contract, replaced by key in one transaction.
"""

from django.db import models

from participants.models import Contract


class Period(models.TextChoices):
    """DOMAIN.md 6 and 15.7."""

    IN_MONTH = "in_month", "In month"
    ROLLING_3 = "rolling_3", "Rolling 3 months"
    ROLLING_12 = "rolling_12", "Rolling 12 months"
    QUARTER = "quarter", "Contract-year quarter to date"
    YTD = "ytd", "Contract year to date"
    CTD = "ctd", "Contract to date"


class PerformanceSnapshot(models.Model):
    """Flows and performance against MPL for one contract, group (or ALL), month M and period ending M."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="performance_snapshots")
    group = models.CharField(max_length=20)
    month = models.DateField(help_text="First day of the month M the period ends with.")
    period = models.CharField(max_length=10, choices=Period.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    referrals = models.PositiveIntegerField()
    starts = models.PositiveIntegerField()
    did_not_start = models.PositiveIntegerField()
    failed_to_attend = models.PositiveIntegerField()
    job_starts = models.PositiveIntegerField()
    earnings_starts = models.PositiveIntegerField()
    job_outcomes = models.PositiveIntegerField()
    sustainments = models.PositiveIntegerField()
    exits = models.PositiveIntegerField()
    mpl_required = models.FloatField()
    variance = models.FloatField()
    pct_of_mpl = models.FloatField(null=True, blank=True, help_text="Null when mpl_required is 0.")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["contract", "month", "period", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "group", "month", "period"], name="performance_snapshot_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.group} {self.month:%Y-%m} {self.period}"


class CohortSnapshot(models.Model):
    """One cohort month of a group (or ALL) as at `as_of`: size, conversion and profile by month."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="cohort_snapshots")
    group = models.CharField(max_length=20)
    cohort = models.DateField(help_text="First day of the cohort month.")
    as_of = models.DateField()
    size = models.PositiveIntegerField()
    conversion_pct = models.JSONField(help_text="Index 0 is month 1 on programme; unrounded percentages.")
    profile_pct = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["contract", "group", "cohort"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "group", "cohort"], name="cohort_snapshot_key")
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.group} {self.cohort:%Y-%m}"


class AssessmentSnapshot(models.Model):
    """A WP formal quarterly review of a measured group at a quarter end (DOMAIN.md 8, 15.14)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="assessment_snapshots")
    group = models.CharField(max_length=20)
    quarter_end = models.DateField(help_text="First day of the quarter's last month.")
    final = models.BooleanField(default=False)
    window_start = models.DateField()
    validated_months = models.PositiveSmallIntegerField()
    validated_outcomes = models.IntegerField()
    extrapolation_base = models.IntegerField(
        null=True,
        blank=True,
        help_text="Gross job outcomes of the months after the validated ones, which the invalid rate is "
        "applied to; null in snapshots written before it was stored (the page then counts them).",
    )
    extrapolated_outcomes = models.FloatField()
    adjusted_outcomes = models.FloatField()
    invalid_pct_used = models.FloatField()
    mpl_required = models.FloatField()
    met = models.BooleanField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["contract", "quarter_end", "group", "final"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "group", "quarter_end", "final"], name="assessment_snapshot_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.group} {self.quarter_end:%Y-%m}{' final' if self.final else ''}"


class ProjectionSnapshot(models.Model):
    """The early-warning projection (DOMAIN.md 10) of a measured group's rolling-twelve job outcomes at one
    of the next quarter ends, as at a month end or the contract's latest data date: outcomes already in plus
    those expected of open cohorts, with a 90% range. Unrounded; percentages null when nothing is required."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="projection_snapshots")
    group = models.CharField(max_length=20)
    quarter_end = models.DateField(help_text="First day of the quarter's last month.")
    as_of = models.DateField()
    actual = models.FloatField()
    expected = models.FloatField()
    projected = models.FloatField()
    low = models.FloatField()
    high = models.FloatField()
    mpl_required = models.FloatField()
    projected_pct = models.FloatField(null=True, blank=True)
    low_pct = models.FloatField(null=True, blank=True)
    high_pct = models.FloatField(null=True, blank=True)
    below_mpl = models.BooleanField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["contract", "as_of", "quarter_end", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "as_of", "group", "quarter_end"], name="projection_snapshot_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.group} {self.quarter_end:%Y-%m} as at {self.as_of}"
