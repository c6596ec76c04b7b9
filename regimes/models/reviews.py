"""Contract performance reviews with their Contract Assessment Report, deep dives and go-look-sees
(DOMAIN.md 10, 17.9)."""

from django.conf import settings
from django.db import models

from participants.models import Contract


class Cpr(models.Model):
    """The monthly contract performance review of the dashboard released in `month`."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="cprs")
    month = models.DateField(help_text="First day of the month whose dashboard it reviews.")
    meeting_on = models.DateField(help_text="When it is (or was) held.")
    agenda = models.TextField(blank=True)
    attendees = models.TextField(blank=True)
    assessment = models.TextField(blank=True, help_text="The Contract Assessment Report's assessment.")
    held_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["contract", "-month"]
        constraints = [models.UniqueConstraint(fields=["contract", "month"], name="cpr_month")]

    def __str__(self) -> str:
        return f"CPR {self.month:%B %Y}"


class KeyQuestion(models.Model):
    """A question sent to the provider before the CPR, and its answer."""

    cpr = models.ForeignKey(Cpr, on_delete=models.CASCADE, related_name="questions")
    question = models.TextField()
    sent_on = models.DateField()
    answer = models.TextField(blank=True)
    answered_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["cpr", "pk"]

    def __str__(self) -> str:
        return self.question[:60]


class DeepDive(models.Model):
    """A deep dive or a go-look-see: its subject, date, the letter announcing it and the outcome note."""

    class Kind(models.TextChoices):
        DEEP_DIVE = "DEEP_DIVE", "Deep dive"
        GO_LOOK_SEE = "GO_LOOK_SEE", "Go-look-see"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="deep_dives")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.DEEP_DIVE)
    subject = models.CharField(max_length=200)
    visit_on = models.DateField()
    letter = models.TextField(
        help_text="The letter's body: scope, what will be looked at, who to make ready."
    )
    outcome = models.TextField(blank=True, help_text="The outcome note, after the visit.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["contract", "-visit_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class ActionPoint(models.Model):
    """An action point of a CPR's assessment report, or a follow-up action of a deep dive (exactly one).
    A CPR's open points are on every later CPR's report until done (DOMAIN.md 17.9): selectors.reviews."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        DONE = "DONE", "Done"

    cpr = models.ForeignKey(
        Cpr, null=True, blank=True, on_delete=models.CASCADE, related_name="action_points"
    )
    deep_dive = models.ForeignKey(
        DeepDive, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups"
    )
    what = models.CharField(max_length=300)
    owner = models.CharField(max_length=120)
    due_date = models.DateField()
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cpr__isnull=False, deep_dive__isnull=True)
                | models.Q(cpr__isnull=True, deep_dive__isnull=False),
                name="action_point_one_parent",
            )
        ]

    def __str__(self) -> str:
        return self.what
