"""Write paths of the key workers' workspace (DOMAIN.md 1, 4, 11): one function per use case, each atomic,
keyword-only. Every journey event they cause goes through `record_event`, which holds DOMAIN.md 4's rules."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..errors import FlightpathError
from ..jobs import enqueue_recompute
from ..journey import RESOLUTION_CODES
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
    PeerSupportGroup,
    Referral,
    SmartGoal,
)
from . import rules as rules
from .selectors import CLAIM_CODES, claim_checklist_items, workspace_config

EARNINGS_CODES = (EventCode.EARNINGS_START, EventCode.EARNINGS_1000, EventCode.EARNINGS_2000)


class ActionPlanConflict(FlightpathError):
    """Someone saved the plan after this editor opened it (optimistic locking)."""


def record_event(
    *,
    referral: Referral,
    code: str,
    event_date: dt.date,
    user,
    amount: Decimal | None = None,
    detail: str = "",
    first_only: bool = False,
) -> JourneyEvent | None:
    """Write one journey event recorded in the browser, under DOMAIN.md 4 and 15.17:
    - no event before the referral date, none in the future;
    - at most one resolution (STARTED / DID_NOT_START / FAILED_TO_ATTEND) per referral;
    - (referral, code, date) is unique: the same event on the same day is refused.
    `first_only`: the event marks a first occurrence (ENGAGED, ACTION_PLAN_AGREED); if the referral has one
    already nothing is written and None is returned."""
    Referral.objects.select_for_update().filter(pk=referral.pk).first()  # serialise writers of one referral
    label = EventCode(code).label
    if event_date < referral.referral_date:
        raise FlightpathError(
            f"{label} on {event_date:%d %b %Y} would be before the referral date "
            f"{referral.referral_date:%d %b %Y}.",
            field="event_date",
        )
    if event_date > timezone.localdate():
        raise FlightpathError(
            f"{label} cannot be dated in the future ({event_date:%d %b %Y}).", field="event_date"
        )
    existing = referral.events.filter(code=code)
    if first_only and existing.exists():
        return None
    if code in RESOLUTION_CODES:
        resolution = referral.events.filter(code__in=RESOLUTION_CODES).order_by("event_date").first()
        if resolution is not None:
            raise FlightpathError(
                f"Referral {referral.ref} already has its resolution: {resolution.get_code_display()} on "
                f"{resolution.event_date:%d %b %Y}. A referral has only one start, did-not-start or "
                "failure to "
                "attend; a participant who engages later comes back as a new referral.",
                field="event_date",
            )
    if existing.filter(event_date=event_date).exists():
        raise FlightpathError(
            f"{label} on {event_date:%d %b %Y} is already recorded for referral {referral.ref}.",
            field="event_date",
        )
    event = JourneyEvent.objects.create(
        contract_id=referral.contract_id,
        referral=referral,
        code=code,
        event_date=event_date,
        amount=amount,
        detail=detail,
        source=JourneyEvent.Source.BROWSER,
        recorded_by=user,
    )
    # The contract's figures (standards such as CAP5, flows, performance) follow, as after an import.
    enqueue_recompute({referral.contract_id: [f"{event_date:%Y-%m}"]})
    return event


# Appointments and failure to attend -----------------------------------------------------------------------


@transaction.atomic
def book_appointment(
    *, referral: Referral, kind: str, starts_at: dt.datetime, location: str = "", note: str = "", user
) -> Appointment:
    if timezone.localtime(starts_at).date() < referral.referral_date:
        raise FlightpathError("An appointment cannot be before the referral date.", field="starts_at")
    return Appointment.objects.create(
        referral=referral, kind=kind, starts_at=starts_at, location=location, note=note, booked_by=user
    )


def _planned(appointment: Appointment) -> Appointment:
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.status != Appointment.Status.PLANNED:
        raise FlightpathError(f"This appointment is already {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def rebook_appointment(
    *, appointment: Appointment, starts_at: dt.datetime, location: str = "", user
) -> Appointment:
    appointment = _planned(appointment)
    if timezone.localtime(starts_at).date() < appointment.referral.referral_date:
        raise FlightpathError("An appointment cannot be before the referral date.", field="starts_at")
    appointment.starts_at = starts_at
    appointment.location = location or appointment.location
    appointment.save(update_fields=["starts_at", "location"])
    return appointment


@transaction.atomic
def cancel_appointment(*, appointment: Appointment, reason: str, user) -> Appointment:
    appointment = _planned(appointment)
    if not reason.strip():
        raise FlightpathError("Say why the appointment is cancelled.", field="reason")
    appointment.status = Appointment.Status.CANCELLED
    appointment.note = f"{appointment.note}\nCancelled: {reason}".strip()
    appointment.save(update_fields=["status", "note"])
    return appointment


@transaction.atomic
def record_attendance(
    *,
    appointment: Appointment,
    attended: bool,
    fta_reason: str = "",
    note: str = "",
    started: bool = False,
    user,
) -> Appointment:
    """Attended or failed to attend (DOMAIN.md 4). An attended initial engagement is the referral's ENGAGED
    event (the first only); `started` records the start (STARTED) on the appointment's date. A failure to
    attend creates a follow-up due within the contract's working days; on the initial engagement it is the
    referral's FAILED_TO_ATTEND resolution, which closes the referral."""
    appointment = _planned(appointment)
    referral = appointment.referral
    day = timezone.localtime(appointment.starts_at).date()
    if day > timezone.localdate():
        raise FlightpathError(
            "Attendance can be recorded once the appointment's day has come.", field="attended"
        )
    initial = appointment.kind == Appointment.Kind.INITIAL_ENGAGEMENT
    appointment.note = f"{appointment.note}\n{note}".strip() if note else appointment.note
    if attended:
        appointment.status = Appointment.Status.ATTENDED
        if initial:
            record_event(
                referral=referral, code=EventCode.ENGAGED, event_date=day, user=user, first_only=True
            )
        if started:
            record_event(referral=referral, code=EventCode.STARTED, event_date=day, user=user)
    else:
        if not fta_reason:
            raise FlightpathError("Choose the reason the participant did not attend.", field="fta_reason")
        if started:
            raise FlightpathError(
                "A participant who did not attend cannot start at this appointment.", field="started"
            )
        appointment.status = Appointment.Status.FAILED_TO_ATTEND
        appointment.fta_reason = fta_reason
        if initial:
            record_event(referral=referral, code=EventCode.FAILED_TO_ATTEND, event_date=day, user=user)
        config = workspace_config(referral.contract_id)
        FollowUpTask.objects.create(
            referral=referral,
            appointment=appointment,
            description=f"Follow up failure to attend ({appointment.get_kind_display().lower()}, "
            f"{Appointment.FtaReason(fta_reason).label.lower()})",
            due_date=rules.fta_follow_up_due(
                referral.contract.nation, day, config.fta_follow_up_working_days
            ),
        )
    appointment.save(update_fields=["status", "fta_reason", "note"])
    return appointment


