"""The performance engine: flows, MPL required outcomes, cohorts, WP quarterly reviews and the early-warning
projection (DOMAIN.md 5-8 and 15 items 7-16, 18, 21).

Pure functions of the frames of `participants.selectors` (referrals, events) and of plain configuration
(`ProgrammeRules`, `ContractTerms`, profile / round / target frames); no Django, no I/O. Everything is
vectorised over numpy arrays: one pass over the events builds per-referral facts, then months x groups
matrices from which every period is a difference of cumulative sums.

Months are integers: months since 1970-01 (numpy's datetime64[M]). Figures are returned unrounded; the API
rounds half-to-even at output (DOMAIN.md 15.16) and every comparison (met, below MPL) is unrounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from participants.journey import (
    ALL,
    DEFAULT_YEAR_START_MONTH,
    QUARTER_END_MONTHS,
    RESOLUTION_CODES,
    report_groups,
    rounded,
)

PERIODS = ("in_month", "rolling_3", "rolling_12", "quarter", "ytd", "ctd")
FLOWS = (
    "referrals",
    "starts",
    "did_not_start",
    "failed_to_attend",
    "job_starts",
    "earnings_starts",
    "job_outcomes",
    "sustainments",
    "exits",
)
# Event codes counted one per event (DOMAIN.md 15.13); the resolution codes are counted once per referral.
_PER_EVENT_FLOWS = {
    "JOB_START": "job_starts",
    "EARNINGS_START": "earnings_starts",
    "SUSTAINMENT": "sustainments",
    "EXITED": "exits",
}
# Kind 1, 2, 3 in RESOLUTION_CODES order, which also breaks same-day ties (DOMAIN.md 4).
_RESOLUTIONS = {code: kind for kind, code in enumerate(RESOLUTION_CODES, start=1)}
RESOLUTION_FLOWS = {1: "starts", 2: "did_not_start", 3: "failed_to_attend"}
NO_MONTH = np.iinfo(np.int64).min
# Every event code this engine reads (selectors load only these).
CODES_READ = (*_RESOLUTIONS, *_PER_EVENT_FLOWS, "JOB_OUTCOME", "OUTCOME_INVALIDATED")


@dataclass(frozen=True)
class ProgrammeRules:
    """What a participants.Programme row fixes (DOMAIN.md 2, 5)."""

    code: str
    groups: tuple[str, ...]
    measured_groups: tuple[str, ...]
    cohort_basis: str  # "REFERRAL" or "START"
    outcome_window_days: int | None
    has_quarterly_review: bool

    @property
    def report_groups(self) -> tuple[str, ...]:
        return report_groups(self.groups)


@dataclass(frozen=True)
class ContractTerms:
    start_date: date
    year_start_month: int = DEFAULT_YEAR_START_MONTH

    @property
    def start_month(self) -> int:
        return month_of(self.start_date)


def month_of(day) -> int:
    """The month index of a date (scalar)."""
    return int(np.datetime64(day, "D").astype("datetime64[M]").astype(np.int64))


def month_label(month: int) -> str:
    return str(np.datetime64(int(month), "M"))


def parse_month(label: str) -> int:
    """'YYYY-MM' -> month index; ValueError when it does not parse."""
    if not isinstance(label, str) or len(label) != 7 or label[4] != "-":
        raise ValueError(label)
    return int(np.datetime64(label, "M").astype(np.int64))


def month_first_day(month: int) -> date:
    return np.datetime64(int(month), "M").astype("datetime64[D]").astype(date)


def month_last_day(month: int) -> date:
    return (np.datetime64(int(month) + 1, "M").astype("datetime64[D]") - 1).astype(date)


def _months(days: np.ndarray) -> np.ndarray:
    """datetime64 array -> month indexes (NaT -> NO_MONTH)."""
    days = days.astype("datetime64[D]")
    out = days.astype("datetime64[M]").astype(np.int64)
    out[np.isnat(days)] = NO_MONTH
    return out


# --------------------------------------------------------------------------------------------------------
# Per-referral facts (DOMAIN.md 4, 15.12, 15.13, 15.21)
# --------------------------------------------------------------------------------------------------------


@dataclass
class Facts:
    """One entry per referral (same order as the referrals frame), plus the per-event flows."""

    group: np.ndarray  # object: the referral's current group (15.21)
    referral_month: np.ndarray  # int64
    resolution: np.ndarray  # int8: 0 none, 1 STARTED, 2 DNS, 3 FTA (the first one, DOMAIN.md 4)
    resolution_month: np.ndarray  # int64 (NO_MONTH when unresolved)
    start_date: np.ndarray  # datetime64[D], NaT unless resolved STARTED
    outcome_date: np.ndarray  # datetime64[D], the first JOB_OUTCOME (15.12), NaT when none
    invalidated: np.ndarray  # bool: any OUTCOME_INVALIDATED of any date (15.12)
    event_flow: np.ndarray  # int: index into FLOWS of each counted per-event row
    event_month: np.ndarray  # int64 month of each counted per-event row
    event_referral: np.ndarray  # int64 position of the referral of each counted per-event row
    data_last_day: np.datetime64 | None = None  # the latest referral or event date held
    group_code: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # index into group_names
    group_names: list[str] = field(default_factory=list)
    derived: dict = field(default_factory=dict, repr=False, compare=False)  # per-rules arrays, computed once

    @property
    def outcome_month(self) -> np.ndarray:
        return _months(self.outcome_date)

    def in_group(self, group: str) -> np.ndarray:
        """Mask of the referrals of `group` (all of them for ALL)."""
        if group == ALL and ALL not in self.group_names:
            return np.ones(self.size, bool)
        if group not in self.group_names:
            return np.zeros(self.size, bool)
        return self.group_code == self.group_names.index(group)

    @property
    def size(self) -> int:
        return len(self.group)


def referral_facts(referrals: pd.DataFrame, events: pd.DataFrame) -> Facts:
    """Reduce the frames to per-referral facts in one vectorised pass (no loop per referral)."""
    ids = pd.Index(referrals["referral_id"].to_numpy())
    n = len(ids)
    ref_dates = referrals["referral_date"].to_numpy().astype("datetime64[D]")
    ev_pos = ids.get_indexer(events["referral_id"].to_numpy())
    ev_dates = events["event_date"].to_numpy().astype("datetime64[D]")
    codes = events["code"].astype("category")  # a no-op when the selector sends categories already
    known = ev_pos >= 0
    code_ids = codes.cat.codes.to_numpy()
    categories = list(codes.cat.categories)

    def mask(code: str) -> np.ndarray:
        return (
            (code_ids == categories.index(code)) & known
            if code in categories
            else np.zeros(len(ev_pos), bool)
        )

    # The first resolution of each referral counts (DOMAIN.md 4): earliest date, then RESOLUTION_CODES order.
    resolution = np.zeros(n, np.int8)
    resolution_date = np.full(n, np.datetime64("NaT"), "datetime64[D]")
    res_mask = np.zeros(len(ev_pos), bool)
    res_kind = np.zeros(len(ev_pos), np.int8)
    for code, kind in _RESOLUTIONS.items():
        m = mask(code)
        res_mask |= m
        res_kind[m] = kind
    rows = np.flatnonzero(res_mask)
    order = rows[np.lexsort((res_kind[rows], ev_dates[rows], ev_pos[rows]))]
    first = order[np.r_[True, ev_pos[order][1:] != ev_pos[order][:-1]]] if len(order) else order
    resolution[ev_pos[first]] = res_kind[first]
    resolution_date[ev_pos[first]] = ev_dates[first]
    start_date = np.where(resolution == 1, resolution_date, np.datetime64("NaT"))

    # Only the first JOB_OUTCOME of a referral counts anywhere (15.12).
    outcome_date = np.full(n, np.datetime64("NaT"), "datetime64[D]")
    jo = mask("JOB_OUTCOME")
    if jo.any():
        first_jo = pd.Series(ev_dates[jo]).groupby(ev_pos[jo]).min()
        outcome_date[first_jo.index.to_numpy()] = first_jo.to_numpy().astype("datetime64[D]")
    invalidated = np.zeros(n, bool)
    invalidated[ev_pos[mask("OUTCOME_INVALIDATED")]] = True

    per_event = np.zeros(len(ev_pos), bool)
    flow_of = np.zeros(len(ev_pos), np.int64)
    for code, name in _PER_EVENT_FLOWS.items():
        m = mask(code)
        per_event |= m
        flow_of[m] = FLOWS.index(name)
    latest = [d.max() for d in (ref_dates, ev_dates[known]) if len(d)]
    group_code, group_names = pd.factorize(referrals["group"].to_numpy(dtype=object))
    return Facts(
        group=referrals["group"].to_numpy(dtype=object),
        group_code=group_code.astype(np.int64),
        group_names=list(group_names),
        referral_month=_months(ref_dates),
        resolution=resolution,
        resolution_month=_months(resolution_date),
        start_date=start_date,
        outcome_date=outcome_date,
        invalidated=invalidated,
        event_flow=flow_of[per_event],
        event_month=_months(ev_dates[per_event]),
        event_referral=ev_pos[per_event].astype(np.int64),
        data_last_day=max(latest) if latest else None,
    )


def default_as_of(facts: Facts) -> date | None:
    """The latest referral or event date held (DOMAIN.md 15.8)."""
    return None if facts.data_last_day is None else facts.data_last_day.astype(date)


def last_ended_month(as_of: date) -> int:
    """The last calendar month that ended on or before `as_of` (DOMAIN.md 15.8)."""
    return month_of(as_of) if month_last_day(month_of(as_of)) == as_of else month_of(as_of) - 1


# --------------------------------------------------------------------------------------------------------
# Profiles (DOMAIN.md 7, 15.9) and notified targets (15.10)
# --------------------------------------------------------------------------------------------------------

# Required outcomes are held exactly, in UNITS per outcome: profiles have 2 decimals of a percent, so
# size x (P(k) - P(k-1)) is an integer number of 1/10,000ths of an outcome and sums stay exact; the output's
# half-to-even rounding then sees the true decimal (2.095 -> 2.10), not a binary approximation.
UNITS = 10_000


def profile_points(profiles: pd.DataFrame | None, group: str, length: int) -> np.ndarray:
    """P(1..length) in hundredths of a percent (int64). A missing month inside 1..K takes the last given value
    (0 before the first given month); P(k) = P(K) beyond K; a group without a profile: all 0 (15.9)."""
    curve = np.zeros(max(length, 0), np.int64)
    if profiles is None or profiles.empty or length <= 0:
        return curve
    rows = profiles[profiles["group"] == group]
    if rows.empty:
        return curve
    months = rows["month"].astype(int).to_numpy()
    points = np.round(rows["cumulative_pct"].astype(float).to_numpy() * 100).astype(np.int64)
    given = np.full(max(length, months.max()) + 1, np.nan)
    given[0] = 0.0
    given[months] = points
    return pd.Series(given).ffill().to_numpy()[1 : length + 1].astype(np.int64)


def profile_curve(profiles: pd.DataFrame | None, group: str, length: int) -> np.ndarray:
    """P(1..length) as a share (0-1)."""
    return profile_points(profiles, group, length) / UNITS


@dataclass(frozen=True)
class Targets:
    """DWP-notified required outcomes keyed by (group, first month, last month)."""

    by_key: dict[tuple[str, int, int], int] = field(default_factory=dict)  # in UNITS

    @classmethod
    def from_frame(cls, frame: pd.DataFrame | None) -> Targets:
        if frame is None or frame.empty:
            return cls()
        firsts = _months(pd.to_datetime(frame["period_start"]).to_numpy())
        lasts = _months(pd.to_datetime(frame["period_end"]).to_numpy())
        values = np.round(frame["required_outcomes"].astype(float).to_numpy() * UNITS).astype(np.int64)
        return cls(
            {
                (g, int(a), int(b)): int(v)
                for g, a, b, v in zip(frame["group"], firsts, lasts, values, strict=True)
            }
        )

    def lookup(self, group: str, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Per (first, last) pair: the notified figure in UNITS, -1 when none matches exactly."""
        out = np.full(len(first), -1, np.int64)
        for (g, a, b), value in self.by_key.items():
            if g == group:
                out[(first == a) & (last == b)] = value
        return out


