"""Read paths of the provider action plan pages (DOMAIN.md 17.8): a plan with its actions and flight path,
the actuals of the flight path's months from the performance app's flows (15.13), and the timeline's part."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.urls import reverse

from participants.models import Contract
from participants.selectors import latest_data_date
from performance import engine
from performance.models import PerformanceSnapshot
from performance.selectors.pages import ContractData

from ..models import DashboardRelease, Obligation, ProviderActionPlan
from ..services.plans import MEASURES, PLAN_KINDS, flight_path_months
from .timeline import Entry


@dataclass(frozen=True)
class Cell:
    group: str
    month: dt.date
    projected: dict[str, int]
    actual: dict[str, int] | None  # None: the month has no data yet
    ended: bool  # the month ended by the latest data date (DOMAIN.md 15.8)

    @property
    def shortfall(self) -> bool:
        """An ended month whose actual job outcomes fall short of the projection asks for a re-profile."""
        return (
            self.ended
            and self.actual is not None
            and self.actual["job_outcomes"] < self.projected["job_outcomes"]
        )


def plans_of(contract: Contract) -> list[ProviderActionPlan]:
    return list(
        ProviderActionPlan.objects.filter(contract=contract).select_related("created_by", "decided_by")
    )


def plan_of(contract: Contract, pk: int) -> ProviderActionPlan:
    return get_object_or_404(
        ProviderActionPlan.objects.select_related("contract__programme"), contract=contract, pk=pk
    )


def open_plan_obligations(contract: Contract) -> list[Obligation]:
    """What a plan may respond to: the contract's open ACTION_PLAN_DUE and PICAN_PLAN_DUE obligations."""
    return list(
        Obligation.objects.filter(contract=contract, kind__in=PLAN_KINDS, status=Obligation.Status.OPEN)
    )


def releases_of(contract: Contract) -> list[DashboardRelease]:
    return list(DashboardRelease.objects.filter(contract=contract).order_by("-month")[:12])


def monthly_actuals(
    contract: Contract, months: list[dt.date], groups: list[str]
) -> dict[tuple[str, dt.date], dict]:
    """(group, month) -> in-month referrals, job starts and job outcomes (DOMAIN.md 15.13) for the months
    that have data: the recompute job's snapshots (one query), the same engine call for any month without."""
    latest = latest_data_date(contract.pk)
    if latest is None:
        return {}
    start, last = engine.month_of(contract.start_date), engine.month_of(latest)
    wanted = [m for m in months if start <= engine.month_of(m) <= last]
    if not wanted:
        return {}
    found = {
        (s.group, s.month): {m: getattr(s, m) for m in MEASURES}
        for s in PerformanceSnapshot.objects.filter(
            contract=contract, period="in_month", group__in=groups, month__in=wanted
        )
    }
    missing = sorted({m for m in wanted for g in groups if (g, m) not in found})
    if missing:
        data = ContractData(contract)
        frame = engine.performance_table(
            data.facts,
            data.rules,
            data.inputs.terms,
            data.inputs.profiles,
            data.inputs.targets,
            [engine.month_of(m) for m in missing],
            ("in_month",),
            tuple(groups),
        )
        for row in frame.to_dict("records"):  # months x groups, not referrals
            key = (row["group"], engine.month_first_day(row["last_month"]))
            found.setdefault(key, {m: int(row[m]) for m in MEASURES})
    return found


def flight_path(plan: ProviderActionPlan) -> list[Cell]:
    """Every (month, group) of the plan's six months with its projection and, where there is data, the
    actuals; months in order, groups in the programme's order."""
    contract = plan.contract
    groups = list(contract.programme.groups)
    months = flight_path_months(plan)
    projected = {(r.group, r.month): {m: getattr(r, m) for m in MEASURES} for r in plan.flight_path.all()}
    actuals = monthly_actuals(contract, months, groups)
    latest = latest_data_date(contract.pk)
    last_ended = engine.last_ended_month(latest) if latest else None
    zero = dict.fromkeys(MEASURES, 0)
    return [
        Cell(
            group=g,
            month=m,
            projected=projected.get((g, m), zero),
            actual=actuals.get((g, m)),
            ended=last_ended is not None and engine.month_of(m) <= last_ended,
        )
        for m in months
        for g in groups
    ]


def totals_by_month(cells: list[Cell]) -> list[dict]:
    """The flight path summed over the groups, per month (the chart and the summary row)."""
    out: dict[dt.date, dict] = {}
    for cell in cells:  # six months x the programme's groups
        row = out.setdefault(
            cell.month, {"month": cell.month, "projected": dict.fromkeys(MEASURES, 0), "actual": None}
        )
        for m in MEASURES:
            row["projected"][m] += cell.projected[m]
        if cell.actual is not None:
            row["actual"] = row["actual"] or dict.fromkeys(MEASURES, 0)
            for m in MEASURES:
                row["actual"][m] += cell.actual[m]
    return list(out.values())


def timeline_entries(contract: Contract) -> Iterable[Entry]:
    """Each plan version's creation, submission, meeting, resubmission and decision."""
    for plan in plans_of(contract):
        url = reverse("regimes:plan", args=[contract.ref, plan.pk])
        name = f"Action plan v{plan.version}"
        yield Entry(
            plan.created_at.date(),
            "ACTION_PLAN",
            f"{name} drafted",
            url,
            plan.title,
            getattr(plan.created_by, "username", ""),
        )
        if plan.submitted_on:
            yield Entry(plan.submitted_on, "ACTION_PLAN", f"{name} submitted", url)
        if plan.rejected_on:
            yield Entry(plan.rejected_on, "ACTION_PLAN", f"{name} rejected", url, plan.rejection_reason)
        if plan.meeting_on:
            yield Entry(
                plan.meeting_on, "ACTION_PLAN", f"{name}: meeting after the rejection", url, plan.meeting_note
            )
        if plan.resubmitted_on:
            yield Entry(plan.resubmitted_on, "ACTION_PLAN", f"{name} resubmitted", url)
        if plan.decided_on:
            yield Entry(
                plan.decided_on,
                "ACTION_PLAN",
                f"{name} {plan.get_status_display().lower()}",
                url,
                plan.decision_reason,
                getattr(plan.decided_by, "username", ""),
            )
