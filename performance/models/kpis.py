"""KPIs per role, quarterly KPI ratings and internal PIPs (DOMAIN.md 11, 17.12-15).

A KPI's actual is always computed (performance.kpis.engine); only its definition and its targets
(participants.KpiTarget) are kept. Ratings are written only by performance.kpis.services.recompute_ratings,
replaced by key in one transaction, keeping a manager's decision on the PIP each one proposed.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from participants.models import Contract, KpiCode, KpiLevel, Organisation

from ..querysets import UnitQuerySet


class KpiDefinition(models.Model):
    """A KPI of a role at a prime (DOMAIN.md 11, seed 001), shared by all the prime's contracts: the shipped
    set (performance.kpis.definitions.SHIPPED) is given to each prime, then its managers edit it. `source` is
    the computed figure it reads; `direction` whether its target is a minimum or a maximum. The ratings judge
    a source only while the prime has an active definition of it, in that definition's direction."""

    class AppliesTo(models.TextChoices):
        KEY_WORKER = "KEY_WORKER", "Key worker"
        ENGAGEMENT_OFFICER = "ENGAGEMENT_OFFICER", "Engagement officer"
        EMPLOYER_ACCOUNT_MANAGER = "EMPLOYER_ACCOUNT_MANAGER", "Employer account manager"
        SUBCONTRACTOR = "SUBCONTRACTOR", "Subcontractor"

    class Direction(models.TextChoices):
        MINIMUM = "MINIMUM", "Minimum (at least the target)"
        MAXIMUM = "MAXIMUM", "Maximum (at most the target)"

    prime = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="kpi_definitions",
        limit_choices_to={"kind": Organisation.Kind.PRIME},
    )
    name = models.CharField(max_length=100)
    applies_to = models.CharField("role", max_length=24, choices=AppliesTo.choices)
    source = models.CharField(max_length=24, choices=KpiCode.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.MINIMUM)
    active = models.BooleanField(
        default=True, help_text="An inactive KPI is not judged (its targets are ignored)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["prime", "applies_to", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["prime", "applies_to", "source"], name="kpi_definition_prime_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_applies_to_display()}: {self.name}"


class Rag(models.TextChoices):
    """A KPI rating (DOMAIN.md 17.15), named and coloured apart from the performance page's MPL colours."""

    GREEN = "GREEN", "On target"
    AMBER = "AMBER", "Missed this quarter"
    RED = "RED", "Missed two quarters running"


class KpiRating(models.Model):
    """A unit's KPI rating for one contract-year quarter, with the KPI table behind it (`kpis`: the judged
    KPIs, each {kpi, target, actual, met}) and the PIP it proposes when AMBER or RED (DOMAIN.md 17.15)."""

    class Proposal(models.TextChoices):
        NONE = "", "No PIP proposed"
        PROPOSED = "PROPOSED", "PIP proposed"
        ACCEPTED = "ACCEPTED", "PIP raised"
        DISMISSED = "DISMISSED", "PIP dismissed"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="kpi_ratings")
    level = models.CharField(max_length=12, choices=KpiLevel.choices)
    ref = models.CharField(max_length=80)
    name = models.CharField(max_length=200, blank=True, help_text="The unit's name when it was rated.")
    quarter_end = models.DateField(help_text="First day of the quarter's last month.")
    rag = models.CharField(max_length=5, choices=Rag.choices)
    kpis = models.JSONField(default=list)
    proposal = models.CharField(max_length=10, choices=Proposal.choices, blank=True, default="")
    dismissed_reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "level", "ref", "quarter_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "level", "ref", "quarter_end"], name="kpi_rating_key"
            ),
        ]
        indexes = [models.Index(fields=["contract", "quarter_end", "level"], name="kpi_rating_quarter")]

    def __str__(self) -> str:
        return f"{self.level} {self.ref} {self.quarter_end:%Y-%m}: {self.rag}"

    @property
    def missed(self) -> list[dict]:
        return [row for row in self.kpis if not row["met"]]


class PipLevel(models.TextChoices):
    STAFF = "STAFF", "Key worker"
    TEAM = "TEAM", "Team"
    SITE = "SITE", "Centre"
    ORGANISATION = "ORGANISATION", "Subcontractor"
    CONTRACT = "CONTRACT", "Contract"


class Pip(models.Model):
    """A performance improvement plan (DOMAIN.md 11): SMART actions, scheduled reviews and an outcome."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        CLOSED = "CLOSED", "Closed"

    class Outcome(models.TextChoices):
        NONE = "", "Not yet"
        IMPROVED = "IMPROVED", "Improved: targets met"
        EXTENDED = "EXTENDED", "Extended"
        ESCALATED = "ESCALATED", "Escalated"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="pips")
    level = models.CharField(max_length=12, choices=PipLevel.choices)
    ref = models.CharField(max_length=80)
    name = models.CharField(max_length=200, blank=True)
    rating = models.ForeignKey(
        KpiRating, null=True, blank=True, on_delete=models.SET_NULL, related_name="pips"
    )
    reason = models.TextField(help_text="The missed KPIs and what the plan must change.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    outcome_note = models.TextField(blank=True)
    opened_on = models.DateField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["contract", "status"], name="pip_contract_status")]

    def __str__(self) -> str:
        return f"PIP {self.get_level_display()} {self.name or self.ref} ({self.opened_on})"


class PipAction(models.Model):
    """A SMART action of a PIP: who does what by when."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        DONE = "DONE", "Done"
        DROPPED = "DROPPED", "No longer needed"

    pip = models.ForeignKey(Pip, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=300)
    measure = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pip_actions")
    due_date = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pip", "due_date", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="pip_action_owner_due")]

    def __str__(self) -> str:
        return f"{self.action} (due {self.due_date})"


class PipReview(models.Model):
    """A scheduled review of a PIP, and what it found once held."""

    pip = models.ForeignKey(Pip, on_delete=models.CASCADE, related_name="reviews")
    scheduled_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pip", "scheduled_on", "id"]

    def __str__(self) -> str:
        return f"Review {self.scheduled_on}"
