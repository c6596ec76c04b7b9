"""Records of imports and background jobs."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..querysets import ImportRunQuerySet
from .contracts import Contract


class ImportRun(models.Model):
    """One import of a bundle: who, when, what files (with checksums), what changed, and any errors.

    An upload (page or API) is QUEUED with its file kept under MEDIA_ROOT (`upload`) until the background
    job (participants.imports.uploads) runs it; the command line's run starts RUNNING. It ends SUCCEEDED,
    REJECTED (a bad bundle or one the uploader may not import: nothing written, `errors` says why) or
    FAILED (an error of the system, not of the bundle)."""

    class Status(models.TextChoices):
        QUEUED = "QUEUED", "Queued"
        RUNNING = "RUNNING", "Running"
        SUCCEEDED = "SUCCEEDED", "Succeeded"
        REJECTED = "REJECTED", "Rejected"
        FAILED = "FAILED", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=500)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    checksums = models.JSONField(default=dict, blank=True, help_text="SHA-256 of each file.")
    counts = models.JSONField(default=dict, blank=True, help_text="Per file: added, updated, unchanged.")
    errors = models.JSONField(default=list, blank=True, help_text="The first 100 errors.")
    error_count = models.PositiveIntegerField(default=0)
    contract_refs = models.JSONField(default=list, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done (background runs).")
    message = models.CharField(max_length=200, blank=True, help_text="The step a background run is at.")
    upload = models.CharField(
        max_length=200,
        blank=True,
        help_text="The uploaded bundle under MEDIA_ROOT until its background run ends (then removed).",
    )

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.status})"

    @property
    def done(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)


class JobRun(models.Model):
    """One run of a background job for a contract (recomputes, digests, reports): status, timing, progress
    and error, shown in the browser. At most one RUNNING run per (kind, contract): the claim, held while its
    heartbeat is fresh (participants.jobs)."""

    class Status(models.TextChoices):
        RUNNING = "RUNNING", "Running"
        SUCCEEDED = "SUCCEEDED", "Succeeded"
        FAILED = "FAILED", "Failed"

    kind = models.CharField(max_length=50)
    contract = models.ForeignKey(
        Contract, null=True, blank=True, on_delete=models.CASCADE, related_name="job_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        default=timezone.now, help_text="Refreshed while the run's worker lives; a stale one frees the claim."
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # nulls_distinct=False: a job with no contract (a digest, a reminder run) is claimed once too.
            models.UniqueConstraint(
                fields=["kind", "contract"],
                condition=models.Q(status="RUNNING"),
                name="job_run_one_running",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["contract", "kind", "-started_at"], name="job_run_latest")]

    def __str__(self) -> str:
        return f"{self.kind} {self.contract_id} {self.status}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


# ---------------------------------------------------------------------------------------------------------
# The key workers' workspace (DOMAIN.md 1, 4 and 11): appointments, follow-ups, action plans, jobs, evidence.
# The Peer Support Group is not stored here: it is the detail of the latest PSG_CHANGED event.
# ---------------------------------------------------------------------------------------------------------
