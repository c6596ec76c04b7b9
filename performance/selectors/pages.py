"""Read paths of the contract performance pages (DOMAIN.md 6-8, 10): what selectors.figures offers,
gathered for one page, plus the referrals behind a figure. Figures come from the recompute job's snapshots
when they exist and from the same engine calls on demand otherwise, as the MI API's (selectors.figures);
nothing here computes a rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd
from django.conf import settings

from participants.errors import FlightpathError
from participants.journey import ALL
from participants.models import Contract
from participants.params import parse_choice, parse_group, parse_month, require_quarter_end
from participants.selectors import latest_data_date

from .. import engine
from ..engine import drilldown
from ..models import AssessmentSnapshot, PerformanceSnapshot, ProjectionSnapshot
from ..rag import mpl_rag
from . import figures as selectors

DEFAULT_PERIOD = "rolling_12"
PROJECTION_FIGURES = ("actual", "expected", "projected", "low", "high", "mpl_required", "below_mpl")
PROJECTION_PCTS = ("projected_pct", "low_pct", "high_pct")


@dataclass(frozen=True)
class PageParams:
    month: int
    period: str
    group: str

    @property
    def month_label(self) -> str:
        return engine.month_label(self.month)


class ContractData:
    """One contract's engine inputs, loaded at most once per request and only when a figure needs them."""

    def __init__(self, contract: Contract):
        self.contract = contract

    @cached_property
    def inputs(self) -> selectors.Inputs:
        return selectors.contract_inputs(self.contract)

    @cached_property
    def rules(self) -> engine.ProgrammeRules:
        return selectors.rules_for(self.contract.programme)

    @cached_property
    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return selectors.engine_frames(self.contract.pk, tuple(self.contract.programme.groups))

    @cached_property
    def facts(self) -> engine.Facts:
        return engine.referral_facts(*self.frames)

    @cached_property
    def latest_date(self) -> date | None:
        return latest_data_date(self.contract.pk)

    @cached_property
    def last_complete_month(self) -> int | None:
        """The last month that has ended by the latest data date (DOMAIN.md 15.8); None without data."""
        return engine.last_ended_month(self.latest_date) if self.latest_date else None

    @cached_property
    def default_month(self) -> int:
        """The latest complete month (a month still in progress only when it is the contract's first),
        never before the contract's first month."""
        start = engine.month_of(self.contract.start_date)
        return max(start, self.last_complete_month) if self.latest_date else start

    def in_progress(self, month: int) -> bool:
        """A month after the last complete one: its figures are to date (the data's latest day)."""
        return self.last_complete_month is not None and month > self.last_complete_month

    def params(self, query) -> PageParams:
        """month (default: the latest complete month), period (default rolling_12), group (default ALL),
        parsed by participants.params; bad values raise FlightpathError naming the field."""
        month = (
            engine.month_of(parse_month(query.get("month"), contract_start=self.contract.start_date))
            if query.get("month")
            else self.default_month
        )
        return PageParams(
            month=month,
            period=parse_choice(query.get("period"), engine.PERIODS, field="period", default=DEFAULT_PERIOD),
            group=parse_group(query.get("group"), groups=self.rules.report_groups, programme=self.rules.code),
        )


def amber_margin() -> float:
    """Percentage points below MPL that are still AMBER: the setting FLIGHTPATH_MPL_AMBER_MARGIN_PCT
    (config/settings/base.py, environment variable of the same name, default 5)."""
    return float(settings.FLIGHTPATH_MPL_AMBER_MARGIN_PCT)


def _with_rag(record: dict, *, complete: bool = True) -> dict:
    return {**record, "rag": mpl_rag(record["pct_of_mpl"], amber_margin=amber_margin(), complete=complete)}


def performance_grid(data: ContractData, *, month: int) -> dict[tuple[str, str], dict]:
    """(period, group) -> the unrounded performance record (with its RAG) for every period ending `month`
    and every report group: one snapshot query, the engine for whatever has no snapshot."""
    wanted = {(p, g) for p in engine.PERIODS for g in data.rules.report_groups}
    records = {
        (s.period, s.group): selectors.snapshot_performance_record(s)
        for s in PerformanceSnapshot.objects.filter(
            contract=data.contract, month=engine.month_first_day(month)
        )
    }
    if not wanted <= records.keys():
        frame = engine.performance_table(
            data.facts,
            data.rules,
            data.inputs.terms,
            data.inputs.profiles,
            data.inputs.targets,
            [month],
        )
        for row in frame.to_dict("records"):  # periods x groups output rows, not referrals
            records.setdefault((row["period"], row["group"]), row)
    complete = not data.in_progress(month)
    return {key: _with_rag(records[key], complete=complete) for key in wanted}


