"""Recording DWP's regime decisions (DOMAIN.md 17.1-17.5), the rules enforced here, and the obligations each
decision creates (17.7).

Obligation keys (one row per key, `regimes.services.obligations.owe`; the thing owed fulfils its key with
`regimes.services.obligations.fulfil(contract=, key=, on=)`):

    key                    kind             due                                done when
    epr:<id>:action_plan   ACTION_PLAN_DUE  D + 5 working days                 the action plan is in
    epr:<id>:review        EPR_REVIEW       D + 3 months                       END_EPR is recorded
    epr:<id>:end           EPR_END          D + 6 months                       END_EPR is recorded
    pin:<id>:action_plan   ACTION_PLAN_DUE  D + 5 working days                 the action plan is in
    pin:<id>:remedy_end    PIN_REMEDY_END   last day of the remedy_end month   CANCEL/LIFT/ESCALATE_PIN
    pican:<id>:plan        PICAN_PLAN_DUE   D + N working days (a setting)     the improvement plan is in

Owners: what the provider owes (action plans, improvement plans) is owned by the prime's contract manager
(the first by user id when there are several: one row has one owner; the contract's what's-due page shows
every row to all of them); DWP's own milestones (EPR review and end, remedy end) by the DWP contact who
decided, else the contract's first DWP contact.

A refusal by a rule raises `RuleRefused` naming the rule (the API's 409); a missing or malformed field raises
`FlightpathError(field=...)` (400).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from participants import access
from participants.access import Action
from participants.calendar import calendar_for
from participants.errors import FlightpathError
from participants.models import Contract

from .. import rules
from ..models import Decision, Epr, Level, Obligation, Pican, Pin, Recommendation
from ..selectors.obligations import dwp_owner, provider_owner
from ..selectors.state import jo_target_for
from .obligations import fulfil, owe
from .recommendations import refresh

K = Decision.Kind


class RuleRefused(FlightpathError):
    """The rules of DOMAIN.md 17 forbid the decision: the message names the rule (HTTP 409)."""

    def __init__(self, rule: str, message: str):
        super().__init__(f"{rule}: {message}")
        self.rule = rule


@dataclass
class Recorded:
    decision: Decision
    obligations: list[Obligation] = field(default_factory=list)


def working_days_after(contract: Contract, day: dt.date, n: int) -> dt.date:
    """'D + N working days' of the contract's calendar (DOMAIN.md 17: busday_offset(D, N, roll='forward'))."""
    return calendar_for(contract.nation).deadline(day, n).astype(dt.date)


def _decider(user, contract: Contract, decided_by: str) -> tuple[str, object, bool]:
    """(decided_by name, deciding user, recorded_for_dwp) — 17.2: a DWP contact named on the contract
    decides; the prime's contract manager records a decision DWP sent by letter, naming who at DWP."""
    if access.can(user, Action.RECORD_DECISION, contract, in_scope=True):
        return (decided_by.strip() or user.get_full_name() or user.get_username()), user, False
    if access.can(user, Action.RECORD_DECISION_FOR_DWP, contract, in_scope=True):
        if not decided_by.strip():
            raise FlightpathError(
                "decided_by: name the DWP contact whose letter gave this decision", field="decided_by"
            )
        return decided_by.strip(), None, True
    raise PermissionDenied(access.REFUSALS[Action.RECORD_DECISION])


def _programme(contract: Contract, kind: str) -> None:
    wp = contract.programme.has_quarterly_review
    whp = contract.programme.code == "WHP"
    if kind in (K.ALLOCATE_EPR, K.END_EPR, K.ISSUE_PIN, K.CANCEL_PIN, K.LIFT_PIN, K.ESCALATE_PIN) and not wp:
        raise RuleRefused(
            "17.1", f"{kind} is a Work Programme decision; {contract.programme.code} has no EPR or PINs"
        )
    if kind in (K.SET_LEVEL, K.ISSUE_PICAN, K.CLOSE_PICAN) and not whp:
        raise RuleRefused("17.1", f"{kind} is a Work and Health Programme decision")