# --------------------------------------------------------------------------------------------------------
# Monthly matrices
# --------------------------------------------------------------------------------------------------------


@dataclass
class Monthly:
    """groups x months x flows counts and groups x months MPL-required outcomes, months m0 .. m0+T-1.

    `groups` are the programme's own groups followed by any other group the data holds; ALL is their sum.
    """

    m0: int
    groups: list[str]
    flows: np.ndarray  # int64 [G, T, F]
    required: np.ndarray  # int64 [G, T], in UNITS
    outcomes: np.ndarray  # int64 [G, T]: first job outcomes (gross), by outcome month
    invalid_outcomes: np.ndarray  # int64 [G, T]: those of invalidated referrals
    cohort_sizes: np.ndarray  # int64 [G, T]: cohort sizes by cohort-basis month

    @property
    def months(self) -> int:
        return self.flows.shape[1]

    def index(self, month: np.ndarray | int) -> np.ndarray:
        return np.asarray(month) - self.m0


def cohort_basis_month(facts: Facts, rules: ProgrammeRules) -> np.ndarray:
    """The cohort month of each referral: referral date (WP, CAP) or start date (WHP) (DOMAIN.md 5)."""
    if rules.cohort_basis != "START":
        return facts.referral_month
    if "start_month" not in facts.derived:
        facts.derived["start_month"] = _months(facts.start_date)
    return facts.derived["start_month"]


