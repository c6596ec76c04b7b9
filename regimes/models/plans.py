"""Provider action plans and flight paths (DOMAIN.md 10, 17.8) and the dashboard release dates (17.7)."""

from django.conf import settings
from django.db import models

from participants.models import Contract


class DashboardRelease(models.Model):
    """The day DWP released the month's performance dashboard; a month without a row is released on the
    FLIGHTPATH_DASHBOARD_RELEASE_DAY of that month (the 20th)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="dashboard_releases")
    month = models.DateField(help_text="First day of the calendar month the dashboard was released in.")
    released_on = models.DateField()

    class Meta:
        ordering = ["contract", "month"]
        constraints = [models.UniqueConstraint(fields=["contract", "month"], name="dashboard_release_month")]

    def __str__(self) -> str:
        return f"{self.contract_id} dashboard {self.month:%Y-%m} released {self.released_on}"


class ProviderActionPlan(models.Model):
    """One version of a contract's provider action plan: its SMART actions and its six-month flight path."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        SUBMITTED = "SUBMITTED", "Submitted"
        APPROVED = "APPROVED", "Approved"
        REJECTED = "REJECTED", "Rejected"
        RESUBMITTED = "RESUBMITTED", "Resubmitted"
        REJECTED_FINAL = "REJECTED_FINAL", "Rejected (referred to the head of division)"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="action_plans")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    obligation_key = models.CharField(
        max_length=120, blank=True, help_text="The obligation this plan responds to ('pin:7:action_plan')."
    )
    first_month = models.DateField(help_text="First day of the flight path's first month (six months).")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_on = models.DateField(null=True, blank=True)
    rejected_on = models.DateField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    meeting_on = models.DateField(null=True, blank=True)
    meeting_note = models.TextField(blank=True)
    resubmitted_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(
        null=True, blank=True, help_text="The final decision: approved or rejected."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["contract", "-version"]
        constraints = [models.UniqueConstraint(fields=["contract", "version"], name="action_plan_version")]

    def __str__(self) -> str:
        return f"Action plan v{self.version} ({self.get_status_display()})"

    @property
    def editable(self) -> bool:
        """Actions and flight path change only before a submission (a draft, or a rejected plan being revised
        for its resubmission)."""
        return self.status in (self.Status.DRAFT, self.Status.REJECTED)


class PlanAction(models.Model):
    """A SMART action: what, how it is measured, who owns it, when, its milestones and predicted uplift."""

    plan = models.ForeignKey(ProviderActionPlan, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(max_length=300)
    measure = models.CharField(max_length=300, help_text="How success is measured.")
    owner = models.CharField(max_length=120)
    start_date = models.DateField()
    due_date = models.DateField()
    milestones = models.TextField(blank=True, help_text="One milestone a line.")
    uplift = models.JSONField(default=dict, help_text="Predicted extra job outcomes by group: {'PG1': 3}.")

    class Meta:
        ordering = ["plan", "due_date", "pk"]

    def __str__(self) -> str:
        return self.what


class FlightPathMonth(models.Model):
    """The projection of one group in one month of a plan's flight path."""

    plan = models.ForeignKey(ProviderActionPlan, on_delete=models.CASCADE, related_name="flight_path")
    group = models.CharField(max_length=20)
    month = models.DateField(help_text="First day of the month.")
    referrals = models.PositiveIntegerField(default=0)
    job_starts = models.PositiveIntegerField(default=0, help_text="Job entries.")
    job_outcomes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "month", "group"]
        constraints = [models.UniqueConstraint(fields=["plan", "group", "month"], name="flight_path_cell")]

    def __str__(self) -> str:
        return f"{self.group} {self.month:%Y-%m}"
