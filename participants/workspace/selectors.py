"""Read paths of the key workers' workspace: the caseload, the participant page and its sections."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .. import selectors
from ..choices import Stage
from ..models import (
    ActionPlan,
    ActionPlanReview,
    ActionPlanVersion,
    Appointment,
    ClaimChecklist,
    EventCode,
    EvidenceDocument,
    FollowUpTask,
    InWorkSupportContact,
    JobDetail,
    JourneyEvent,
    Note,
    Participant,
    Referral,
    ReferralAssignment,
    SmartGoal,
    WorkspaceSettings,
)
from ..querysets import name_or_ref, staff_of
from . import rules

# Stages in which a referral is closed: it leaves the active caseload (DOMAIN.md 4: FTA and DNS close it).
CLOSED_STAGES = (Stage.EXITED, Stage.DID_NOT_START, Stage.FAILED_TO_ATTEND)


@dataclass(frozen=True)
class WorkspaceConfig:
    fta_follow_up_working_days: int
    review_interval_months: int
    review_due_soon_days: int
    no_contact_days: int


DEFAULT_CONFIG = WorkspaceConfig(
    **{
        name: WorkspaceSettings._meta.get_field(name).default
        for name in (
            "fta_follow_up_working_days",
            "review_interval_months",
            "review_due_soon_days",
            "no_contact_days",
        )
    }
)


def claim_checklist_items() -> dict[str, str]:
    """The claim checklist's items (key -> label), in order: settings.FLIGHTPATH_CLAIM_CHECKLIST, else the
    shipped default (rules.DEFAULT_CLAIM_CHECKLIST)."""
    return dict(getattr(settings, "FLIGHTPATH_CLAIM_CHECKLIST", None) or rules.DEFAULT_CLAIM_CHECKLIST)


def workspace_config(contract_id: int) -> WorkspaceConfig:
    return workspace_configs([contract_id])[contract_id]


def workspace_configs(contract_ids) -> dict[int, WorkspaceConfig]:
    """Each contract's workspace settings (the model's defaults where a contract has no row): one query."""
    ids = set(contract_ids)
    rows = WorkspaceSettings.objects.filter(contract_id__in=ids).values()
    found = {
        row["contract_id"]: WorkspaceConfig(
            **{name: row[name] for name in DEFAULT_CONFIG.__dataclass_fields__}
        )
        for row in rows
    }
    return {contract_id: found.get(contract_id, DEFAULT_CONFIG) for contract_id in ids}


def configured_contracts() -> dict[int, WorkspaceConfig]:
    """Every contract with its own settings row (a small table); the rest use DEFAULT_CONFIG."""
    fields = list(DEFAULT_CONFIG.__dataclass_fields__)
    return {
        row["contract_id"]: WorkspaceConfig(**{name: row[name] for name in fields})
        for row in WorkspaceSettings.objects.values("contract_id", *fields)
    }


def _latest_event_detail(code: str):
    return Subquery(
        JourneyEvent.objects.filter(referral=OuterRef("pk"), code=code)
        .order_by("-event_date", "-id")
        .values("detail")[:1]
    )


def _first_event_date(code: str):
    return Subquery(
        JourneyEvent.objects.filter(referral=OuterRef("pk"), code=code)
        .order_by("event_date")
        .values("event_date")[:1]
    )


def caseload(user, *, team: bool = False, today: dt.date | None = None) -> QuerySet:
    """A key worker's own caseload (team=False) or every referral a team leader may see (team=True), each
    row annotated with what the caseload shows and sorts on, all in one SQL query (no query per row).

    Annotations: stage, psg, started_on, next_appointment, open_follow_up_due, review_due,
    last_contact, review_state ("overdue" / "due" / ""), no_contact (bool); key_worker_name (team only)."""
    today = today or timezone.localdate()
    now = timezone.now()
    # Only the relations the caseload shows: each joined row is a model built per referral.
    queryset = Referral.objects.visible_to(user).select_related("contract", "participant").with_stage()
    if team:
        queryset = queryset.annotate(key_worker_name=name_or_ref("key_worker"))
    else:
        staff = staff_of(user)
        queryset = queryset.filter(key_worker=staff) if staff else queryset.none()
    configs = configured_contracts()

    def per_contract(value_of) -> Case:
        """A date threshold that differs by contract (settings are per contract), as one SQL CASE."""
        return Case(
            *[When(contract_id=cid, then=Value(value_of(cfg))) for cid, cfg in configs.items()],
            default=Value(value_of(DEFAULT_CONFIG)),
            output_field=DateField(),
        )

    attended = Appointment.objects.filter(referral=OuterRef("pk"), status=Appointment.Status.ATTENDED)
    open_tasks = FollowUpTask.objects.filter(referral=OuterRef("pk"), done_at__isnull=True)
    queryset = queryset.annotate(
        psg=_latest_event_detail(EventCode.PSG_CHANGED),
        started_on=_first_event_date(EventCode.STARTED),
        next_appointment=Subquery(
            Appointment.objects.filter(
                referral=OuterRef("pk"), status=Appointment.Status.PLANNED, starts_at__gte=now
            )
            .order_by("starts_at")
            .values("starts_at")[:1]
        ),
        open_follow_up_due=Subquery(open_tasks.order_by("due_date").values("due_date")[:1]),
        review_due=F("action_plan__next_review_due"),
        last_contact=Greatest(
            Coalesce(
                Subquery(
                    attended.order_by("-starts_at").annotate(day=TruncDate("starts_at")).values("day")[:1]
                ),
                F("referral_date"),
            ),
            Coalesce(
                Subquery(
                    InWorkSupportContact.objects.filter(referral=OuterRef("pk"))
                    .order_by("-contact_date")
                    .values("contact_date")[:1]
                ),
                F("referral_date"),
            ),
            output_field=DateField(),
        ),
        review_soon_by=per_contract(lambda cfg: today + dt.timedelta(days=cfg.review_due_soon_days)),
        no_contact_before=per_contract(lambda cfg: today - dt.timedelta(days=cfg.no_contact_days)),
    ).annotate(
        review_state=Case(
            When(review_due__lt=today, then=Value("overdue")),
            When(review_due__lte=F("review_soon_by"), then=Value("due")),
            default=Value(""),
        ),
        no_contact=Case(
            When(Q(last_contact__lt=F("no_contact_before")) & ~Q(stage__in=CLOSED_STAGES), then=Value(True)),
            default=Value(False),
        ),
    )
    return queryset


def active(queryset: QuerySet) -> QuerySet:
    """Referrals still open (not exited, not closed by a DNS or FTA)."""
    return queryset.exclude(stage__in=CLOSED_STAGES)


COUNTS = ("total", "fta_open", "reviews_overdue", "no_contact")


def team_summary(queryset: QuerySet) -> list[dict]:
    """Per key worker: caseload size and what needs attention, one grouped query (grouped, so the counts
    can filter on the row annotations)."""
    return list(
        queryset.order_by()
        .values("key_worker_id", key_worker_name=name_or_ref("key_worker"))
        .annotate(
            total=Count("pk"),
            fta_open=Count("pk", filter=Q(open_follow_up_due__isnull=False)),
            reviews_overdue=Count("pk", filter=Q(review_state="overdue")),
            no_contact=Count("pk", filter=Q(no_contact=True)),
        )
        .order_by("key_worker__name", "key_worker__ref")
    )


def caseload_summary(rows: list[dict]) -> dict:
    """The caseload header's counts: the per-key-worker counts added up."""
    return {name: sum(row[name] for row in rows) for name in COUNTS}