def monthly(
    facts: Facts,
    rules: ProgrammeRules,
    terms: ContractTerms,
    profiles: pd.DataFrame | None,
    through_month: int,
) -> Monthly:
    own = [g for g in rules.groups if g != ALL] or list(rules.groups)
    groups = own + sorted(set(facts.group_names) - set(own))
    # each referral's row in `groups`, through the factorized codes (no loop per referral)
    g_of = (
        np.array([groups.index(g) for g in facts.group_names], dtype=np.int64)[facts.group_code]
        if facts.size
        else np.zeros(0, np.int64)
    )
    data_months = [facts.referral_month[facts.referral_month != NO_MONTH]]
    m0 = min([terms.start_month] + [int(m.min()) for m in data_months if len(m)])
    m0 = min(m0, through_month) - 11  # room for a rolling twelve months before the first month
    T = max(through_month - m0 + 1, 1)
    G, F = len(groups), len(FLOWS)

    def counts(
        gidx: np.ndarray, months: np.ndarray, fidx: np.ndarray | int = 0, width: int = 1
    ) -> np.ndarray:
        ok = (months != NO_MONTH) & (months >= m0) & (months < m0 + T)
        fidx = np.broadcast_to(fidx, months.shape)
        flat = (gidx[ok] * T + (months[ok] - m0)) * width + fidx[ok]
        return (
            np.bincount(flat, minlength=G * T * width).reshape(G, T, width)
            if width > 1
            else np.bincount(flat, minlength=G * T).reshape(G, T)
        )

    flows = np.zeros((G, T, F), np.int64)
    flows[:, :, FLOWS.index("referrals")] = counts(g_of, facts.referral_month)
    for kind, name in RESOLUTION_FLOWS.items():
        sel = facts.resolution == kind
        flows[:, :, FLOWS.index(name)] = counts(g_of[sel], facts.resolution_month[sel])
    outcome_month = facts.outcome_month
    outcomes = counts(g_of, outcome_month)
    flows[:, :, FLOWS.index("job_outcomes")] = outcomes
    if len(facts.event_flow):
        flows += counts(g_of[facts.event_referral], facts.event_month, facts.event_flow, F)
    invalid_outcomes = counts(g_of[facts.invalidated], outcome_month[facts.invalidated])
    sizes = counts(g_of, cohort_basis_month(facts, rules))

    # MPL required (DOMAIN.md 7): expected(m) = sum_c size(c) x (P(k) - P(k-1)), k = m - c + 1: a convolution.
    required = np.zeros((G, T), np.int64)
    for i, g in enumerate(groups):
        if sizes[i].any():
            step = np.diff(profile_points(profiles, g, T), prepend=0)
            required[i] = np.convolve(sizes[i], step)[:T]
    return Monthly(
        m0=m0,
        groups=groups,
        flows=flows,
        required=required,
        outcomes=outcomes,
        invalid_outcomes=invalid_outcomes,
        cohort_sizes=sizes,
    )


