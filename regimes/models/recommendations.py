"""Recommendations (DOMAIN.md 17.6): what the figures suggest DWP decide, for a person to confirm or
dismiss. Written set-based by `regimes.services.recommendations.refresh`; one row per `key`."""

from django.conf import settings
from django.db import models

from participants.models import Contract

from .decisions import Decision, Pin


class Recommendation(models.Model):
    class Kind(models.TextChoices):
        PIN_CANDIDATE = "PIN_CANDIDATE", "PIN candidate (failed quarterly review)"
        PIN_RISK = "PIN_RISK", "PIN risk (projected below MPL at a quarterly review)"
        MPL_RISK = "MPL_RISK", "MPL risk (projected below MPL)"
        CANCEL_PIN = "CANCEL_PIN", "Cancel PIN (final assessment met)"
        LIFT_PIN = "LIFT_PIN", "Lift PIN (JO target met)"
        ESCALATE_PIN = "ESCALATE_PIN", "Escalate PIN (JO target missed)"
        PICAN_CANDIDATE = "PICAN_CANDIDATE", "PICAN candidate (performance indicator)"

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        CONFIRMED = "CONFIRMED", "Confirmed"
        DISMISSED = "DISMISSED", "Dismissed"
        WITHDRAWN = "WITHDRAWN", "Withdrawn"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="regime_recommendations")
    key = models.CharField(max_length=80, help_text="'PIN_CANDIDATE:PG1:2025-03', 'LIFT_PIN:7': one per key.")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    group = models.CharField(max_length=20, blank=True)
    quarter_end = models.DateField(null=True, blank=True, help_text="First day of the quarter's last month.")
    indicator = models.CharField(max_length=40, blank=True)
    pin = models.ForeignKey(
        Pin, null=True, blank=True, on_delete=models.CASCADE, related_name="recommendations"
    )
    pct_of_mpl = models.FloatField(null=True, blank=True)
    message = models.CharField(max_length=300)
    evidence = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="recommendations"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-quarter_end", "kind", "group", "pk"]
        constraints = [models.UniqueConstraint(fields=["contract", "key"], name="regime_recommendation_key")]
        indexes = [models.Index(fields=["contract", "status"], name="regime_rec_contract_status")]

    def __str__(self) -> str:
        return self.message

    # The decision a confirmation records (17.6): a PIN_RISK warning is confirmed by issuing a PIN; an
    # MPL_RISK (no PINs outside WP) can only be dismissed.
    DECISION_OF = {
        Kind.PIN_CANDIDATE: Decision.Kind.ISSUE_PIN,
        Kind.PIN_RISK: Decision.Kind.ISSUE_PIN,
        Kind.CANCEL_PIN: Decision.Kind.CANCEL_PIN,
        Kind.LIFT_PIN: Decision.Kind.LIFT_PIN,
        Kind.ESCALATE_PIN: Decision.Kind.ESCALATE_PIN,
        Kind.PICAN_CANDIDATE: Decision.Kind.ISSUE_PICAN,
    }

    @property
    def decision_kind(self) -> str | None:
        return self.DECISION_OF.get(self.kind)
