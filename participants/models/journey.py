"""Participants, referrals and their journey events (DOMAIN.md 4)."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from simple_history.models import HistoricalRecords

from ..people import mask_nino
from ..querysets import ParticipantQuerySet, ReferralQuerySet
from .contracts import Contract, Organisation, Site, Staff


class SearchName(models.Func):
    """The participant's names as the search compares them: lower case, accents removed, one string
    (`fp_search_name`, an IMMUTABLE SQL function of migration 0010, so it can be a stored generated column
    with a trigram index)."""

    function = "fp_search_name"
    output_field = models.TextField()


class Participant(models.Model):
    """A person; unique by reference within the prime that holds their records."""

    prime = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="participants")
    ref = models.CharField("participant ref", max_length=50)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="What the participant likes to be called, shown where set."
    )
    phone = models.CharField("telephone", max_length=30, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    nino = models.CharField("National Insurance number", max_length=9, blank=True)
    # Maintained by PostgreSQL from the names (imports write the names set-based and never this column).
    search_name = models.GeneratedField(
        expression=SearchName("first_name", "preferred_name", "last_name"),
        output_field=models.TextField(),
        db_persist=True,
    )
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=20, blank=True)
    disability = models.CharField(max_length=20, blank=True)
    ethnicity = models.CharField(max_length=50, blank=True)
    postcode_district = models.CharField(max_length=10, blank=True)
    # Who changed what; imports write theirs set-based (participants.imports.writer).
    history = HistoricalRecords(excluded_fields=["search_name"])

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["ref"]
        constraints = [models.UniqueConstraint(fields=["prime", "ref"], name="participant_unique_per_prime")]
        indexes = [
            GinIndex(name="participant_search_name_trgm", fields=["search_name"], opclasses=["gin_trgm_ops"])
        ]

    def __str__(self) -> str:
        return self.ref

    @property
    def display_name(self) -> str:
        """How pages name the person: preferred (else first) name and last name; the reference without."""
        given = self.preferred_name or self.first_name
        return " ".join(part for part in (given, self.last_name) if part) or self.ref

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def masked_nino(self) -> str:
        return mask_nino(self.nino)


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
    # Indexed by id and participant only, what the participant page reads (imports write here too).
    history = HistoricalRecords(no_db_index=["contract", "organisation", "site", "key_worker"])

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "referral_date", "ref"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "ref"], name="referral_unique_per_contract")
        ]
        indexes = [
            models.Index(fields=["contract", "referral_date"], name="referral_contract_date"),
            # The referral list's order (newest first, then by id) over every contract: a page walks it.
            models.Index(fields=["referral_date", "id"], name="referral_date_order"),
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
    # Indexed by id and referral only, what the participant page reads: an import writes a row here per event
    # it adds or changes, and every other index would slow it for no reader.
    history = HistoricalRecords(no_db_index=["contract", "recorded_by"])

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