@transaction.atomic
def complete_follow_up(*, task: FollowUpTask, outcome: str, user) -> FollowUpTask:
    task = FollowUpTask.objects.select_for_update().get(pk=task.pk)
    if task.done_at is not None:
        raise FlightpathError("This follow-up is already done.")
    if not outcome.strip():
        raise FlightpathError("Say what was done to follow up.", field="outcome")
    task.done_at, task.done_by, task.outcome = timezone.now(), user, outcome.strip()
    task.save(update_fields=["done_at", "done_by", "outcome"])
    return task


# Action plans ---------------------------------------------------------------------------------------------


def _goal_snapshot(goal: dict) -> dict:
    return {"key": goal["key"], **{name: str(goal[name]) for name in rules.GOAL_FIELDS}}


@transaction.atomic
def save_action_plan(
    *,
    referral: Referral,
    expected_version: int,
    goals: list[dict],
    agreed_on: dt.date | None,
    change_note: str = "",
    user,
) -> ActionPlan:
    """Save a revision of the plan, kept whole as a version. `expected_version` is the version the editor
    started from: if anyone saved since, ActionPlanConflict is raised and nothing is written. The first
    agreement writes ACTION_PLAN_AGREED (DOMAIN.md 4) and starts the review clock."""
    if not goals:
        raise FlightpathError("An action plan needs at least one SMART goal.", field="goals")
    plan, _ = ActionPlan.objects.get_or_create(referral=referral)
    updated = ActionPlan.objects.filter(pk=plan.pk, version=expected_version).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
    if not updated:
        plan.refresh_from_db()
        who = plan.updated_by.get_full_name() or plan.updated_by.username if plan.updated_by else "someone"
        raise ActionPlanConflict(
            f"{who} saved this plan (version {plan.version}) at {timezone.localtime(plan.updated_at):%H:%M} "
            f"after you opened version {expected_version}. Nothing you typed is lost: it is still in the "
            "form "
            "below. Check it against the saved plan shown beside it, then save again.",
            field="version",
        )
    plan.refresh_from_db()
    if agreed_on and plan.agreed_on is None:
        record_event(
            referral=referral,
            code=EventCode.ACTION_PLAN_AGREED,
            event_date=agreed_on,
            user=user,
            first_only=True,
        )
        config = workspace_config(referral.contract_id)
        plan.agreed_on = agreed_on
        plan.next_review_due = rules.next_review_due(agreed_on, config.review_interval_months)
        plan.save(update_fields=["agreed_on", "next_review_due"])
    snapshot = [_goal_snapshot({**goal, "key": goal.get("key") or uuid.uuid4().hex}) for goal in goals]
    plan.goals.all().delete()
    SmartGoal.objects.bulk_create(
        [
            SmartGoal(
                plan=plan,
                position=position,
                key=goal["key"],
                goal=goal["goal"],
                measure=goal["measure"],
                owner=goal["owner"],
                due_date=dt.date.fromisoformat(goal["due_date"]),
                status=goal["status"],
            )
            for position, goal in enumerate(snapshot)
        ]
    )
    ActionPlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        goals=snapshot,
        agreed_on=plan.agreed_on,
        change_note=change_note,
        created_by=user,
    )
    return plan


