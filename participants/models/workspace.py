"""The key workers' records: appointments, follow-ups, action plans, jobs, evidence, claims, notes."""

from functools import partial

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models, transaction
from django.db.models.signals import post_delete
from simple_history.models import HistoricalRecords

from .contracts import Contract
from .journey import EventCode, JourneyEvent, Referral


class WorkspaceSettings(models.Model):
    """Per-contract settings of the key workers' workspace; a contract without a row uses these defaults."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="workspace_settings")
    fta_follow_up_working_days = models.PositiveSmallIntegerField(
        default=1, help_text="A failure to attend creates a follow-up due within this many working days."
    )
    review_interval_months = models.PositiveSmallIntegerField(
        default=1, help_text="An action plan is reviewed at least this often (DOMAIN.md 4: at least monthly)."
    )
    review_due_soon_days = models.PositiveSmallIntegerField(
        default=7, help_text="A review due within this many days shows as due on the caseload."
    )
    no_contact_days = models.PositiveSmallIntegerField(
        default=14, help_text="Flag a participant on programme with no contact for this many days."
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "workspace settings"

    def __str__(self) -> str:
        return f"Workspace settings of {self.contract_id}"


class Appointment(models.Model):
    """A planned meeting with a participant and what happened (DOMAIN.md 4: appointments are records, and
    only the initial engagement writes journey events)."""

    class Kind(models.TextChoices):
        INITIAL_ENGAGEMENT = "INITIAL_ENGAGEMENT", "Initial engagement"
        ONE_TO_ONE = "ONE_TO_ONE", "One-to-one"
        ACTION_PLAN_REVIEW = "ACTION_PLAN_REVIEW", "Action plan review"
        GROUP_SESSION = "GROUP_SESSION", "Peer support group session"
        IN_WORK_SUPPORT = "IN_WORK_SUPPORT", "In-work support"

    class Status(models.TextChoices):
        PLANNED = "PLANNED", "Planned"
        ATTENDED = "ATTENDED", "Attended"
        FAILED_TO_ATTEND = "FAILED_TO_ATTEND", "Failed to attend"
        CANCELLED = "CANCELLED", "Cancelled"

    class FtaReason(models.TextChoices):
        ILLNESS = "ILLNESS", "Illness or medical appointment"
        CARING = "CARING", "Caring responsibilities"
        TRANSPORT = "TRANSPORT", "Transport problem"
        FORGOT = "FORGOT", "Forgot or misunderstood the time"
        NO_CONTACT = "NO_CONTACT", "No contact, reason unknown"
        OTHER = "OTHER", "Other (see note)"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="appointments")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ONE_TO_ONE)
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    fta_reason = models.CharField(
        "reason for not attending", max_length=20, choices=FtaReason.choices, blank=True
    )
    note = models.TextField(blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["referral", "status", "starts_at"], name="appointment_referral_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"


class FollowUpTask(models.Model):
    """Something a key worker owes a participant, e.g. following up a failure to attend; on the caseload
    until done."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="follow_ups")
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups"
    )
    description = models.CharField(max_length=300)
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["referral", "done_at"], name="follow_up_referral_open")]

    def __str__(self) -> str:
        return f"{self.description} (due {self.due_date})"


class ActionPlan(models.Model):
    """A referral's action plan. `version` counts saved revisions and is the optimistic lock: a save names
    the version it started from and fails when someone saved in between."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="action_plan")
    version = models.PositiveIntegerField(default=0)
    agreed_on = models.DateField(null=True, blank=True, help_text="Agreed and signed with the participant.")
    next_review_due = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["next_review_due"], name="action_plan_review_due")]

    def __str__(self) -> str:
        return f"Action plan version {self.version}"


class SmartGoal(models.Model):
    """One SMART goal of the current action plan; `key` follows the goal across revisions."""

    class Status(models.TextChoices):
        NOT_STARTED = "NOT_STARTED", "Not started"
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        ACHIEVED = "ACHIEVED", "Achieved"
        DROPPED = "DROPPED", "No longer relevant"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="goals")
    key = models.CharField(max_length=32)
    position = models.PositiveSmallIntegerField(default=0)
    goal = models.CharField(max_length=300)
    measure = models.CharField(max_length=300)
    owner = models.CharField(max_length=100)
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="smart_goal_key_unique")]

    def __str__(self) -> str:
        return self.goal


class ActionPlanVersion(models.Model):
    """Every saved revision of an action plan, kept whole (goals as a snapshot) to show and diff later."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    goals = models.JSONField(default=list)
    agreed_on = models.DateField(null=True, blank=True)
    change_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="action_plan_version_unique")]

    def __str__(self) -> str:
        return f"v{self.number}"


