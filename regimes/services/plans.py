"""Provider action plans (DOMAIN.md 17.8): versions, SMART actions, the flight path and the lifecycle
DRAFT -> SUBMITTED -> APPROVED | REJECTED -> (meeting) -> RESUBMITTED -> APPROVED | REJECTED_FINAL.

Who may call which is the views' question (participants.access); the order is enforced here, each refusal
naming the rule."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from participants.errors import FlightpathError
from participants.models import Contract

from ..models import FlightPathMonth, Obligation, PlanAction, ProviderActionPlan
from .obligations import fulfil
from .releases import add_months, first_of, refresh_review_obligations, release_dates

Status = ProviderActionPlan.Status
FLIGHT_PATH_MONTHS = 6  # DOMAIN.md 10: rolling six months
PLAN_KINDS = (Obligation.Kind.ACTION_PLAN_DUE, Obligation.Kind.PICAN_PLAN_DUE)
MEASURES = ("referrals", "job_starts", "job_outcomes")


def flight_path_months(plan: ProviderActionPlan) -> list[dt.date]:
    return [add_months(plan.first_month, n) for n in range(FLIGHT_PATH_MONTHS)]


def _check_obligation_key(contract: Contract, key: str) -> None:
    if (
        key
        and not Obligation.objects.filter(
            contract=contract, key=key, kind__in=PLAN_KINDS, status=Obligation.Status.OPEN
        ).exists()
    ):
        raise FlightpathError(
            "responds to: not an open action plan or PICAN plan obligation of this contract.",
            field="obligation_key",
        )


@transaction.atomic
def create_plan(
    *, contract: Contract, by, title: str, summary: str = "", obligation_key: str = "", first_month: dt.date
) -> ProviderActionPlan:
    """A new DRAFT version; the actions and the flight path months it shares with the latest version are
    copied from it (a monthly update starts from the plan in force)."""
    _check_obligation_key(contract, obligation_key)
    latest = (
        ProviderActionPlan.objects.select_for_update().filter(contract=contract).order_by("-version").first()
    )
    if latest is not None and latest.status in (
        Status.DRAFT,
        Status.SUBMITTED,
        Status.REJECTED,
        Status.RESUBMITTED,
    ):
        raise FlightpathError(
            f"Version {latest.version} is {latest.get_status_display().lower()}: finish it (decided) before "
            "starting another."
        )
    plan = ProviderActionPlan.objects.create(
        contract=contract,
        version=(latest.version + 1) if latest else 1,
        title=title,
        summary=summary,
        obligation_key=obligation_key,
        first_month=first_of(first_month),
        created_by=by,
    )
    if latest is not None:
        PlanAction.objects.bulk_create(
            PlanAction(
                plan=plan,
                **{
                    f: getattr(a, f)
                    for f in ("what", "measure", "owner", "start_date", "due_date", "milestones", "uplift")
                },
            )
            for a in latest.actions.all()
        )
        months = set(flight_path_months(plan))
        FlightPathMonth.objects.bulk_create(
            FlightPathMonth(
                plan=plan, group=row.group, month=row.month, **{m: getattr(row, m) for m in MEASURES}
            )
            for row in latest.flight_path.all()
            if row.month in months
        )
    return plan


def _require_editable(plan: ProviderActionPlan) -> None:
    if not plan.editable:
        raise FlightpathError(
            f"The plan is {plan.get_status_display().lower()}: only a draft or a rejected plan is changed."
        )


@transaction.atomic
def add_action(
    *,
    plan: ProviderActionPlan,
    what: str,
    measure: str,
    owner: str,
    start_date: dt.date,
    due_date: dt.date,
    milestones: str = "",
    uplift: dict[str, int],
) -> PlanAction:
    _require_editable(plan)
    if due_date < start_date:
        raise FlightpathError("due date: before the start date.", field="due_date")
    groups = set(plan.contract.programme.groups)
    unknown = sorted(set(uplift) - groups)
    if unknown:
        raise FlightpathError(
            f"uplift: {', '.join(unknown)} is not a group of the programme.", field="uplift"
        )
    return PlanAction.objects.create(
        plan=plan,
        what=what,
        measure=measure,
        owner=owner,
        start_date=start_date,
        due_date=due_date,
        milestones=milestones,
        uplift={g: int(v) for g, v in uplift.items() if v},
    )


@transaction.atomic
def save_flight_path(*, plan: ProviderActionPlan, cells: dict[tuple[str, dt.date], dict[str, int]]) -> int:
    """Replace the flight path with `cells` ((group, month) -> the three projections), all or nothing."""
    _require_editable(plan)
    months, groups = set(flight_path_months(plan)), set(plan.contract.programme.groups)
    for group, month in cells:
        if group not in groups:
            raise FlightpathError(
                f"flight path: {group} is not a group of the programme.", field="flight_path"
            )
        if month not in months:
            raise FlightpathError(
                f"flight path: {month:%B %Y} is outside the plan's six months.", field="flight_path"
            )
    plan.flight_path.all().delete()
    FlightPathMonth.objects.bulk_create(
        FlightPathMonth(plan=plan, group=group, month=month, **values)
        for (group, month), values in cells.items()
    )
    return len(cells)


def _fulfil_owed(plan: ProviderActionPlan, on: dt.date) -> None:
    """Submitting fulfils what the plan responds to and the monthly updates owed since a release on or
    before `on`."""
    contract = plan.contract
    if plan.obligation_key:
        fulfil(contract=contract, key=plan.obligation_key, on=on)
    open_updates = list(
        Obligation.objects.filter(
            contract=contract, kind=Obligation.Kind.MONTHLY_ACTION_PLAN_UPDATE, status=Obligation.Status.OPEN
        ).values_list("key", flat=True)
    )
    months = {key: dt.date.fromisoformat(key.rsplit(":", 1)[1] + "-01") for key in open_updates}
    releases = release_dates(contract, list(months.values()))
    for key, month in months.items():
        if releases[month] <= on:
            fulfil(contract=contract, key=key, on=on)


@transaction.atomic
def submit_plan(*, plan: ProviderActionPlan, on: dt.date) -> ProviderActionPlan:
    """DRAFT -> SUBMITTED, or REJECTED with its meeting recorded -> RESUBMITTED."""
    plan = ProviderActionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == Status.REJECTED and plan.meeting_on is None:
        raise FlightpathError("A rejected plan is resubmitted only after the meeting with DWP is recorded.")
    if plan.status not in (Status.DRAFT, Status.REJECTED):
        raise FlightpathError(f"The plan is {plan.get_status_display().lower()}: it cannot be submitted.")
    if not plan.actions.exists():
        raise FlightpathError("A plan is submitted with at least one SMART action.")
    if not plan.flight_path.exists():
        raise FlightpathError("A plan is submitted with its flight path.")
    if plan.status == Status.DRAFT:
        plan.status, plan.submitted_on = Status.SUBMITTED, on
    else:
        if on < plan.meeting_on:
            raise FlightpathError("resubmitted on: before the meeting.", field="on")
        plan.status, plan.resubmitted_on = Status.RESUBMITTED, on
    plan.save()
    _fulfil_owed(plan, on)
    return plan


@transaction.atomic
def decide_plan(
    *, plan: ProviderActionPlan, by, approve: bool, reason: str, on: dt.date
) -> ProviderActionPlan:
    """DWP's decision: SUBMITTED -> APPROVED | REJECTED; RESUBMITTED -> APPROVED | REJECTED_FINAL."""
    plan = ProviderActionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in (Status.SUBMITTED, Status.RESUBMITTED):
        raise FlightpathError(
            f"The plan is {plan.get_status_display().lower()}: only a submitted plan is decided."
        )
    submitted = plan.resubmitted_on or plan.submitted_on
    if on < submitted:
        raise FlightpathError("decided on: before the plan was submitted.", field="on")
    if not approve and not reason.strip():
        raise FlightpathError("reason: a rejection gives its reason (it is in the letter).", field="reason")
    if approve:
        plan.status, plan.decided_on, plan.decided_by, plan.decision_reason = Status.APPROVED, on, by, reason
    elif plan.status == Status.SUBMITTED:
        plan.status, plan.rejected_on, plan.rejection_reason = Status.REJECTED, on, reason
        plan.decided_by = by
    else:
        plan.status, plan.decided_on, plan.decided_by, plan.decision_reason = (
            Status.REJECTED_FINAL,
            on,
            by,
            reason,
        )
    plan.save()
    if approve:
        refresh_review_obligations(contract=plan.contract, today=on)
    return plan


@transaction.atomic
def record_meeting(*, plan: ProviderActionPlan, on: dt.date, note: str) -> ProviderActionPlan:
    plan = ProviderActionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Status.REJECTED:
        raise FlightpathError("A meeting is recorded for a rejected plan, before its resubmission.")
    if on < plan.rejected_on:
        raise FlightpathError("meeting on: before the rejection.", field="on")
    plan.meeting_on, plan.meeting_note = on, note
    plan.save(update_fields=["meeting_on", "meeting_note"])
    return plan