# --------------------------------------------------------------------------------------------------------
# Periods and performance against MPL (DOMAIN.md 6, 7, 15.7, 15.10, 15.13)
# --------------------------------------------------------------------------------------------------------


def period_bounds(months: np.ndarray, period: str, terms: ContractTerms) -> tuple[np.ndarray, np.ndarray]:
    """(first month, last month) of `period` ending with each month M (DOMAIN.md 15.7)."""
    months = np.asarray(months, dtype=np.int64)
    into_year = (months % 12 - (terms.year_start_month - 1)) % 12
    starts = {
        "in_month": months,
        "rolling_3": months - 2,
        "rolling_12": months - 11,
        "quarter": months - into_year % 3,
        "ytd": np.maximum(months - into_year, terms.start_month),
        "ctd": np.full_like(months, terms.start_month),
    }
    if period not in starts:
        raise ValueError(period)
    return starts[period], months


def performance_table(
    facts: Facts,
    rules: ProgrammeRules,
    terms: ContractTerms,
    profiles: pd.DataFrame | None,
    targets: pd.DataFrame | None,
    months: list[int] | np.ndarray,
    periods: tuple[str, ...] = PERIODS,
    groups: tuple[str, ...] | None = None,
    table: Monthly | None = None,
) -> pd.DataFrame:
    """One row per (month M, period, group) for the months given: flows, mpl_required, variance, pct_of_mpl
    (NaN when required is 0). Groups default to ALL and every programme group."""
    months = np.asarray(sorted(set(int(m) for m in months)), dtype=np.int64)
    if len(months) and months.min() < terms.start_month:
        raise ValueError("month before the contract start")
    table = table or monthly(
        facts, rules, terms, profiles, int(months.max()) if len(months) else terms.start_month
    )
    groups = groups or rules.report_groups
    notified = Targets.from_frame(targets)
    cum_flows = np.concatenate(
        [np.zeros((len(table.groups), 1, len(FLOWS)), np.int64), table.flows.cumsum(axis=1)], axis=1
    )
    cum_req = np.concatenate(
        [np.zeros((len(table.groups), 1), np.int64), table.required.cumsum(axis=1)], axis=1
    )
    parts = []
    for period in periods:
        first, last = period_bounds(months, period, terms)
        a = np.clip(table.index(first), 0, table.months)
        b = np.clip(table.index(last) + 1, 0, table.months)
        flows = cum_flows[:, b, :] - cum_flows[:, a, :]  # [G, n, F]
        required = cum_req[:, b] - cum_req[:, a]  # [G, n]
        own = {g: i for i, g in enumerate(table.groups)}
        # A notified figure replaces a group's derived one on an exact (group, period) match (15.10).
        overridden = required.copy()
        for g, i in own.items():
            hit = notified.lookup(g, first, last)
            overridden[i] = np.where(hit < 0, overridden[i], hit)
        programme_rows = [own[g] for g in rules.groups if g in own]
        for g in groups:
            if g == ALL:
                g_flows = flows.sum(axis=0)
                g_req = (
                    overridden[programme_rows].sum(axis=0)
                    if programme_rows
                    else np.zeros(len(months), np.int64)
                )
                hit = notified.lookup(ALL, first, last) if ALL not in own else np.full(len(months), -1)
                g_req = np.where(hit < 0, g_req, hit)
            elif g in own:
                g_flows, g_req = flows[own[g]], overridden[own[g]]
            else:
                g_flows, g_req = (
                    np.zeros((len(months), len(FLOWS)), np.int64),
                    np.zeros(len(months), np.int64),
                )
            frame = pd.DataFrame(g_flows, columns=list(FLOWS))
            frame.insert(0, "month", months)
            frame.insert(1, "period", period)
            frame.insert(2, "group", g)
            frame.insert(3, "first_month", first)
            frame.insert(4, "last_month", last)
            frame["required_units"] = g_req
            parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    out["mpl_required"] = out["required_units"] / UNITS
    out["variance"] = (out["job_outcomes"] * UNITS - out["required_units"]) / UNITS
    with np.errstate(divide="ignore", invalid="ignore"):
        out["pct_of_mpl"] = np.where(
            out["mpl_required"] != 0, out["job_outcomes"] / out["mpl_required"] * 100.0, np.nan
        )
    return out


