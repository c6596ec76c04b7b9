"""Contracts, organisations, staff, participants, referrals and their journey events (DOMAIN.md 1, 2, 4)."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from . import journey
from .querysets import ContractQuerySet, ParticipantQuerySet, ReferralQuerySet


class Nation(models.TextChoices):
    ENGLAND = "ENG", "England"
    WALES = "WLS", "Wales"
    SCOTLAND = "SCT", "Scotland"


class CohortBasis(models.TextChoices):
    REFERRAL = "REFERRAL", "Referral date"
    START = "START", "Start date"


class Programme(models.Model):
    """A programme template: groups, measured groups, cohort basis and outcome window (DOMAIN.md 2, 5)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)
    groups = models.JSONField(help_text="The programme's groups, in display order.")
    measured_groups = models.JSONField(help_text="Groups measured against MPL at quarterly reviews.")
    cohort_basis = models.CharField(max_length=10, choices=CohortBasis.choices)
    outcome_window_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="An outcome counts for its cohort at most this many days after start.",
    )
    has_quarterly_review = models.BooleanField(default=False, help_text="WP formal quarterly reviews.")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PRIME = "PRIME", "Prime provider"
        SUBCONTRACTOR = "SUBCONTRACTOR", "Subcontractor"

    ref = models.CharField("organisation ref", max_length=50, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subcontractors"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    """A prime's contract for one programme in one Contract Package Area (DATA.md contracts.csv)."""

    class Regime(models.TextChoices):
        PMR = "PMR", "Performance Management Regime"
        EPR = "EPR", "Enhanced Performance Regime"
        PIN = "PIN", "Performance Improvement Notice"

    ref = models.CharField("contract ref", max_length=50, unique=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="contracts")
    name = models.CharField(max_length=200)
    prime = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contracts")
    cpa = models.CharField("contract package area", max_length=50)
    nation = models.CharField(max_length=3, choices=Nation.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    year_start_month = models.PositiveSmallIntegerField(
        default=4, help_text="Month the contract year starts (1-12); places the quarters."
    )
    regime = models.CharField(max_length=8, choices=Regime.choices, default=Regime.PMR)
    devolution_deal_areas = models.JSONField(default=list, blank=True)
    delivery_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="delivered_contracts",
        help_text="Organisations delivering referrals on this contract (the prime and its subcontractors).",
    )
    dwp_contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="dwp_contracts",
        help_text="DWP performance and supplier managers named on the contract.",
    )
    history = HistoricalRecords(excluded_fields=["devolution_deal_areas"])

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year_start_month__gte=1, year_start_month__lte=12),
                name="contract_year_start_month_range",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="contract_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"


class Site(models.Model):
    ref = models.CharField("site ref", max_length=50, unique=True)
    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sites")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(max_length=200)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="teams")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="team_unique_per_site")]

    def __str__(self) -> str:
        return f"{self.name} ({self.site})"


class Role(models.TextChoices):
    """DOMAIN.md section 1. Each role is also a Django group carrying its permissions."""

    KEY_WORKER = "KEY_WORKER", "Key worker"
    PERFORMANCE_MANAGER = "PERFORMANCE_MANAGER", "Team leader / performance manager"
    PARTNERSHIPS_MANAGER = "PARTNERSHIPS_MANAGER", "Partnerships manager"
    CONTRACT_MANAGER = "CONTRACT_MANAGER", "Contract manager"
    CLAIMS_OFFICER = "CLAIMS_OFFICER", "Claims officer"
    DWP_CONTACT = "DWP_CONTACT", "DWP contact"


class Staff(models.Model):
    """A member of staff. Key workers named in imports exist before they have a login (user is then null)."""

    ref = models.CharField("staff ref", max_length=80, unique=True)
    name = models.CharField(max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )
    role = models.CharField(max_length=24, choices=Role.choices, default=Role.KEY_WORKER)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text="Empty for DWP contacts.",
    )
    sites = models.ManyToManyField(Site, blank=True, related_name="staff")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "ref"]
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return self.name or self.ref


