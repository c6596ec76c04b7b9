"""Issue notices (DOMAIN.md 12, 17.10-17.11): what the provider tells DWP of an issue and its remedy.

A notice's email is one outbox row (participants.mail): the notice is DRAFT until that row exists, and from
then on its state, attempts, Message-ID, send time and the server's reply are the row's. One source of truth,
so a notice can never read SENT while its email is not."""

from django.conf import settings
from django.db import models

from participants.models import Contract, OutboxMessage


class IssueNotice(models.Model):
    class Urgency(models.TextChoices):
        URGENT = "URGENT", "Urgent"
        RED_FLAG = "RED_FLAG", "Red flag"
        NORMAL = "NORMAL", "Normal"

    class State(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        QUEUED = "QUEUED", "Queued"
        SENDING = "SENDING", "Sending"
        SENT = "SENT", "Sent"
        FAILED = "FAILED", "Failed"
        UNKNOWN = "UNKNOWN", "Unknown: check and resend"

    AT_ONCE = (Urgency.URGENT, Urgency.RED_FLAG)

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="issue_notices")
    summary = models.CharField(max_length=200)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    remedial_action = models.TextField(help_text="Remedial action taken or under way.")
    avoid_repetition = models.TextField(help_text="Steps taken to avoid a repetition.")
    people_told = models.TextField(help_text="The people told of the issue so far.")
    extra_recipients = models.JSONField(default=list, blank=True, help_text="Addresses besides DWP's.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="issue_notices"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    due_by = models.DateField(help_text="Sent by this day: the day it was written, or N working days on.")
    message = models.OneToOneField(
        OutboxMessage, null=True, blank=True, on_delete=models.PROTECT, related_name="issue_notice"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["contract", "-created_at"], name="notice_contract_created")]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()} notice {self.pk}: {self.summary}"

    @property
    def state(self) -> str:
        return self.message.state if self.message_id else self.State.DRAFT

    def get_state_display(self) -> str:
        return self.State(self.state).label

    @property
    def obligation_key(self) -> str:
        return f"notice:{self.pk}"

    @property
    def may_resend(self) -> bool:
        return self.state in (self.State.FAILED, self.State.UNKNOWN)
