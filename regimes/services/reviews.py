"""Contract performance reviews, their Contract Assessment Report's action points, deep dives and
go-look-sees (DOMAIN.md 10, 17.9)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from participants.errors import FlightpathError
from participants.models import Contract

from ..models import ActionPoint, Cpr, DeepDive, KeyQuestion
from .obligations import fulfil
from .releases import first_of, month_key


@transaction.atomic
def save_cpr(
    *,
    contract: Contract,
    by,
    month: dt.date,
    meeting_on: dt.date,
    agenda: str,
    attendees: str,
    assessment: str,
    instance: Cpr | None = None,
) -> Cpr:
    month = first_of(month)
    if not first_of(contract.start_date) <= month <= contract.end_date:
        raise FlightpathError(f"month: {month:%B %Y} is outside the contract's dates.", field="month")
    clash = Cpr.objects.filter(contract=contract, month=month).exclude(pk=getattr(instance, "pk", None))
    if clash.exists():
        raise FlightpathError(f"month: the CPR of {month:%B %Y} is already recorded.", field="month")
    if meeting_on < month:
        raise FlightpathError("meeting on: before the month it reviews.", field="meeting_on")
    cpr = instance or Cpr(contract=contract, created_by=by)
    cpr.month, cpr.meeting_on, cpr.agenda, cpr.attendees, cpr.assessment = (
        month,
        meeting_on,
        agenda,
        attendees,
        assessment,
    )
    cpr.save()
    return cpr


@transaction.atomic
def hold_cpr(*, cpr: Cpr, on: dt.date) -> Cpr:
    """Record the CPR as held; it fulfils the month's CPR_DUE obligation."""
    if cpr.held_on is not None:
        raise FlightpathError(f"The CPR was held on {cpr.held_on:%-d %b %Y} already.")
    if on < cpr.month:
        raise FlightpathError("held on: before the month it reviews.", field="on")
    cpr.held_on = cpr.meeting_on = on
    cpr.save(update_fields=["held_on", "meeting_on"])
    fulfil(contract=cpr.contract, key=f"cpr:{cpr.contract_id}:{month_key(cpr.month)}", on=on)
    return cpr


@transaction.atomic
def ask_question(*, cpr: Cpr, question: str, sent_on: dt.date) -> KeyQuestion:
    if not question.strip():
        raise FlightpathError("question: empty.", field="question")
    return KeyQuestion.objects.create(cpr=cpr, question=question.strip(), sent_on=sent_on)


@transaction.atomic
def answer_question(*, question: KeyQuestion, answer: str, on: dt.date) -> KeyQuestion:
    if not answer.strip():
        raise FlightpathError("answer: empty.", field="answer")
    if on < question.sent_on:
        raise FlightpathError("answered on: before the question was sent.", field="on")
    question.answer, question.answered_on = answer.strip(), on
    question.save(update_fields=["answer", "answered_on"])
    return question


@transaction.atomic
def add_action_point(
    *, what: str, owner: str, due_date: dt.date, cpr: Cpr | None = None, deep_dive: DeepDive | None = None
) -> ActionPoint:
    return ActionPoint.objects.create(cpr=cpr, deep_dive=deep_dive, what=what, owner=owner, due_date=due_date)


@transaction.atomic
def set_action_point_status(*, point: ActionPoint, done: bool, on: dt.date) -> ActionPoint:
    point.status = ActionPoint.Status.DONE if done else ActionPoint.Status.OPEN
    point.done_on = on if done else None
    point.save(update_fields=["status", "done_on"])
    return point


@transaction.atomic
def save_deep_dive(
    *,
    contract: Contract,
    by,
    kind: str,
    subject: str,
    visit_on: dt.date,
    letter: str,
    outcome: str = "",
    instance: DeepDive | None = None,
) -> DeepDive:
    if not letter.strip():
        raise FlightpathError("letter: the letter tells the provider what will be looked at.", field="letter")
    deep_dive = instance or DeepDive(contract=contract, created_by=by)
    deep_dive.kind, deep_dive.subject, deep_dive.visit_on, deep_dive.letter, deep_dive.outcome = (
        kind,
        subject,
        visit_on,
        letter,
        outcome,
    )
    deep_dive.save()
    return deep_dive