def visible_referral(user, referral_id: int) -> Referral:
    """One referral the user may see (404 otherwise, as if it did not exist), with its contract, participant
    and key worker."""
    try:
        return (
            Referral.objects.visible_to(user)
            .select_related("contract", "participant", "key_worker")
            .get(pk=referral_id)
        )
    except Referral.DoesNotExist as exc:
        raise Http404("No such referral.") from exc


def visible_participant(user, pk: int) -> Participant:
    """One participant the user may see (404 otherwise), with their prime."""
    try:
        return Participant.objects.visible_to(user).select_related("prime").get(pk=pk)
    except Participant.DoesNotExist as exc:
        raise Http404("No such participant.") from exc


def visible_appointment(user, pk: int) -> Appointment:
    """One appointment of a referral the user may see (404 otherwise), with its referral and contract."""
    return get_object_or_404(
        Appointment.objects.filter(referral__in=Referral.objects.visible_to(user)).select_related(
            "referral__contract"
        ),
        pk=pk,
    )


def visible_follow_up(user, pk: int) -> FollowUpTask:
    """One follow-up task of a referral the user may see (404 otherwise), with its referral."""
    return get_object_or_404(
        FollowUpTask.objects.filter(referral__in=Referral.objects.visible_to(user)).select_related(
            "referral"
        ),
        pk=pk,
    )