def standing(contract: Contract) -> tuple[int | None, list[dict]]:
    """The contract overview's panel: rolling-twelve figures (with RAG) of ALL and each measured group at the
    latest complete month the recompute job stored (the one stored before the data's month when that month
    is still in progress); (None, []) before its first run. Snapshots, and the latest data date."""
    rules = selectors.rules_for(contract.programme)
    snaps = PerformanceSnapshot.objects.filter(contract=contract, period=DEFAULT_PERIOD)
    latest_date = latest_data_date(contract.pk)
    if latest_date is not None:
        snaps = snaps.filter(month__lte=engine.month_first_day(engine.last_ended_month(latest_date)))
    latest = snaps.order_by("-month").values_list("month", flat=True).first()
    if latest is None:
        return None, []
    wanted = [ALL, *rules.measured_groups]
    held = {s.group: s for s in snaps.filter(month=latest, group__in=wanted)}
    return engine.month_of(latest), [
        _with_rag(selectors.snapshot_performance_record(held[g])) for g in wanted if g in held
    ]


def monthly_series(data: ContractData, *, group: str, through: int) -> list[dict]:
    """In-month job outcomes and MPL required for each month from the contract's start to `through`."""
    start = engine.month_of(data.contract.start_date)
    snaps = [
        selectors.snapshot_performance_record(s)
        for s in selectors.performance_series(data.contract, period="in_month", group=group)
        if engine.month_of(s.month) <= through
    ]
    if len(snaps) != through - start + 1:
        frame = engine.performance_table(
            data.facts,
            data.rules,
            data.inputs.terms,
            data.inputs.profiles,
            data.inputs.targets,
            list(range(start, through + 1)),
            ("in_month",),
            (group,),
        )
        snaps = frame.to_dict("records")
    return [
        {
            "month": engine.month_label(r["last_month"]),
            "job_outcomes": int(r["job_outcomes"]),
            "mpl_required": float(r["mpl_required"]),
        }
        for r in sorted(snaps, key=lambda r: r["last_month"])
    ]


def cohorts(data: ContractData, *, group: str) -> tuple[date | None, list[dict]]:
    """(as_of, cohort rows) as the API's /cohorts/ default, each with its latest conversion and outcomes."""
    as_of, rows = selectors.cohort_figures(data.contract, group=group, as_of=None)
    out = []
    for r in rows:  # cohort months, not referrals
        latest = r["conversion_pct"][-1] if r["conversion_pct"] else 0.0
        out.append(
            {
                **r,
                "latest_conversion_pct": latest,
                "latest_profile_pct": r["profile_pct"][-1] if r["profile_pct"] else 0.0,
                "outcomes": int(round(latest * r["size"] / 100.0)),
                "months_on_programme": len(r["conversion_pct"]),
            }
        )
    return as_of, out


def assessments(data: ContractData, *, through: int) -> list[dict]:
    """WP formal quarterly reviews (DOMAIN.md 8) of every quarter end up to `through`, newest first, each with
    the validation round its invalid rate came from; [] for programmes without them."""
    if not data.rules.has_quarterly_review:
        return []
    start = engine.month_of(data.contract.start_date)
    quarter_ends = engine.quarter_ends_between(start, through)
    snaps = AssessmentSnapshot.objects.filter(
        contract=data.contract, final=False, quarter_end__lte=engine.month_first_day(through)
    )
    rows = [selectors.assessment_row(s) for s in snaps]
    stale = any(r["extrapolation_base"] is None for r in rows)  # written before the base was stored
    if stale or len(rows) != len(quarter_ends) * len(data.rules.measured_groups):
        rows = engine.assessment_table(
            data.facts,
            data.rules,
            data.inputs.terms,
            data.inputs.profiles,
            data.inputs.targets,
            data.inputs.rounds,
            quarter_ends,
            finals=(False,),
        ).to_dict("records")
    order = {g: i for i, g in enumerate(data.rules.measured_groups)}
    rows.sort(key=lambda r: (-r["quarter_end"], order.get(r["group"], 99)))
    rounds = {q: engine.validation_round_used(data.inputs.rounds, q) for q in quarter_ends}
    return [
        {
            **r,
            "quarter_end_label": engine.month_label(r["quarter_end"]),
            "window_start_label": engine.month_label(r["window_start"]),
            "validated_through_label": engine.month_label(r["window_start"] + r["validated_months"] - 1),
            "round": rounds.get(r["quarter_end"]),
        }
        for r in rows  # quarter ends x measured groups, not referrals
    ]