class Participant(models.Model):
    """A person; unique by reference within the prime that holds their records."""

    prime = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="participants")
    ref = models.CharField("participant ref", max_length=50)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=20, blank=True)
    disability = models.CharField(max_length=20, blank=True)
    ethnicity = models.CharField(max_length=50, blank=True)
    postcode_district = models.CharField(max_length=10, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["ref"]
        constraints = [models.UniqueConstraint(fields=["prime", "ref"], name="participant_unique_per_prime")]

    def __str__(self) -> str:
        return self.ref


class Referral(models.Model):
    """One referral of a participant to a contract. Organisation, site and key worker changes keep history
    in ReferralAssignment; the journey stage is derived from events (see `stage`)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="referrals")
    ref = models.CharField("referral ref", max_length=50)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="referrals")
    referral_date = models.DateField()
    group = models.CharField(max_length=20)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals", help_text="Delivering organisation."
    )
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    key_worker = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="caseload"
    )
    dda = models.CharField("devolution deal area", max_length=50, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "referral_date", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "ref"], name="referral_unique_per_contract")
        ]
        indexes = [
            models.Index(fields=["contract", "referral_date"], name="referral_contract_date"),
            models.Index(fields=["contract", "group"], name="referral_contract_group"),
            models.Index(fields=["key_worker"], name="referral_key_worker"),
            models.Index(fields=["organisation"], name="referral_org"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.ref}/{self.ref}"


class ReferralAssignment(models.Model):
    """Who delivered a referral when: one row per assignment, the open one has `until` null."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="assignments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    key_worker = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField()
    until = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["referral", "since"]
        indexes = [models.Index(fields=["referral", "since"], name="assignment_referral_since")]

    def __str__(self) -> str:
        return f"{self.referral} with {self.organisation} from {self.since:%Y-%m-%d}"


class EventCode(models.TextChoices):
    """DOMAIN.md section 4; import files and the API use exactly these codes."""

    REFERRED = "REFERRED", "Referred"
    ACKNOWLEDGED = "ACKNOWLEDGED", "Acknowledged on PRaP"
    STARTED = "STARTED", "Started"
    DID_NOT_START = "DID_NOT_START", "Did not start"
    FAILED_TO_ATTEND = "FAILED_TO_ATTEND", "Failed to attend"
    PRAP_RECORDED = "PRAP_RECORDED", "Recorded on PRaP"
    ENGAGED = "ENGAGED", "Engaged"
    ACTION_PLAN_AGREED = "ACTION_PLAN_AGREED", "Action plan agreed"
    ESF_FORM_SIGNED = "ESF_FORM_SIGNED", "ESF form signed"
    ESF_FORM_SENT = "ESF_FORM_SENT", "ESF form sent"
    JOB_START = "JOB_START", "Job start"
    EARNINGS_START = "EARNINGS_START", "Earnings start"
    EARNINGS_1000 = "EARNINGS_1000", "Earnings £1,000"
    EARNINGS_2000 = "EARNINGS_2000", "Earnings £2,000"
    JOB_OUTCOME = "JOB_OUTCOME", "Job outcome"
    OUTCOME_INVALIDATED = "OUTCOME_INVALIDATED", "Outcome invalidated"
    SUSTAINMENT = "SUSTAINMENT", "Sustainment"
    NON_COMPLIANCE = "NON_COMPLIANCE", "Non-compliance"
    SANCTION_DOUBT_RAISED = "SANCTION_DOUBT_RAISED", "Sanction doubt raised"
    EXITED = "EXITED", "Exited"
    EXIT_REPORT_SENT = "EXIT_REPORT_SENT", "Exit report sent"
    PSG_CHANGED = "PSG_CHANGED", "Peer support group changed"


# A referral has at most one of these (DOMAIN.md 4); it is resolved from that event's date.
RESOLUTION_CODES = tuple(EventCode(code) for code in journey.RESOLUTION_CODES)


class PeerSupportGroup(models.TextChoices):
    PRE_CONTEMPLATION = "PRE_CONTEMPLATION", "Pre-contemplation"
    CONTEMPLATION = "CONTEMPLATION", "Contemplation"
    PREPARATION = "PREPARATION", "Preparation"
    CANDIDATE_POOL = "CANDIDATE_POOL", "Candidate pool"


class JourneyEvent(models.Model):
    """A dated fact about a referral. Key: (referral, code, event_date) (DOMAIN.md 15.17)."""

    class Source(models.TextChoices):
        IMPORT = "IMPORT", "Import"
        BROWSER = "BROWSER", "Recorded in Flightpath"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="events")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    code = models.CharField(max_length=24, choices=EventCode.choices)
    event_date = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    detail = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.IMPORT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["referral", "event_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "code", "event_date"], name="event_key"),
        ]
        indexes = [
            models.Index(fields=["contract", "code", "event_date"], name="event_contract_code_date"),
            models.Index(fields=["contract", "event_date"], name="event_contract_date"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.event_date}"


class ImportRun(models.Model):
    """One import of a bundle: who, when, what files (with checksums), what changed, and any errors."""

    class Status(models.TextChoices):
        RUNNING = "RUNNING", "Running"
        SUCCEEDED = "SUCCEEDED", "Succeeded"
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

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.status})"