def participant_page(participant: Participant, user) -> list[Referral]:
    """The participant's visible referrals with events, assignments, appointments, open follow-ups and the
    current action plan with its goals: a fixed number of queries, whatever the history's size."""
    referrals = (
        selectors.visible_referrals(user)
        .filter(participant=participant)
        .select_related("action_plan")
        .annotate(started_on=_first_event_date(EventCode.STARTED))
        .prefetch_related(
            Prefetch(
                "events",
                queryset=JourneyEvent.objects.select_related("recorded_by").order_by("event_date", "id"),
            ),
            Prefetch("assignments", queryset=_assignments()),
            Prefetch("appointments", queryset=Appointment.objects.order_by("-starts_at", "-id")),
            Prefetch(
                "follow_ups",
                queryset=FollowUpTask.objects.filter(done_at__isnull=True),
                to_attr="open_follow_ups",
            ),
            "action_plan__goals",
        )
        .order_by("-referral_date")
    )
    return list(referrals)


def _assignments():
    return ReferralAssignment.objects.select_related("organisation", "site", "key_worker")


def psg_history(referral: Referral) -> list[JourneyEvent]:
    """The PSG moves of a referral, oldest first, from its prefetched events (no query)."""
    return [event for event in referral.events.all() if event.code == EventCode.PSG_CHANGED]


def current_psg(referral: Referral) -> str:
    """The referral's Peer Support Group: the detail of its latest PSG_CHANGED event ('' when none)."""
    moves = psg_history(referral)
    return moves[-1].detail if moves else ""


def participant_jobs(participant: Participant, user) -> QuerySet:
    return (
        JobDetail.objects.filter(
            referral__in=Referral.objects.visible_to(user).filter(participant=participant)
        )
        .select_related("referral")
        .prefetch_related("contacts")
    )


def participant_in_work_contacts(participant: Participant, user) -> QuerySet:
    return InWorkSupportContact.objects.filter(
        referral__in=Referral.objects.visible_to(user).filter(participant=participant)
    ).select_related("referral", "job", "recorded_by")


def participant_evidence(participant: Participant, user) -> QuerySet:
    return EvidenceDocument.objects.filter(
        referral__in=Referral.objects.visible_to(user).filter(participant=participant)
    ).select_related("referral", "uploaded_by")


def participant_claims(participant: Participant, user) -> QuerySet:
    """Outcome claims (job outcome, sustainment, earnings events) with their checklist, if any."""
    return (
        JourneyEvent.objects.filter(
            referral__in=Referral.objects.visible_to(user).filter(participant=participant),
            code__in=CLAIM_CODES,
        )
        .select_related("referral", "claim_checklist")
        .order_by("event_date", "id")
    )


CLAIM_CODES = (EventCode.JOB_OUTCOME, EventCode.SUSTAINMENT, EventCode.EARNINGS_1000, EventCode.EARNINGS_2000)


def participant_notes(participant: Participant, user) -> QuerySet:
    return Note.objects.filter(
        referral__in=Referral.objects.visible_to(user).filter(participant=participant)
    ).select_related("referral", "author")


