"""Customer service standards, their snapshots and failing items (DOMAIN.md 9, 15.1-15.6)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from participants.models import Contract, EventCode, JobRun, Programme, Referral, Site, Staff

from .engine import MEASURES, StandardRule
from .querysets import StandardQuerySet


class Measure(models.TextChoices):
    DEADLINE = "deadline", "Deadline (share of items done within the limit)"
    BACKLOG_SHARE = "backlog_share", "Backlog share (unresolved over the limit, % of referrals)"
    BACKLOG_MAX = "backlog_max", "Backlog maximum (count of unresolved over the limit)"


class Standard(models.Model):
    """A standard: start event, end-event set, limit in working days, target and measure (DOMAIN.md 9).
    Either a programme's shipped standard or a contract's own (tender) standard."""

    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200, blank=True)
    programme = models.ForeignKey(
        Programme,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="standards",
        help_text="Set for a programme's standard; leave empty for a contract's own standard.",
    )
    contract = models.ForeignKey(
        Contract,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="standards",
        help_text=(
            "Set for a contract's own (tender) standard; it replaces a programme standard of the same code."
        ),
    )
    measure = models.CharField(max_length=16, choices=Measure.choices)
    start_event = models.CharField(max_length=24, choices=EventCode.choices)
    end_events = models.JSONField(
        help_text='Event codes that end an item, e.g. ["STARTED", "DID_NOT_START"].'
    )
    started_only = models.BooleanField(
        default=False,
        help_text="Only referrals whose resolution as at the date is STARTED (CSS5, DOMAIN.md 15.4).",
    )
    limit_working_days = models.PositiveSmallIntegerField()
    target = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        help_text="Deadline: minimum % met. Backlog share: maximum %. Backlog maximum: maximum count.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Display order (then code).")
    history = HistoricalRecords()

    objects = StandardQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(programme__isnull=False, contract__isnull=True)
                    | Q(programme__isnull=True, contract__isnull=False)
                ),
                name="standard_programme_xor_contract",
            ),
            models.UniqueConstraint(
                fields=["programme", "code"],
                condition=Q(contract__isnull=True),
                name="standard_unique_per_programme",
            ),
            models.UniqueConstraint(
                fields=["contract", "code"],
                condition=Q(contract__isnull=False),
                name="standard_unique_per_contract",
            ),
            models.CheckConstraint(condition=Q(measure__in=MEASURES), name="standard_measure_valid"),
        ]

    def __str__(self) -> str:
        owner = self.contract.ref if self.contract_id else self.programme.code
        return f"{self.code} ({owner})"

    def clean(self) -> None:
        codes = set(EventCode.values)
        if not isinstance(self.end_events, list) or not self.end_events:
            raise ValidationError({"end_events": "Give at least one end event code as a list."})
        unknown = [c for c in self.end_events if c not in codes]
        if unknown:
            raise ValidationError({"end_events": f"Unknown event codes: {', '.join(map(str, unknown))}."})

    def as_rule(self) -> StandardRule:
        return StandardRule(
            code=self.code,
            measure=self.measure,
            start_event=self.start_event,
            end_events=tuple(self.end_events),
            limit_working_days=self.limit_working_days,
            target=float(self.target),
            started_only=self.started_only,
        )


class StandardSnapshot(models.Model):
    """A standard's figures for one contract, group and as-of date (default window), written by the
    recompute job (services.snapshots). Figures are unrounded counts; the API rounds."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="standard_snapshots")
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="snapshots")
    group = models.CharField(max_length=20)
    as_of = models.DateField()
    eligible = models.PositiveIntegerField(null=True, blank=True)
    met = models.PositiveIntegerField(null=True, blank=True)
    referrals = models.PositiveIntegerField(null=True, blank=True)
    backlog = models.PositiveIntegerField(null=True, blank=True)
    over_limit = models.PositiveIntegerField(null=True, blank=True)
    oldest_age_working_days = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=8, blank=True, help_text="MET, NOT_MET or empty (no figure).")
    computed_at = models.DateTimeField(auto_now=True)
    job_run = models.ForeignKey(JobRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["contract", "as_of", "group", "standard"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "standard", "group", "as_of"], name="standard_snapshot_key"
            ),
        ]
        indexes = [models.Index(fields=["contract", "as_of", "group"], name="snapshot_contract_asof_group")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.standard_id} {self.group} {self.as_of}"