@transaction.atomic
def record_review(*, plan: ActionPlan, reviewed_on: dt.date, note: str, user) -> ActionPlanReview:
    """A review of an agreed plan moves its next review date on by the contract's interval (DOMAIN.md 4)."""
    plan = ActionPlan.objects.select_for_update().select_related("referral").get(pk=plan.pk)
    if plan.agreed_on is None:
        raise FlightpathError("Agree the plan with the participant before reviewing it.", field="reviewed_on")
    if reviewed_on < plan.agreed_on:
        raise FlightpathError(
            f"A review cannot be before the plan was agreed ({plan.agreed_on:%d %b %Y}).", field="reviewed_on"
        )
    if reviewed_on > timezone.localdate():
        raise FlightpathError("A review cannot be dated in the future.", field="reviewed_on")
    if not note.strip():
        raise FlightpathError("Write what the review found.", field="note")
    review = ActionPlanReview.objects.create(
        plan=plan, reviewed_on=reviewed_on, note=note.strip(), reviewed_by=user
    )
    latest = plan.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True).first()
    config = workspace_config(plan.referral.contract_id)
    plan.next_review_due = rules.next_review_due(latest, config.review_interval_months)
    plan.save(update_fields=["next_review_due"])
    return review


# Peer support groups, jobs, earnings, in-work support ------------------------------------------------------


@transaction.atomic
def move_psg(*, referral: Referral, group: str, moved_on: dt.date, note: str, user) -> JourneyEvent:
    """Move a participant to another Peer Support Group: a PSG_CHANGED event whose detail is the group."""
    if group not in PeerSupportGroup.values:
        raise FlightpathError(f"Unknown peer support group {group!r}.", field="group")
    current = (
        referral.events.filter(code=EventCode.PSG_CHANGED)
        .order_by("-event_date", "-id")
        .values_list("detail", flat=True)
        .first()
    )
    if current == group:
        raise FlightpathError(
            f"The participant is already in {PeerSupportGroup(group).label}.", field="group"
        )
    event = record_event(
        referral=referral, code=EventCode.PSG_CHANGED, event_date=moved_on, user=user, detail=group
    )
    if note.strip():
        Note.objects.create(
            referral=referral, author=user, text=f"Moved to {PeerSupportGroup(group).label}: {note.strip()}"
        )
    return event


@transaction.atomic
def record_job_start(
    *,
    referral: Referral,
    employer: str,
    hours_per_week: Decimal,
    start_date: dt.date,
    self_employed: bool,
    user,
) -> JobDetail:
    """A job or self-employment start: the job's details and its JOB_START event (detail self_employed)."""
    if hours_per_week <= 0 or hours_per_week > 100:
        raise FlightpathError("Hours per week must be more than 0 and at most 100.", field="hours_per_week")
    record_event(
        referral=referral,
        code=EventCode.JOB_START,
        event_date=start_date,
        user=user,
        detail="self_employed" if self_employed else "",
    )
    return JobDetail.objects.create(
        referral=referral,
        employer=employer.strip(),
        hours_per_week=hours_per_week,
        start_date=start_date,
        self_employed=self_employed,
        recorded_by=user,
    )