class ValidationRound(models.Model):
    """DWP's post-payment validation of a period's outcomes (DATA.md validation_rounds.csv; DOMAIN.md 8, 13).
    Held here, beside the import, because compliance lists and edits them and performance uses them."""

    class Status(models.TextChoices):
        PROVISIONAL = "PROVISIONAL", "Provisional"
        FINAL = "FINAL", "Final"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="validation_rounds")
    round = models.PositiveIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    invalid_pct = models.DecimalField(max_digits=6, decimal_places=2)
    status = models.CharField(max_length=12, choices=Status.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "round"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "round"], name="validation_round_unique"),
            models.CheckConstraint(
                condition=models.Q(invalid_pct__gte=0, invalid_pct__lte=100),
                name="validation_round_pct_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.ref} round {self.round} ({self.status})"


class MplProfile(models.Model):
    """A point of a group's MPL profile: cumulative % of a cohort with a job outcome by month k on
    programme (DATA.md mpl_profiles.csv; DOMAIN.md 7, 15.9)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="mpl_profiles")
    group = models.CharField(max_length=20)
    month = models.PositiveSmallIntegerField()
    cumulative_pct = models.DecimalField(max_digits=6, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "group", "month"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "group", "month"], name="mpl_profile_unique"),
            models.CheckConstraint(condition=models.Q(month__gte=1), name="mpl_profile_month_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.ref} {self.group} month {self.month}: {self.cumulative_pct}%"


class MplTarget(models.Model):
    """A DWP-notified required-outcomes figure that overrides the derived MPL for an exact group and
    period (DATA.md mpl_targets.csv; DOMAIN.md 7, 15.10)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="mpl_targets")
    group = models.CharField(max_length=20)
    period_start = models.DateField()
    period_end = models.DateField()
    required_outcomes = models.DecimalField(max_digits=12, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "period_start", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "group", "period_start", "period_end"], name="mpl_target_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.ref} {self.group} {self.period_start}..{self.period_end}"


class JobRun(models.Model):
    """One run of a background job for a contract (recomputes, digests, reports): status, timing, progress
    and error, shown in the browser. At most one RUNNING run per (kind, contract): the claim."""

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
    history = HistoricalRecords()

    class Meta:
        ordering = ["referral", "-start_date"]

    def __str__(self) -> str:
        return f"{self.employer} from {self.start_date}"


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
    from django.core.files.storage import FileSystemStorage

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