class FailingItem(models.Model):
    """A failing item of a group-ALL snapshot (DOMAIN.md 9 drill-down, 15.5), with the referral's reference,
    group, site and key worker as at the snapshot, so a page of items and its count read this table alone.
    A group's failures are these filtered by group (15.21), so each item is stored once."""

    # Derived rows, bulk-written (COPY) hundreds of thousands at a time by services.write_snapshot only: no
    # per-row foreign-key triggers at commit and no index beyond the (snapshot, position) key. The ORM still
    # cascades deletes of snapshots and referrals.
    snapshot = models.ForeignKey(
        StandardSnapshot,
        on_delete=models.CASCADE,
        related_name="failing_items",
        db_index=False,
        db_constraint=False,
    )
    position = models.PositiveIntegerField(help_text="Order: start date, then referral reference.")
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    referral_ref = models.CharField(max_length=50)
    group = models.CharField(max_length=20)
    site = models.ForeignKey(
        Site,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    key_worker = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    start_date = models.DateField()
    deadline = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    age_working_days = models.PositiveIntegerField()

    class Meta:
        ordering = ["snapshot", "position"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "position"], name="failing_item_position"),
        ]

    def __str__(self) -> str:
        return f"{self.referral_ref} {self.start_date}"


# Assurance records (DOMAIN.md 13)

# Default CMO checklist, from the compliance monitoring section of seeds/003 (paragraphs 30, 35-37): each
# sample copies it at the draw, so later edits (admin, settings FLIGHTPATH_CMO_CHECKLIST) never rewrite one.
DEFAULT_CMO_CHECKLIST = [
    "Eligibility evidenced (documents or self-declaration)",
    "Action plan agreed within 20 working days of referral (CSS5)",
    "Action plan content addresses the participant's barriers",
    "Engagement in line with the delivery model",
    "ESF1420 initial form sent within 5 working days of signature (CSS6)",
    "ESF requirements: publicity, equality and diversity, sustainable development",
    "Records held electronically and available for inspection",
]


def default_cmo_checklist() -> list[str]:
    return list(getattr(settings, "FLIGHTPATH_CMO_CHECKLIST", DEFAULT_CMO_CHECKLIST))


class CheckResult(models.TextChoices):
    PASS = "PASS", "Pass"
    FAIL = "FAIL", "Fail"


class CmoSample(models.Model):
    """A CMO sample: a seeded random draw of referrals from a population (contract, period, filter)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="cmo_samples")
    drawn_at = models.DateTimeField(auto_now_add=True)
    seed = models.PositiveBigIntegerField(help_text="numpy Generator seed: the same seed, the same sample.")
    size = models.PositiveIntegerField()
    period_start = models.DateField(help_text="Population: referrals dated from this day...")
    period_end = models.DateField(help_text="...to this day inclusive.")
    population_filter = models.JSONField(
        default=dict, blank=True, help_text='Population filter, e.g. {"group": "LTU", "organisation": "O1"}.'
    )
    population_size = models.PositiveIntegerField()
    check_date = models.DateField(help_text="The CMO check; the sample list is available 5 days before.")
    checklist = models.JSONField(default=default_cmo_checklist, help_text="Checklist items, in order.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "-check_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="cmo_sample_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.ref} CMO sample {self.check_date} ({self.size})"


class CmoSampleRecord(models.Model):
    """One sampled referral: checklist answers, the provider's self-check and the CMO's result."""

    sample = models.ForeignKey(CmoSample, on_delete=models.CASCADE, related_name="records")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    answers = models.JSONField(default=dict, blank=True, help_text="Checklist item -> true / false.")
    self_check = models.CharField("self-check", max_length=4, choices=CheckResult.choices, blank=True)
    cmo_result = models.CharField("CMO result", max_length=4, choices=CheckResult.choices, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sample", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "referral"], name="cmo_record_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.sample_id} #{self.position}"


class PatRating(models.Model):
    """A Provider Assurance Team rating with findings and an action plan (DOMAIN.md 13)."""

    class Rating(models.TextChoices):
        WEAK = "WEAK", "Weak"
        LIMITED = "LIMITED", "Limited"
        REASONABLE = "REASONABLE", "Reasonable"
        STRONG = "STRONG", "Strong"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="pat_ratings")
    date = models.DateField()
    rating = models.CharField(max_length=10, choices=Rating.choices)
    reasons = models.JSONField(
        default=list, blank=True, help_text='Finding reason codes or themes, e.g. ["EVIDENCE", "PLANS"].'
    )
    findings = models.TextField(blank=True)
    action_plan = models.TextField(blank=True)
    owner = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField(null=True, blank=True)
    action_plan_done_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the agreed action plan was carried out (flagged if after its due).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.contract.ref} PAT {self.date} {self.rating}"
