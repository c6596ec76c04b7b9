"""What the product owes the outside world, written in the transaction that makes it owed and sent after
commit (the outbox pattern): emails (participants.mail) and recompute requests (participants.jobs)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .contracts import Contract


class OutboxMessage(models.Model):
    """One email: queued inside the caller's transaction, claimed (QUEUED -> SENDING) in a transaction of its
    own before the SMTP conversation, sent with the Message-ID fixed when queued (DOMAIN.md 17.10-17.11)."""

    class State(models.TextChoices):
        QUEUED = "QUEUED", "Queued"
        SENDING = "SENDING", "Sending"
        SENT = "SENT", "Sent"
        FAILED = "FAILED", "Failed"
        UNKNOWN = "UNKNOWN", "Unknown: check and queue again"

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="What, for whom, for which day or object: a second message of the same key is not queued.",
    )
    kind = models.CharField(max_length=50, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The recipient's login, when there is one: not sent once it is inactive.",
    )
    from_email = models.CharField(max_length=254)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=255)
    text = models.TextField()
    html = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_reply = models.TextField(blank=True, help_text="The SMTP server's last reply, or the error.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state__in=["QUEUED", "SENDING"]),
                name="outbox_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {', '.join(self.to)} ({self.state})"


class RecomputeRequest(models.Model):
    """A recompute owed to a contract: written in the transaction of the change that needs it (an import, a
    validation round, a tender standard), so it commits or rolls back with it, and deleted once the broker
    has taken the task (participants.jobs.relay_recompute_requests)."""

    task = models.CharField(max_length=100)
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="+")
    months = models.JSONField(null=True, blank=True, help_text='"YYYY-MM" months touched; none: every month.')
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.task} {self.contract_id} {self.months or 'all months'}"
