"""The ladder of measures a prime takes against a failing subcontractor (DOMAIN.md 11), in order: SMART
actions, reduced targets, suspension, termination. Each step is recorded with who, when, why and the KPI
figures behind it (a snapshot of the subcontractor's KPI table when the step was taken)."""

from django.conf import settings
from django.db import models

from participants.models import Contract, Organisation


class SubcontractorMeasure(models.Model):
    class Step(models.IntegerChoices):
        SMART_ACTIONS = 1, "SMART actions"
        REDUCED_TARGETS = 2, "Reduced targets"
        SUSPENSION = 3, "Suspension"
        TERMINATION = 4, "Termination"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="subcontractor_measures")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="measures")
    step = models.PositiveSmallIntegerField(choices=Step.choices)
    taken_on = models.DateField()
    reason = models.TextField()
    actions = models.TextField(
        blank=True, help_text="The SMART actions, or the targets reduced, and to what."
    )
    figures = models.JSONField(
        default=dict, help_text="The subcontractor's KPI ratings when the step was taken."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "organisation", "taken_on", "step", "id"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_step_display()} on {self.taken_on}"
