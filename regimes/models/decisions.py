"""The regime of a contract (DOMAIN.md 10, 17.1-17.5): the recorded decisions and what they put in place (EPR
periods, PINs per measured group, WHP levels, PICANs). The state is derived from these rows, never typed in:
`regimes.selectors.state` reads it."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from participants.models import Contract


class Epr(models.Model):
    """An Enhanced Performance Regime period (WP): allocated on D, reviewed at D + 3 months, ends D + 6."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        ENDED = "ENDED", "Ended"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="eprs")
    started_on = models.DateField()
    review_due = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = "EPR"
        constraints = [
            # One EPR at a time (17.1: the contract is in PMR or EPR).
            models.UniqueConstraint(
                fields=["contract"], condition=models.Q(status="OPEN"), name="epr_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"EPR {self.pk} from {self.started_on}"


class Pin(models.Model):
    """A Performance Improvement Notice on one measured group after a failed quarterly review (17.4)."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        CANCELLED = "CANCELLED", "Cancelled"
        LIFTED = "LIFTED", "Lifted"
        ESCALATED = "ESCALATED", "Escalated"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="pins")
    group = models.CharField(max_length=20)
    quarter_end = models.DateField(help_text="The reviewed quarter's last month (its first day).")
    issued_on = models.DateField()
    remedy_end = models.DateField(help_text="The remedy period's last month (its first day).")
    jo_target = models.FloatField(help_text="MPL required for the twelve months ending remedy_end, at issue.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = "PIN"
        indexes = [models.Index(fields=["contract", "group", "status"], name="pin_contract_group")]

    def __str__(self) -> str:
        return f"PIN {self.pk} on {self.group} ({self.quarter_end:%Y-%m})"


class Level(models.Model):
    """A WHP PMIR level 2-4 switched on (17.1); `active_to` is set when it is switched off. Level 1 is
    always on and has no row."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="regime_levels")
    level = models.PositiveSmallIntegerField()
    active_from = models.DateField()
    active_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["level", "-active_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "level"], condition=models.Q(active_to__isnull=True), name="level_one_on"
            ),
            models.CheckConstraint(condition=models.Q(level__gte=2, level__lte=4), name="level_2_to_4"),
        ]

    def __str__(self) -> str:
        return f"Level {self.level} from {self.active_from}"


class Pican(models.Model):
    """A Performance Indicator Course of Action Notice (WHP, 17.5): owes an improvement plan."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        CLOSED = "CLOSED", "Closed"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="picans")
    indicator = models.CharField(max_length=40)
    issued_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = "PICAN"

    def __str__(self) -> str:
        return f"PICAN {self.pk} on {self.indicator}"


class Decision(models.Model):
    """One recorded regime decision (17.2): who decided (a DWP contact), who recorded it, when and why, and
    the figures that triggered it. Every EPR, PIN, level and PICAN change is one of these."""

    class Kind(models.TextChoices):
        ALLOCATE_EPR = "ALLOCATE_EPR", "Allocate EPR"
        END_EPR = "END_EPR", "End EPR"
        ISSUE_PIN = "ISSUE_PIN", "Issue PIN"
        CANCEL_PIN = "CANCEL_PIN", "Cancel PIN"
        LIFT_PIN = "LIFT_PIN", "Lift PIN"
        ESCALATE_PIN = "ESCALATE_PIN", "Escalate PIN"
        SET_LEVEL = "SET_LEVEL", "Set WHP level"
        ISSUE_PICAN = "ISSUE_PICAN", "Issue PICAN"
        CLOSE_PICAN = "CLOSE_PICAN", "Close PICAN"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    decided_on = models.DateField(default=timezone.localdate)
    reason = models.TextField()
    decided_by = models.CharField(
        max_length=200, help_text="The DWP contact who decided, or the name DWP's letter gave."
    )
    decided_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_for_dwp = models.BooleanField(
        default=False, help_text="Recorded by the prime's contract manager from DWP's letter."
    )
    evidence = models.JSONField(default=dict, blank=True, help_text="The figures that triggered it.")
    epr = models.ForeignKey(Epr, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions")
    pin = models.ForeignKey(Pin, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions")
    pican = models.ForeignKey(
        Pican, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    active = models.BooleanField(null=True, blank=True, help_text="SET_LEVEL: switched on (true) or off.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-pk"]
        indexes = [models.Index(fields=["contract", "decided_on"], name="decision_contract_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.decided_on}"

    @property
    def subject(self) -> str:
        """'PIN 7', 'EPR 3', 'Level 3', 'PICAN 2': what the decision is about."""
        if self.pin_id:
            return f"PIN {self.pin_id}"
        if self.epr_id:
            return f"EPR {self.epr_id}"
        if self.pican_id:
            return f"PICAN {self.pican_id}"
        return f"Level {self.level}" if self.level else ""
