"""Write paths of the person's records (issue 13; DOMAIN.md 4): names and contact details, hours of support
and expenditure, job ends and changes of employment, exits. Atomic, keyword-only; journey events through
`services.record_event` (its rules, and the contract's recompute queued)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .. import people
from ..errors import FlightpathError
from ..models import EventCode, JobDetail, JobEndReason, JourneyEvent, Participant, Referral, SupportRecord
from .services import record_event

PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,28}[0-9]$")
DETAILS = ("first_name", "last_name", "preferred_name", "phone", "email", "nino")
SUPPORT_CATEGORIES = {
    SupportRecord.Kind.HOURS: {"ONE_TO_ONE", "GROUP", "IN_WORK", "HEALTH", "SKILLS", "OTHER"},
    SupportRecord.Kind.EXPENDITURE: {"TRAVEL", "CLOTHING", "TRAINING", "CHILDCARE", "OTHER"},
}
MAX_HOURS = Decimal(24)  # one record is one day's support at most
MAX_AMOUNT = Decimal(10_000)


@transaction.atomic
def update_participant_details(*, participant: Participant, user, **details: str) -> Participant:
    """Names and contact details, as typed (trimmed); the NINO normalised to AB123456C and checked. Only the
    fields given are changed (a form without the NINO leaves it alone); one history row names the user."""
    unknown = set(details) - set(DETAILS)
    if unknown:
        raise FlightpathError(f"Unknown detail {sorted(unknown)[0]!r}.")
    cleaned = {name: (value or "").strip() for name, value in details.items()}
    if "nino" in cleaned:
        cleaned["nino"] = people.normalise_nino(cleaned["nino"])
        if cleaned["nino"] and not people.is_nino(cleaned["nino"]):
            raise FlightpathError(f"National Insurance number: {people.NINO_REASON}.", field="nino")
    if cleaned.get("phone") and not PHONE.match(cleaned["phone"]):
        raise FlightpathError(
            "Telephone: digits, spaces, brackets and hyphens only, with a leading + for abroad.",
            field="phone",
        )
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    changed = [name for name, value in cleaned.items() if getattr(participant, name) != value]
    if changed:
        for name in changed:
            setattr(participant, name, cleaned[name])
        participant._history_user = user
        participant.save(update_fields=changed)
        participant.refresh_from_db(fields=["search_name"])
    return participant


def _check_day(day: dt.date, referral: Referral, what: str, field: str) -> None:
    if day < referral.referral_date:
        raise FlightpathError(
            f"{what} on {day:%d %b %Y} would be before the referral date {referral.referral_date:%d %b %Y}.",
            field=field,
        )
    if day > timezone.localdate():
        raise FlightpathError(f"{what} cannot be dated in the future ({day:%d %b %Y}).", field=field)


@transaction.atomic
def record_support(
    *,
    referral: Referral,
    kind: str,
    on_date: dt.date,
    category: str,
    hours: Decimal | None = None,
    amount: Decimal | None = None,
    note: str = "",
    user,
) -> SupportRecord:
    """Hours of support given or money spent (DOMAIN.md 4): hours for support, an amount for expenditure,
    never both, and a category of that kind."""
    kind = SupportRecord.Kind(kind)
    _check_day(on_date, referral, kind.label, "on_date")
    if kind == SupportRecord.Kind.HOURS:
        if hours is None or not 0 < hours <= MAX_HOURS:
            raise FlightpathError(
                f"Hours of support: more than 0 and at most {MAX_HOURS} a record.", field="hours"
            )
        if amount is not None:
            raise FlightpathError(
                "An hours record has no amount: record expenditure separately.", field="amount"
            )
    else:
        if amount is None or not 0 < amount <= MAX_AMOUNT:
            raise FlightpathError(f"Amount: more than £0 and at most £{MAX_AMOUNT:,}.", field="amount")
        if hours is not None:
            raise FlightpathError(
                "An expenditure record has no hours: record support separately.", field="hours"
            )
    if category not in SUPPORT_CATEGORIES[kind]:
        allowed = ", ".join(SupportRecord.Category(c).label for c in sorted(SUPPORT_CATEGORIES[kind]))
        raise FlightpathError(f"Category: for {kind.label.lower()} one of {allowed}.", field="category")
    return SupportRecord.objects.create(
        referral=referral,
        kind=kind,
        on_date=on_date,
        hours=hours,
        amount=amount,
        category=category,
        note=note.strip(),
        recorded_by=user,
    )


def _current(job: JobDetail) -> JobDetail:
    locked = JobDetail.objects.select_for_update().select_related("referral").get(pk=job.pk)
    if locked.end_date is not None:
        raise FlightpathError(f"This job already ended on {locked.end_date:%d %b %Y}.")
    return locked


def _end(job: JobDetail, *, end_date: dt.date, reason: str, note: str, field: str) -> None:
    if end_date < job.start_date:
        raise FlightpathError(
            f"The job cannot end before it started ({job.start_date:%d %b %Y}).", field=field
        )
    if end_date > timezone.localdate():
        raise FlightpathError(f"A job end cannot be dated in the future ({end_date:%d %b %Y}).", field=field)
    job.end_date, job.end_reason, job.end_note = end_date, reason, note.strip()
    job.save(update_fields=["end_date", "end_reason", "end_note"])


@transaction.atomic
def record_job_end(*, job: JobDetail, end_date: dt.date, reason: str, note: str = "", user) -> JobDetail:
    """The in-work support team's record of a job ending. DOMAIN.md 4 has no journey event for it: the
    outcomes already reached stand, and the next job is a new JOB_START."""
    job = _current(job)
    if reason == JobEndReason.CHANGED_JOB:
        raise FlightpathError("A change of employment is recorded with its new job.", field="reason")
    job._history_user = user
    _end(job, end_date=end_date, reason=JobEndReason(reason), note=note, field="end_date")
    return job


@transaction.atomic
def record_job_change(
    *,
    job: JobDetail,
    changed_on: dt.date,
    employer: str,
    hours_per_week: Decimal,
    self_employed: bool = False,
    note: str = "",
    user,
) -> JobDetail:
    """A change of employment: the job ends the day before the new one starts (reason "changed employment")
    and the new job is recorded, linked to it. No JOB_START: the participant stayed in work, and a job start
    counts entering work (DOMAIN.md 4, 6)."""
    job = _current(job)
    if not 0 < hours_per_week <= 100:
        raise FlightpathError("Hours per week must be more than 0 and at most 100.", field="hours_per_week")
    if changed_on <= job.start_date:
        raise FlightpathError(
            f"The new job must start after the current one did ({job.start_date:%d %b %Y}).",
            field="changed_on",
        )
    job._history_user = user
    _end(
        job,
        end_date=changed_on - dt.timedelta(days=1),
        reason=JobEndReason.CHANGED_JOB,
        note=note,
        field="changed_on",
    )
    return JobDetail.objects.create(
        referral=job.referral,
        employer=employer.strip(),
        hours_per_week=hours_per_week,
        start_date=changed_on,
        self_employed=self_employed,
        previous_job=job,
        recorded_by=user,
    )


@transaction.atomic
def record_exit(*, referral: Referral, exited_on: dt.date, reason: str, user) -> JourneyEvent:
    """The participant left provision: the EXITED event (detail: the reason), which starts CAP5's clock for
    the exit report (DOMAIN.md 9). A referral exits once."""
    exited = referral.events.filter(code=EventCode.EXITED).first()
    if exited is not None:
        raise FlightpathError(
            f"Referral {referral.ref} already exited on {exited.event_date:%d %b %Y}.", field="exited_on"
        )
    return record_event(
        referral=referral, code=EventCode.EXITED, event_date=exited_on, user=user, detail=reason
    )


@transaction.atomic
def record_exit_report(*, referral: Referral, sent_on: dt.date, user) -> JourneyEvent:
    """The exit report returned to Jobcentre Plus: EXIT_REPORT_SENT, on or after the exit, once."""
    exited = referral.events.filter(code=EventCode.EXITED).order_by("event_date").first()
    if exited is None:
        raise FlightpathError("Record the exit first: an exit report follows an exit.", field="sent_on")
    if sent_on < exited.event_date:
        raise FlightpathError(
            f"The exit report cannot be returned before the exit ({exited.event_date:%d %b %Y}).",
            field="sent_on",
        )
    sent = referral.events.filter(code=EventCode.EXIT_REPORT_SENT).first()
    if sent is not None:
        raise FlightpathError(f"The exit report was returned on {sent.event_date:%d %b %Y}.", field="sent_on")
    return record_event(referral=referral, code=EventCode.EXIT_REPORT_SENT, event_date=sent_on, user=user)