# --------------------------------------------------------------------------------------------------------
# Cohorts (DOMAIN.md 5, 15.8, 15.11)
# --------------------------------------------------------------------------------------------------------


def cohort_outcome_month(facts: Facts, rules: ProgrammeRules) -> np.ndarray:
    """The month of each referral's first JOB_OUTCOME counted for its cohort: invalidated or not, and inside
    the programme's outcome window when it has one (WHP: at most 639 days after the start, inclusive)."""
    key = ("cohort_outcome_month", rules.outcome_window_days)
    if key not in facts.derived:
        months = facts.outcome_month.copy()
        if rules.outcome_window_days is not None:
            days = (facts.outcome_date - facts.start_date).astype("timedelta64[D]")
            inside = ~np.isnat(days) & (days <= np.timedelta64(rules.outcome_window_days, "D"))
            months[~inside] = NO_MONTH
        facts.derived[key] = months
    return facts.derived[key]


def cohort_table(
    facts: Facts, rules: ProgrammeRules, profiles: pd.DataFrame | None, group: str, as_of: date
) -> list[dict]:
    """The cohorts of `group` (or ALL) up to the last month ended on or before `as_of`: cohort month, size,
    conversion by month on programme and the profile, both as unrounded percentages."""
    last = last_ended_month(as_of)
    basis = cohort_basis_month(facts, rules)
    outcome = cohort_outcome_month(facts, rules)
    chosen = facts.in_group(group) & (basis != NO_MONTH) & (basis <= last)
    if not chosen.any():
        return []
    basis, outcome, codes = basis[chosen], outcome[chosen], facts.group_code[chosen]
    c0 = int(basis.min())
    C = last - c0 + 1
    ci = basis - c0
    sizes = np.bincount(ci, minlength=C)
    has = (outcome != NO_MONTH) & (outcome <= last)
    k = np.maximum(
        outcome[has] - basis[has], 0
    )  # months on programme - 1 (an outcome before the basis: month 1)
    hits = np.bincount(ci[has] * C + k, minlength=C * C).reshape(C, C).cumsum(axis=1)
    # Profile: the group's own, or for ALL the size-weighted mean of the groups' profiles (15.11).
    # Integer numerators (sizes x hundredths of a percent), one division: the float nearest the exact mean.
    if group == ALL:
        weighted = np.zeros((C, C), np.int64)
        for code in np.unique(codes):  # the programme's few groups
            g_sizes = np.bincount(ci[codes == code], minlength=C)
            weighted += g_sizes[:, None] * profile_points(profiles, facts.group_names[code], C)[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            profile = weighted / (sizes[:, None] * 100)
    else:
        profile = np.broadcast_to(profile_points(profiles, group, C) / 100, (C, C))
    rows = []
    for c in np.flatnonzero(sizes):  # one row per non-empty cohort month (a handful), not per referral
        n = C - c
        rows.append(
            {
                "cohort": month_label(c0 + c),
                "size": int(sizes[c]),
                "conversion_pct": (hits[c, :n] * 100.0 / sizes[c]).tolist(),
                "profile_pct": profile[c, :n].tolist(),
            }
        )
    return rows


# --------------------------------------------------------------------------------------------------------
# WP formal quarterly review (DOMAIN.md 8, 15.14)
# --------------------------------------------------------------------------------------------------------


def is_quarter_end(month: int) -> bool:
    return month % 12 + 1 in QUARTER_END_MONTHS


def validated_months_for(month: int, final: bool) -> int:
    """March / September: 6 validated months; June / December: 9; a final assessment: 12 (DOMAIN.md 8)."""
    if final:
        return 12
    return 6 if month % 12 + 1 in (3, 9) else 9


def invalid_rate(rounds: pd.DataFrame | None, quarter_end: int) -> float:
    """The invalid share (0-1) of the FINAL round with the latest period end on or before the quarter's last
    day, the higher round on a tie; none: 0 (15.14)."""
    if rounds is None or rounds.empty:
        return 0.0
    ends = pd.to_datetime(rounds["period_end"]).to_numpy().astype("datetime64[D]")
    usable = (rounds["status"].to_numpy() == "FINAL") & (ends <= np.datetime64(month_last_day(quarter_end)))
    if not usable.any():
        return 0.0
    chosen = pd.DataFrame(
        {
            "end": ends[usable],
            "round": rounds["round"].astype(int).to_numpy()[usable],
            "pct": rounds["invalid_pct"].astype(float).to_numpy()[usable],
        }
    )
    return float(chosen.sort_values(["end", "round"]).iloc[-1]["pct"]) / 100.0


def assessment_table(
    facts: Facts,
    rules: ProgrammeRules,
    terms: ContractTerms,
    profiles: pd.DataFrame | None,
    targets: pd.DataFrame | None,
    rounds: pd.DataFrame | None,
    quarter_ends: list[int],
    groups: tuple[str, ...] | None = None,
    finals: tuple[bool, ...] = (False, True),
    table: Monthly | None = None,
) -> pd.DataFrame:
    """Per quarter end, measured group and final flag: the twelve months ending Q assessed with validated and
    extrapolated outcomes against the rolling-twelve MPL required (notified targets included)."""
    columns = [
        "quarter_end",
        "group",
        "final",
        "window_start",
        "validated_months",
        "validated_outcomes",
        "extrapolation_base",
        "extrapolated_outcomes",
        "adjusted_outcomes",
        "invalid_pct_used",
        "mpl_required",
        "met",
    ]
    quarter_ends = sorted(set(int(q) for q in quarter_ends))
    if not quarter_ends:
        return pd.DataFrame(columns=columns)
    groups = groups or rules.measured_groups
    table = table or monthly(facts, rules, terms, profiles, max(quarter_ends))
    required = performance_table(
        facts, rules, terms, profiles, targets, quarter_ends, ("rolling_12",), tuple(groups), table=table
    ).set_index(["group", "month"])["mpl_required"]
    rows = []
    own = {g: i for i, g in enumerate(table.groups)}
    for q in quarter_ends:  # a few dozen quarter ends x measured groups: plain data, not referrals
        rate = invalid_rate(rounds, q)
        for g in groups:
            gross = table.outcomes.sum(axis=0) if g == ALL else table.outcomes[own[g]]
            invalid = table.invalid_outcomes.sum(axis=0) if g == ALL else table.invalid_outcomes[own[g]]
            window = table.index(np.arange(q - 11, q + 1))
            inside = (window >= 0) & (window < table.months)
            g_window = np.where(inside, gross[np.clip(window, 0, table.months - 1)], 0)
            i_window = np.where(inside, invalid[np.clip(window, 0, table.months - 1)], 0)
            for final in finals:
                v = validated_months_for(q, final)
                validated = int((g_window[:v] - i_window[:v]).sum())
                base = int(g_window[v:].sum())
                applied = 0.0 if final else rate
                extrapolated = base * (1.0 - applied)
                adjusted = validated + extrapolated
                need = float(required.loc[(g, q)])
                rows.append(
                    {
                        "quarter_end": q,
                        "group": g,
                        "final": final,
                        "window_start": q - 11,
                        "validated_months": v,
                        "validated_outcomes": validated,
                        "extrapolation_base": base,
                        "extrapolated_outcomes": extrapolated,
                        "adjusted_outcomes": adjusted,
                        "invalid_pct_used": applied * 100.0,
                        "mpl_required": need,
                        "met": bool(adjusted >= need),
                    }
                )
    return pd.DataFrame(rows, columns=columns)


def quarter_ends_between(first_month: int, last_month: int) -> list[int]:
    return [m for m in range(first_month, last_month + 1) if is_quarter_end(m)]


# --------------------------------------------------------------------------------------------------------
# Early warning: projected rolling-twelve outcomes at the next quarter ends
# --------------------------------------------------------------------------------------------------------

Z_90 = 1.6448536269514722  # two-sided 90% normal quantile for the range


def projection_table(
    facts: Facts,
    rules: ProgrammeRules,
    terms: ContractTerms,
    profiles: pd.DataFrame | None,
    targets: pd.DataFrame | None,
    as_of: date,
    horizon: int = 2,
) -> pd.DataFrame:
    """For each measured group, the rolling-twelve job outcomes projected at the next `horizon` quarter ends
    after the last month ended by `as_of` L (docs/projection.md):

    - outcomes already in: first job outcomes dated in window months <= L (DOMAIN.md 15.13);
    - expected outcomes of open cohorts: every cohort (referral month for WP/CAP, start month for WHP) up to
      L converts in each future month m at the group's *observed* conversion hazard for its month on
      programme k = m - c + 1: h(k) = outcomes in month k of the cohorts that have completed month k divided
      by those cohorts' sizes (pooled over all cohorts). Months on programme no cohort has completed yet take
      the profile's step P(k) - P(k-1). Cohorts after L are not counted (nobody referred yet);
    - range: the future part treated as Poisson, expected +- 1.645 sqrt(expected) (90%), floored at 0;
    - required: the rolling-twelve MPL required at that quarter end (notified targets included) from the same
      profile arithmetic as the performance figures.

    Returns quarter_end, group, actual, expected, projected, low, high, mpl_required, projected_pct,
    low_pct, high_pct (pct NaN when required is 0), below_mpl (projected < required, unrounded).
    """
    columns = [
        "quarter_end",
        "group",
        "actual",
        "expected",
        "projected",
        "low",
        "high",
        "mpl_required",
        "projected_pct",
        "low_pct",
        "high_pct",
        "below_mpl",
    ]
    last = last_ended_month(as_of)
    future_qs = [m for m in range(last + 1, last + 13) if is_quarter_end(m)][:horizon]
    if not future_qs:
        return pd.DataFrame(columns=columns)
    table = monthly(facts, rules, terms, profiles, max(future_qs))
    required = performance_table(
        facts,
        rules,
        terms,
        profiles,
        targets,
        future_qs,
        ("rolling_12",),
        tuple(rules.measured_groups),
        table=table,
    ).set_index(["group", "month"])
    basis = cohort_basis_month(facts, rules)
    outcome = facts.outcome_month  # gross first outcomes, as the MPL actuals (15.13)
    own = {g: i for i, g in enumerate(table.groups)}
    rows = []
    for g in rules.measured_groups:
        chosen = facts.in_group(g) & (basis != NO_MONTH) & (basis <= last)
        sizes_idx = table.index(np.arange(table.m0, last + 1))
        sizes = (table.cohort_sizes.sum(axis=0) if g == ALL else table.cohort_sizes[own[g]])[sizes_idx]
        hazard = _observed_hazard(
            basis[chosen],
            outcome[chosen],
            last,
            table.m0,
            sizes,
            profile_curve(profiles, g, 12 + len(sizes) + 12),
        )
        gross = table.outcomes.sum(axis=0) if g == ALL else table.outcomes[own[g]]
        for q in future_qs:
            window = np.arange(q - 11, q + 1)
            past = window[window <= last]
            actual = float(
                gross[np.clip(table.index(past), 0, table.months - 1)][table.index(past) >= 0].sum()
            )
            expected = 0.0
            for m in window[window > last]:  # at most 12 future months
                k = m - np.arange(table.m0, last + 1)  # months on programme - 1, per cohort month
                expected += float((sizes * hazard[k]).sum())
            spread = Z_90 * math.sqrt(expected)
            need = float(required.loc[(g, q), "mpl_required"])
            projected, low, high = (
                actual + expected,
                actual + max(expected - spread, 0.0),
                actual + expected + spread,
            )
            rows.append(
                {
                    "quarter_end": q,
                    "group": g,
                    "actual": actual,
                    "expected": expected,
                    "projected": projected,
                    "low": low,
                    "high": high,
                    "mpl_required": need,
                    "projected_pct": projected / need * 100.0 if need else math.nan,
                    "low_pct": low / need * 100.0 if need else math.nan,
                    "high_pct": high / need * 100.0 if need else math.nan,
                    "below_mpl": bool(projected < need),
                }
            )
    return pd.DataFrame(rows, columns=columns)


def _observed_hazard(
    basis: np.ndarray, outcome: np.ndarray, last: int, m0: int, sizes: np.ndarray, profile: np.ndarray
) -> np.ndarray:
    """h[k] (k = months on programme - 1): pooled observed share converting in month k+1, for cohorts that
    have completed that month by `last`; the profile's step where no cohort has."""
    K = len(profile)
    step = np.diff(profile, prepend=0.0)
    has = (outcome != NO_MONTH) & (outcome <= last)
    k = np.minimum(np.maximum(outcome[has] - basis[has], 0), K - 1)
    hits = np.bincount(k, minlength=K).astype(float)
    # Cohort month c has completed months on programme 1 .. last - c + 1: exposure at k is the total size
    # of the cohorts with last - c >= k.
    age = last - np.arange(m0, last + 1)
    exposure = np.bincount(np.clip(age, 0, K - 1), weights=sizes.astype(float), minlength=K)[::-1].cumsum()[
        ::-1
    ]
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(exposure > 0, hits / exposure, step)
    return hazard


# --------------------------------------------------------------------------------------------------------
# Output records: the API's shapes (DATA.md), rounded by participants.journey.rounded (15.16); required
# outcomes reach it as the float nearest their exact value.
# --------------------------------------------------------------------------------------------------------


def performance_record(row: dict, contract_ref: str) -> dict:
    """One row of performance_table (as a dict) in the API's shape."""
    record = {
        "contract_ref": contract_ref,
        "group": row["group"],
        "period": row["period"],
        "period_start": month_label(row["first_month"]),
        "period_end": month_label(row["last_month"]),
    }
    record.update({name: int(row[name]) for name in FLOWS})
    record.update(
        {
            "mpl_required": rounded(row["mpl_required"]),
            "variance": rounded(row["variance"]),
            "pct_of_mpl": rounded(row["pct_of_mpl"]),
        }
    )
    return record


def performance_records(frame: pd.DataFrame, contract_ref: str) -> list[dict]:
    # output rows (months x periods x groups), not referrals
    return [performance_record(row, contract_ref) for row in frame.to_dict("records")]


def cohort_records(rows: list[dict]) -> list[dict]:
    return [
        {
            "cohort": r["cohort"],
            "size": r["size"],
            "conversion_pct": [rounded(x) for x in r["conversion_pct"]],
            "profile_pct": [rounded(x) for x in r["profile_pct"]],
        }
        for r in rows
    ]


def assessment_record(row: dict, contract_ref: str) -> dict:
    """One row of assessment_table (as a dict) in the API's shape."""
    return {
        "contract_ref": contract_ref,
        "group": row["group"],
        "quarter_end": month_label(row["quarter_end"]),
        "window_start": month_label(row["window_start"]),
        "validated_months": int(row["validated_months"]),
        "validated_outcomes": int(row["validated_outcomes"]),
        "extrapolated_outcomes": rounded(row["extrapolated_outcomes"]),
        "adjusted_outcomes": rounded(row["adjusted_outcomes"]),
        "invalid_pct_used": rounded(row["invalid_pct_used"]),
        "mpl_required": rounded(row["mpl_required"]),
        "met": bool(row["met"]),
    }


def assessment_records(frame: pd.DataFrame, contract_ref: str) -> list[dict]:
    return [assessment_record(row, contract_ref) for row in frame.to_dict("records")]
