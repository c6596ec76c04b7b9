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


class KpiCode(models.TextChoices):
    """The computed KPI sources (DOMAIN.md 17.12): a KPI's actual is always one of these, never typed in.
    Held here, beside the import that validates kpi_targets.csv against them (DATA.md)."""

    STARTS = "STARTS", "Starts"
    JOB_STARTS = "JOB_STARTS", "Job starts"
    JOB_OUTCOMES = "JOB_OUTCOMES", "Job outcomes"
    SUSTAINMENTS = "SUSTAINMENTS", "Sustainments"
    EARNINGS_STARTS = "EARNINGS_STARTS", "Earnings starts"
    PSG_PROGRESS = "PSG_PROGRESS", "Peer support group progress"
    AP_REVIEWS_ON_TIME = "AP_REVIEWS_ON_TIME", "Action plan reviews on time"
    COMPLAINTS = "COMPLAINTS", "Complaints"
    ELIGIBILITY_CHECKS = "ELIGIBILITY_CHECKS", "Eligibility checks"
    PLACEMENTS_SOURCED = "PLACEMENTS_SOURCED", "Placements sourced"


class KpiLevel(models.TextChoices):
    """The units KPI targets and ratings are kept for (DOMAIN.md 17.12; DATA.md kpi_targets.csv)."""

    STAFF = "STAFF", "Key worker"
    SITE = "SITE", "Site"
    ORGANISATION = "ORGANISATION", "Organisation"
    CONTRACT = "CONTRACT", "Contract"


class KpiTarget(models.Model):
    """A unit's target for one KPI in one month (DATA.md kpi_targets.csv; DOMAIN.md 17.13). `ref` is the
    staff, site or organisation reference; empty for the CONTRACT level."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="kpi_targets")
    level = models.CharField(max_length=12, choices=KpiLevel.choices)
    ref = models.CharField(max_length=80, blank=True)
    kpi = models.CharField(max_length=24, choices=KpiCode.choices)
    month = models.DateField(help_text="First day of the month.")
    target = models.DecimalField(max_digits=12, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "level", "ref", "kpi", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "level", "ref", "kpi", "month"], name="kpi_target_key"
            ),
            models.CheckConstraint(condition=models.Q(target__gte=0), name="kpi_target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.level} {self.ref} {self.kpi} {self.month:%Y-%m}: {self.target}"