@transaction.atomic
def record_decision(
    *,
    contract: Contract,
    user,
    kind: str,
    reason: str,
    decided_on: dt.date | None = None,
    decided_by: str = "",
    group: str = "",
    quarter_end: dt.date | None = None,
    remedy_end: dt.date | None = None,
    pin: int | None = None,
    level: int | None = None,
    active: bool | None = None,
    indicator: str = "",
    pican: int | None = None,
    recommendation: Recommendation | None = None,
    evidence: dict | None = None,
) -> Recorded:
    """Record one decision with the rules of DOMAIN.md 17.2-17.5; write its obligations; refresh the
    contract's recommendations. All or nothing."""
    if kind not in K.values:
        raise FlightpathError(
            f"decision: unknown decision {kind!r}; expected one of {', '.join(K.values)}", field="decision"
        )
    if not (reason or "").strip():
        raise FlightpathError("reason: say why the decision was taken", field="reason")
    day = decided_on or timezone.localdate()
    if day > timezone.localdate():
        raise FlightpathError("decided_on: a decision cannot be dated in the future", field="decided_on")
    if day < contract.start_date:
        raise FlightpathError("decided_on: before the contract start", field="decided_on")
    name, decider, for_dwp = _decider(user, contract, decided_by)
    _programme(contract, kind)
    # Serialise decisions on one contract: the rules read the state they change.
    Contract.objects.select_for_update().filter(pk=contract.pk).first()
    if recommendation is not None and evidence is None:
        evidence = {
            "recommendation": recommendation.pk,
            "message": recommendation.message,
            **recommendation.evidence,
        }
    decision = Decision(
        contract=contract,
        kind=kind,
        decided_on=day,
        reason=reason.strip(),
        decided_by=name,
        decided_by_user=decider,
        recorded_by=user,
        recorded_for_dwp=for_dwp,
        evidence=evidence or {},
    )
    owed = _APPLY[kind](
        decision,
        group=group,
        quarter_end=quarter_end,
        remedy_end=remedy_end,
        pin=pin,
        level=level,
        active=active,
        indicator=indicator,
        pican=pican,
    )
    decision.save()
    if recommendation is not None:
        Recommendation.objects.filter(pk=recommendation.pk).update(
            status=Recommendation.Status.CONFIRMED,
            decision=decision,
            decided_by=user,
            decided_on=day,
            reason=decision.reason,
        )
    refresh(contract=contract)  # the recommendations follow every decision (17.6)
    return Recorded(decision=decision, obligations=owed)


# One function per decision: check its rule, change the state, return the obligations created. -----------


def _open_epr(contract: Contract) -> Epr | None:
    return Epr.objects.filter(contract=contract, status=Epr.Status.OPEN).first()


def _allocate_epr(decision: Decision, **_) -> list[Obligation]:
    contract, day = decision.contract, decision.decided_on
    current = _open_epr(contract)
    if current is not None:
        raise RuleRefused("17.3", f"EPR {current.pk} is open until {current.ends_on:%d %B %Y}; end it first")
    review_due, ends_on = rules.epr_dates(day)
    epr = Epr.objects.create(contract=contract, started_on=day, review_due=review_due, ends_on=ends_on)
    decision.epr = epr
    source, dwp = f"EPR {epr.pk}", dwp_owner(contract, decision.decided_by_user)
    return [
        owe(
            contract=contract,
            key=f"epr:{epr.pk}:action_plan",
            kind=Obligation.Kind.ACTION_PLAN_DUE,
            due_date=working_days_after(contract, day, settings.FLIGHTPATH_ACTION_PLAN_WORKING_DAYS),
            source=source,
            owner=provider_owner(contract),
        ),
        owe(
            contract=contract,
            key=f"epr:{epr.pk}:review",
            kind=Obligation.Kind.EPR_REVIEW,
            due_date=review_due,
            source=source,
            owner=dwp,
        ),
        owe(
            contract=contract,
            key=f"epr:{epr.pk}:end",
            kind=Obligation.Kind.EPR_END,
            due_date=ends_on,
            source=source,
            owner=dwp,
        ),
    ]