def participant_history(participant: Participant, user, limit: int = 100) -> list[dict]:
    """Who changed what: the simple-history records of the participant, their referrals and events and the
    workspace rows, newest first, each with the fields that changed since that row's previous record and,
    for an import's changes, the import (its history rows carry "import N" as their reason). Read from the
    history tables, so deleted rows keep their trail. One query per audited model."""
    referral_ids = list(
        Referral.objects.visible_to(user).filter(participant=participant).values_list("pk", flat=True)
    )
    plan_ids = ActionPlan.objects.filter(referral_id__in=referral_ids).values("pk")
    event_ids = JourneyEvent.objects.filter(referral_id__in=referral_ids).values("pk")
    sources = [
        (Participant, Q(id=participant.pk)),
        (Referral, Q(id__in=referral_ids)),
        (JourneyEvent, Q(referral_id__in=referral_ids)),
        (Appointment, Q(referral_id__in=referral_ids)),
        (FollowUpTask, Q(referral_id__in=referral_ids)),
        (ActionPlan, Q(referral_id__in=referral_ids)),
        (SmartGoal, Q(plan_id__in=plan_ids)),
        (ActionPlanReview, Q(plan_id__in=plan_ids)),
        (JobDetail, Q(referral_id__in=referral_ids)),
        (InWorkSupportContact, Q(referral_id__in=referral_ids)),
        (EvidenceDocument, Q(referral_id__in=referral_ids)),
        (ClaimChecklist, Q(event_id__in=event_ids)),
        (Note, Q(referral_id__in=referral_ids)),
    ]
    rows = []
    for model, scope in sources:
        records = list(
            model.history.filter(scope)
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")  # an import's rows share its transaction's time
        )
        fields = {
            f.attname: str(f.verbose_name)
            for f in model.history.model._meta.fields
            if not f.attname.startswith("history_") and f.attname not in ("id", "updated_at", "checked_at")
        }
        previous = {}
        for record in records:
            before = previous.get(record.id)
            changed = [
                label
                for name, label in fields.items()
                if before is not None and getattr(before, name) != getattr(record, name)
            ]
            previous[record.id] = record
            rows.append(
                {
                    "when": record.history_date,
                    "order": record.history_id,
                    "who": record.history_user,
                    "via": record.history_change_reason or "",
                    "what": model._meta.verbose_name,
                    # A referral's own __str__ reads its contract: its reference names it without a query.
                    "object": record.ref if model is Referral else str(record.instance),
                    "action": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                    "changed": changed,
                }
            )
    rows.sort(key=lambda row: (row["when"], row["order"]), reverse=True)
    return rows[:limit]


def action_plan_history(referral: Referral) -> dict:
    """What the action plan page and its PDF show: the plan with its goals (None before the first save), its
    versions newest first, each with `changes` from the version before it, and its reviews."""
    plan = ActionPlan.objects.filter(referral=referral).prefetch_related("goals").first()
    versions: list[ActionPlanVersion] = (
        list(plan.versions.select_related("created_by").order_by("-number")) if plan else []
    )
    older_versions = [*versions[1:], None] if versions else []  # the first version has none before it
    for newer, older in zip(versions, older_versions, strict=True):
        newer.changes = rules.plan_changes(
            older.goals if older else [], newer.goals, dict(SmartGoal.Status.choices)
        )
    reviews: list[ActionPlanReview] = list(plan.reviews.select_related("reviewed_by")) if plan else []
    return {"plan": plan, "versions": versions, "reviews": reviews}


def overdue_for_reminders(today: dt.date, *, users: QuerySet) -> tuple[QuerySet, QuerySet]:
    """(plans whose review is overdue, open follow-ups) of referrals whose key worker's login is in `users`
    (the daily email's recipients)."""
    mine = Q(referral__key_worker__user__in=users)
    plans = (
        ActionPlan.objects.filter(mine, next_review_due__lt=today)
        .exclude(referral__in=Referral.objects.with_stage().filter(stage__in=CLOSED_STAGES))
        .select_related("referral__participant", "referral__key_worker__user")
        .order_by("next_review_due")
    )
    tasks = (
        FollowUpTask.objects.filter(mine, done_at__isnull=True)
        .select_related("referral__participant", "referral__key_worker__user")
        .order_by("due_date")
    )
    return plans, tasks