def projection(data: ContractData, *, month: int) -> tuple[date | None, list[dict]]:
    """The early-warning projection (engine.projection_table) as at the latest data date, or the end of
    `month` when that is earlier: rolling-twelve outcomes at the next quarter ends with their 90% range."""
    if data.latest_date is None:
        return None, []
    as_of = min(data.latest_date, engine.month_last_day(month))
    stored = ProjectionSnapshot.objects.filter(contract=data.contract, as_of=as_of)
    rows = [
        {
            "quarter_end": engine.month_of(s.quarter_end),
            "group": s.group,
            **{name: getattr(s, name) for name in PROJECTION_FIGURES},
            **{name: math.nan if getattr(s, name) is None else getattr(s, name) for name in PROJECTION_PCTS},
        }
        for s in stored
    ]
    if not rows:  # a month before the latest data, or no recompute since the latest import
        rows = engine.projection_table(
            data.facts, data.rules, data.inputs.terms, data.inputs.profiles, data.inputs.targets, as_of
        ).to_dict("records")
    order = {g: i for i, g in enumerate(data.rules.measured_groups)}
    rows.sort(key=lambda r: (order.get(r["group"], 99), r["quarter_end"]))
    return as_of, [
        {
            **r,
            "quarter_end_label": engine.month_label(r["quarter_end"]),
            "rag": mpl_rag(r["projected_pct"], amber_margin=amber_margin()),
        }
        for r in rows  # measured groups x quarter ends, not referrals
    ]


# ------------------------------------------------------------------------------------------------------
# The referrals behind a figure
# ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Members:
    """The referrals behind one figure: `figure` is the count shown on the page; `counts` maps each referral
    id to how many times it is counted (more than once only for per-event flows such as sustainments)."""

    measure: str
    figure: int
    counts: dict[int, int] = field(default_factory=dict)


def _members(data: ContractData, measure: str, positions: np.ndarray) -> Members:
    ids = data.frames[0]["referral_id"].to_numpy()[positions]
    unique, times = np.unique(ids, return_counts=True)
    return Members(
        measure=measure,
        figure=len(positions),
        counts=dict(zip(unique.tolist(), times.tolist(), strict=True)),
    )


def flow_members(data: ContractData, *, measure: str, params: PageParams) -> Members:
    positions = drilldown.flow_members(
        data.facts,
        data.inputs.terms,
        measure=measure,
        group=params.group,
        month=params.month,
        period=params.period,
    )
    return _members(data, measure, positions)


def cohort_members(data: ContractData, *, measure: str, group: str, cohort: str | None) -> Members:
    """A cohort's referrals (`cohort`) or those of them with a counted outcome (`cohort_outcomes`), as at the
    cohorts' default as-of date (DOMAIN.md 15.8)."""
    cohort_month = engine.month_of(parse_month(cohort, field="cohort"))
    as_of = data.latest_date
    last = engine.last_ended_month(as_of) if as_of else cohort_month - 1
    positions = drilldown.cohort_members(
        data.facts,
        data.rules,
        group=group,
        cohort_month=cohort_month,
        last_month=last,
        converted=measure == "cohort_outcomes",
    )
    return _members(data, measure, positions)


def assessment_members(data: ContractData, *, measure: str, params: PageParams) -> Members:
    """The referrals behind a WP quarterly review's validated outcomes or extrapolation base; `month` is the
    quarter end and `group` a measured group."""
    if not data.rules.has_quarterly_review:
        raise FlightpathError(
            f"{data.rules.code} contracts have no formal quarterly reviews.", field="measure"
        )
    require_quarter_end(engine.month_first_day(params.month), field="month")
    group = parse_group(
        params.group, groups=data.rules.measured_groups, programme=data.rules.code, kind="measured group"
    )
    positions = drilldown.assessment_members(
        data.facts, measure=measure, group=group, quarter_end=params.month
    )
    return _members(data, measure, positions)