class ActionPlanReview(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    note = models.TextField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"Review {self.reviewed_on}"


class JobEndReason(models.TextChoices):
    CHANGED_JOB = "CHANGED_JOB", "Changed employment"
    RESIGNED = "RESIGNED", "Left (resigned)"
    DISMISSED = "DISMISSED", "Dismissed"
    CONTRACT_ENDED = "CONTRACT_ENDED", "Temporary contract ended"
    REDUNDANT = "REDUNDANT", "Made redundant"
    HEALTH = "HEALTH", "Ill health"
    STOPPED_TRADING = "STOPPED_TRADING", "Stopped trading"
    OTHER = "OTHER", "Other (see note)"


class JobDetail(models.Model):
    """A job (or self-employment) a participant started; its JOB_START event is written beside it."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="jobs")
    employer = models.CharField(max_length=200)
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=2)
    start_date = models.DateField()
    self_employed = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The in-work support team's record of the job ending (DOMAIN.md 4 has no journey event for it).
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=JobEndReason.choices, blank=True)
    end_note = models.CharField(max_length=300, blank=True)
    # A change of employment: the job this one replaced (that job ended with reason CHANGED_JOB).
    previous_job = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_job"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "-start_date"]

    def __str__(self) -> str:
        return f"{self.employer} from {self.start_date}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class SupportRecord(models.Model):
    """Hours of support given to, or money spent on, a participant (DOMAIN.md 4), recorded by their key
    worker: one row per session or purchase, totalled on the participant page and per contract."""

    class Kind(models.TextChoices):
        HOURS = "HOURS", "Hours of support"
        EXPENDITURE = "EXPENDITURE", "Expenditure"

    class Category(models.TextChoices):
        # Support
        ONE_TO_ONE = "ONE_TO_ONE", "One-to-one support"
        GROUP = "GROUP", "Group session"
        IN_WORK = "IN_WORK", "In-work support"
        HEALTH = "HEALTH", "Health and wellbeing"
        SKILLS = "SKILLS", "Skills and job search"
        # Expenditure
        TRAVEL = "TRAVEL", "Travel"
        CLOTHING = "CLOTHING", "Work clothing and equipment"
        TRAINING = "TRAINING", "Training course or licence"
        CHILDCARE = "CHILDCARE", "Childcare"
        OTHER = "OTHER", "Other (see note)"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="support_records")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    on_date = models.DateField("date")
    hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField("amount (£)", max_digits=9, decimal_places=2, null=True, blank=True)
    category = models.CharField("category or purpose", max_length=12, choices=Category.choices)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "-on_date", "-id"]
        indexes = [models.Index(fields=["referral", "on_date"], name="support_record_referral_date")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="HOURS", hours__gt=0, amount__isnull=True))
                | models.Q(kind="EXPENDITURE", amount__gt=0, hours__isnull=True),
                name="support_record_hours_or_amount",
            )
        ]

    def __str__(self) -> str:
        what = f"{self.hours} h" if self.kind == self.Kind.HOURS else f"£{self.amount}"
        return f"{self.get_category_display()} {what} on {self.on_date}"


class InWorkSupportContact(models.Model):
    class Method(models.TextChoices):
        PHONE = "PHONE", "Phone"
        FACE_TO_FACE = "FACE_TO_FACE", "Face to face"
        EMAIL = "EMAIL", "Email"
        TEXT = "TEXT", "Text message"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="in_work_contacts")
    job = models.ForeignKey(
        JobDetail, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    contact_date = models.DateField()
    method = models.CharField(max_length=12, choices=Method.choices)
    note = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "-contact_date", "-id"]
        indexes = [models.Index(fields=["referral", "contact_date"], name="in_work_contact_referral")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.contact_date}"


def evidence_storage():
    """Evidence lives under MEDIA_ROOT/evidence/ with no public URL: only the evidence view serves it."""
    return FileSystemStorage(location=settings.MEDIA_ROOT, base_url=None)


class EvidenceDocument(models.Model):
    """A document supporting an outcome claim. File type is sniffed from its content on upload."""

    class Kind(models.TextChoices):
        PAYSLIP = "PAYSLIP", "Payslip"
        EMPLOYER_LETTER = "EMPLOYER_LETTER", "Employer letter or contract"
        HMRC_RECORD = "HMRC_RECORD", "HMRC record"
        SELF_EMPLOYMENT = "SELF_EMPLOYMENT", "Self-employment records"
        OTHER = "OTHER", "Other"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    claim_code = models.CharField(
        max_length=24, choices=EventCode.choices, blank=True, help_text="The outcome the document supports."
    )
    file = models.FileField(upload_to="evidence/%Y/%m/", storage=evidence_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["file"])

    class Meta:
        ordering = ["referral", "-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


def _remove_evidence_file(sender, instance: EvidenceDocument, **kwargs) -> None:
    """A deleted document's file goes with its row, once the delete commits: never before (a rolled-back
    delete keeps both). A signal, because deletes cascade from the referral without calling delete() here;
    `robust`, because the row is gone by then and a file that cannot be removed must not fail the request."""
    if instance.file:
        transaction.on_commit(partial(instance.file.storage.delete, instance.file.name), robust=True)


post_delete.connect(_remove_evidence_file, sender=EvidenceDocument, dispatch_uid="remove_evidence_file")


class ClaimChecklist(models.Model):
    """A claims officer's check of one outcome claim (a JOB_OUTCOME, SUSTAINMENT or earnings event) before
    it goes to DWP (DOMAIN.md 1, claims officer)."""

    class Status(models.TextChoices):
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        READY = "READY", "Ready for DWP"

    event = models.OneToOneField(JourneyEvent, on_delete=models.CASCADE, related_name="claim_checklist")
    answers = models.JSONField(default=dict, help_text="Checklist item -> ticked.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    note = models.TextField(blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Checklist of event {self.event_id} ({self.status})"


class Note(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:50]
