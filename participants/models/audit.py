"""The access log of personal data: who read which participants' records, when, from where (issue 10)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone


class AccessLog(models.Model):
    """One read of participants' personal data: a page, an htmx section, a document or a whole export. An
    export is one row with the number of rows it carried and its filter, never a row per participant.
    Written only by `participants.audit.log_access`; read by support staff in the admin."""

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept beside the user: the log must still say who when the login is later deleted.
    username = models.CharField(max_length=150, blank=True)
    view = models.CharField(max_length=100, help_text="The URL name of what was read.")
    path = models.CharField(max_length=2000, help_text="The address requested, with its query string.")
    filters = models.JSONField(default=dict, blank=True, help_text="The query parameters.")
    participant_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    # The references as read, so the log names people without a join (and can be searched by them).
    participant_refs = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    count = models.PositiveIntegerField(
        null=True, blank=True, help_text="Participants shown, or rows exported."
    )
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    forwarded_for = models.CharField(
        max_length=200, blank=True, help_text="X-Forwarded-For as received, when behind a proxy."
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at"], name="access_log_at"),
            models.Index(fields=["user", "-at"], name="access_log_user_at"),
            GinIndex(fields=["participant_ids"], name="access_log_participant_ids"),
            GinIndex(fields=["participant_refs"], name="access_log_participant_refs"),
        ]

    def __str__(self) -> str:
        return f"{self.username or 'anonymous'} {self.view} {self.at:%Y-%m-%d %H:%M}"