@transaction.atomic
def record_earnings_milestone(
    *, referral: Referral, code: str, reached_on: dt.date, amount: Decimal | None, user
) -> JourneyEvent:
    if code not in EARNINGS_CODES:
        raise FlightpathError(f"Unknown earnings milestone {code!r}.", field="code")
    return record_event(referral=referral, code=code, event_date=reached_on, user=user, amount=amount)


@transaction.atomic
def record_in_work_contact(
    *, referral: Referral, job: JobDetail | None, contact_date: dt.date, method: str, note: str, user
) -> InWorkSupportContact:
    if job is not None and job.referral_id != referral.pk:
        raise FlightpathError("That job belongs to another referral.", field="job")
    if contact_date > timezone.localdate():
        raise FlightpathError("A contact cannot be dated in the future.", field="contact_date")
    return InWorkSupportContact.objects.create(
        referral=referral,
        job=job,
        contact_date=contact_date,
        method=method,
        note=note.strip(),
        recorded_by=user,
    )


@transaction.atomic
def add_note(*, referral: Referral, text: str, user) -> Note:
    if not text.strip():
        raise FlightpathError("A note cannot be empty.", field="text")
    return Note.objects.create(referral=referral, text=text.strip(), author=user)


# Evidence and claim checklists -----------------------------------------------------------------------------


@transaction.atomic
def upload_evidence(
    *, referral: Referral, uploaded_file, kind: str, claim_code: str = "", user
) -> EvidenceDocument:
    """Store an evidence document privately under MEDIA_ROOT/evidence/. Its type is read from its content
    (PDF, JPEG, PNG, DOCX by default) and must agree with its name; its size is capped (settings)."""
    limit = settings.FLIGHTPATH_EVIDENCE_MAX_BYTES
    if uploaded_file.size > limit:
        raise FlightpathError(
            f"The file is {uploaded_file.size / 1048576:.1f} MB; the limit is {limit / 1048576:.0f} MB.",
            field="file",
        )
    if uploaded_file.size == 0:
        raise FlightpathError("The file is empty.", field="file")
    data = uploaded_file.read()
    allowed = settings.FLIGHTPATH_EVIDENCE_TYPES
    sniffed = rules.sniff_evidence_type(data[:16], data)
    names = ", ".join(name.upper() for name in allowed)
    if sniffed not in allowed:
        raise FlightpathError(f"This file's content is not an allowed type ({names}).", field="file")
    extension = uploaded_file.name.rsplit(".", 1)[-1].lower() if "." in uploaded_file.name else ""
    if extension not in rules.EVIDENCE_EXTENSIONS[sniffed]:
        raise FlightpathError(
            f"The file's content is {sniffed.upper()} but its name ends '.{extension}'.", field="file"
        )
    document = EvidenceDocument(
        referral=referral,
        kind=kind,
        claim_code=claim_code,
        original_name=uploaded_file.name[:255],
        content_type=rules.EVIDENCE_CONTENT_TYPES[sniffed],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
    )
    document.file.save(
        f"{uuid.uuid4().hex}.{rules.EVIDENCE_EXTENSIONS[sniffed][0]}", ContentFile(data), save=False
    )
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)  # no row, no file: nothing is left half-written
        raise
    return document


@transaction.atomic
def save_claim_checklist(*, event: JourneyEvent, answers: dict[str, bool], note: str, user) -> ClaimChecklist:
    """A claims officer's checklist for one outcome claim; READY for DWP only when every item is ticked and
    the referral has evidence on file."""
    if event.code not in CLAIM_CODES:
        raise FlightpathError(f"{event.get_code_display()} is not an outcome claim.", field="event")
    items = claim_checklist_items()
    unknown = set(answers) - set(items)
    if unknown:
        raise FlightpathError(f"Unknown checklist items: {', '.join(sorted(unknown))}.", field="answers")
    ticked = {item: bool(answers.get(item)) for item in items}
    complete = all(ticked.values())
    if complete and not EvidenceDocument.objects.filter(referral_id=event.referral_id).exists():
        raise FlightpathError("Upload the evidence before marking the claim ready for DWP.", field="answers")
    checklist, _ = ClaimChecklist.objects.select_for_update().get_or_create(event=event)
    checklist.answers, checklist.note, checklist.checked_by = ticked, note.strip(), user
    checklist.status = ClaimChecklist.Status.READY if complete else ClaimChecklist.Status.IN_PROGRESS
    checklist.save()
    return checklist