def _end_epr(decision: Decision, **_) -> list[Obligation]:
    contract, day = decision.contract, decision.decided_on
    epr = _open_epr(contract)
    if epr is None:
        raise RuleRefused("17.1", "no EPR is open on this contract")
    if day < epr.started_on:
        raise FlightpathError("decided_on: before the EPR started", field="decided_on")
    Epr.objects.filter(pk=epr.pk).update(status=Epr.Status.ENDED, ended_on=day)
    decision.epr = epr
    for part in ("review", "end"):
        fulfil(contract=contract, key=f"epr:{epr.pk}:{part}", on=day)
    return []


def _month(value: dt.date | None, name: str) -> dt.date:
    if value is None:
        raise FlightpathError(f"{name}: required (YYYY-MM)", field=name)
    return value.replace(day=1)


def _issue_pin(decision: Decision, *, group: str, quarter_end, remedy_end, **_) -> list[Obligation]:
    contract, day = decision.contract, decision.decided_on
    measured = list(contract.programme.measured_groups)
    if group not in measured:
        raise FlightpathError(
            f"group: {group or 'missing'}; a PIN is on a measured group: {', '.join(measured)}", field="group"
        )
    quarter = _month(quarter_end, "quarter_end")
    if not rules.is_quarter_end(quarter):
        raise FlightpathError(
            "quarter_end: a quarterly review ends in March, June, September or December", field="quarter_end"
        )
    if rules.month_last_day(quarter) >= day:
        raise FlightpathError("quarter_end: the quarter has not ended by decided_on", field="quarter_end")
    remedy = remedy_end.replace(day=1) if remedy_end else rules.default_remedy_end(quarter)
    if remedy <= quarter:
        raise FlightpathError("remedy_end: must be a month after quarter_end", field="remedy_end")
    open_ends = list(
        Pin.objects.filter(contract=contract, group=group, status=Pin.Status.OPEN).values_list(
            "remedy_end", flat=True
        )
    )
    until = rules.pin_blocks(open_remedy_ends=open_ends, decided_on=day)
    if until is not None:
        raise RuleRefused(
            "17.4",
            f"a PIN on {group} is open and its remedy period runs to {until:%d %B %Y}: "
            f"no second PIN before {until + dt.timedelta(days=1):%d %B %Y}",
        )
    target = jo_target_for(contract, group=group, remedy_end=remedy)
    pin = Pin.objects.create(
        contract=contract,
        group=group,
        quarter_end=quarter,
        issued_on=day,
        remedy_end=remedy,
        jo_target=target,
    )
    decision.pin = pin
    decision.evidence = {**decision.evidence, "jo_target": target}
    source = f"PIN {pin.pk}"
    return [
        owe(
            contract=contract,
            key=f"pin:{pin.pk}:action_plan",
            kind=Obligation.Kind.ACTION_PLAN_DUE,
            due_date=working_days_after(contract, day, settings.FLIGHTPATH_ACTION_PLAN_WORKING_DAYS),
            source=source,
            owner=provider_owner(contract),
        ),
        owe(
            contract=contract,
            key=f"pin:{pin.pk}:remedy_end",
            kind=Obligation.Kind.PIN_REMEDY_END,
            due_date=rules.month_last_day(remedy),
            source=source,
            owner=dwp_owner(contract, decision.decided_by_user),
        ),
    ]


def _close_pin(status: str):
    def close(decision: Decision, *, pin, **_) -> list[Obligation]:
        contract, day = decision.contract, decision.decided_on
        target = Pin.objects.filter(contract=contract, pk=pin).first() if pin else None
        if target is None:
            raise FlightpathError("pin: required, a PIN of this contract", field="pin")
        if target.status != Pin.Status.OPEN:
            raise RuleRefused("17.4", f"PIN {target.pk} is already {target.status.lower()}")
        if day < target.issued_on:
            raise FlightpathError("decided_on: before the PIN was issued", field="decided_on")
        if status != Pin.Status.CANCELLED and not rules.remedy_over(remedy_end=target.remedy_end, on=day):
            raise RuleRefused(
                "17.4",
                f"PIN {target.pk}'s remedy period runs to "
                f"{rules.month_last_day(target.remedy_end):%d %B %Y}: "
                "it is lifted or escalated after that",
            )
        Pin.objects.filter(pk=target.pk).update(status=status, closed_on=day)
        decision.pin = target
        fulfil(contract=contract, key=f"pin:{target.pk}:remedy_end", on=day)
        return []

    return close


def _set_level(decision: Decision, *, level, active, **_) -> list[Obligation]:
    contract, day = decision.contract, decision.decided_on
    if level not in (2, 3, 4):
        raise FlightpathError("level: 2, 3 or 4 (level 1 is always on)", field="level")
    if active is None:
        raise FlightpathError("active: true to switch the level on, false to switch it off", field="active")
    current = Level.objects.filter(contract=contract, level=level, active_to__isnull=True).first()
    if active and current is not None:
        raise RuleRefused("17.1", f"level {level} is already on (since {current.active_from:%d %B %Y})")
    if not active and current is None:
        raise RuleRefused("17.1", f"level {level} is not on")
    if active:
        Level.objects.create(contract=contract, level=level, active_from=day)
    else:
        Level.objects.filter(pk=current.pk).update(active_to=day)
    decision.level, decision.active = level, active
    return []


def _issue_pican(decision: Decision, *, indicator, **_) -> list[Obligation]:
    contract, day = decision.contract, decision.decided_on
    known = list(settings.FLIGHTPATH_PICAN_INDICATORS)
    if indicator not in known:
        raise FlightpathError(
            f"indicator: {indicator or 'missing'}; expected one of {', '.join(known)}", field="indicator"
        )
    if Pican.objects.filter(contract=contract, indicator=indicator, status=Pican.Status.OPEN).exists():
        raise RuleRefused("17.5", f"a PICAN on {indicator} is open: close it first")
    pican = Pican.objects.create(contract=contract, indicator=indicator, issued_on=day)
    decision.pican = pican
    return [
        owe(
            contract=contract,
            key=f"pican:{pican.pk}:plan",
            kind=Obligation.Kind.PICAN_PLAN_DUE,
            due_date=working_days_after(contract, day, settings.FLIGHTPATH_PICAN_PLAN_WORKING_DAYS),
            source=f"PICAN {pican.pk}",
            owner=provider_owner(contract),
        )
    ]


def _close_pican(decision: Decision, *, pican, **_) -> list[Obligation]:
    contract, day = decision.contract, decision.decided_on
    target = Pican.objects.filter(contract=contract, pk=pican).first() if pican else None
    if target is None:
        raise FlightpathError("pican: required, a PICAN of this contract", field="pican")
    if target.status != Pican.Status.OPEN:
        raise RuleRefused("17.5", f"PICAN {target.pk} is already closed")
    Pican.objects.filter(pk=target.pk).update(status=Pican.Status.CLOSED, closed_on=day)
    decision.pican = target
    return []


_APPLY = {
    K.ALLOCATE_EPR: _allocate_epr,
    K.END_EPR: _end_epr,
    K.ISSUE_PIN: _issue_pin,
    K.CANCEL_PIN: _close_pin(Pin.Status.CANCELLED),
    K.LIFT_PIN: _close_pin(Pin.Status.LIFTED),
    K.ESCALATE_PIN: _close_pin(Pin.Status.ESCALATED),
    K.SET_LEVEL: _set_level,
    K.ISSUE_PICAN: _issue_pican,
    K.CLOSE_PICAN: _close_pican,
}


@transaction.atomic
def dismiss_recommendation(*, recommendation: Recommendation, user, reason: str) -> Recommendation:
    """17.6: a person who may decide dismisses an open recommendation with a reason; a recompute never
    reopens it."""
    contract = recommendation.contract
    if not (
        access.can(user, Action.RECORD_DECISION, contract, in_scope=True)
        or access.can(user, Action.RECORD_DECISION_FOR_DWP, contract, in_scope=True)
    ):
        raise PermissionDenied(access.REFUSALS[Action.RECORD_DECISION])
    if not (reason or "").strip():
        raise FlightpathError("reason: say why the recommendation is dismissed", field="reason")
    if recommendation.status != Recommendation.Status.OPEN:
        raise RuleRefused("17.6", f"this recommendation is already {recommendation.status.lower()}")
    recommendation.status = Recommendation.Status.DISMISSED
    recommendation.decided_by = user
    recommendation.decided_on = timezone.localdate()
    recommendation.reason = reason.strip()
    recommendation.save(update_fields=["status", "decided_by", "decided_on", "reason", "updated"])
    return recommendation
