"""Per-referral facts (DOMAIN.md 4, 5, 15.12, 15.13, 15.21): one vectorised pass over the referral and event
frames of `participants.selectors`, from which every figure is counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from participants.journey import ALL

from .months import NO_MONTH, month_indexes
from .rules import FLOWS, PER_EVENT_FLOWS, RESOLUTION_KINDS, ProgrammeRules


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
        return month_indexes(self.outcome_date)

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
    for code, kind in RESOLUTION_KINDS.items():
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
    for code, name in PER_EVENT_FLOWS.items():
        m = mask(code)
        per_event |= m
        flow_of[m] = FLOWS.index(name)
    latest = [d.max() for d in (ref_dates, ev_dates[known]) if len(d)]
    group_code, group_names = pd.factorize(referrals["group"].to_numpy(dtype=object))
    return Facts(
        group=referrals["group"].to_numpy(dtype=object),
        group_code=group_code.astype(np.int64),
        group_names=list(group_names),
        referral_month=month_indexes(ref_dates),
        resolution=resolution,
        resolution_month=month_indexes(resolution_date),
        start_date=start_date,
        outcome_date=outcome_date,
        invalidated=invalidated,
        event_flow=flow_of[per_event],
        event_month=month_indexes(ev_dates[per_event]),
        event_referral=ev_pos[per_event].astype(np.int64),
        data_last_day=max(latest) if latest else None,
    )


def default_as_of(facts: Facts) -> date | None:
    """The latest referral or event date held (DOMAIN.md 15.8)."""
    return None if facts.data_last_day is None else facts.data_last_day.astype(date)


def cohort_basis_month(facts: Facts, rules: ProgrammeRules) -> np.ndarray:
    """The cohort month of each referral: referral date (WP, CAP) or start date (WHP) (DOMAIN.md 5)."""
    if rules.cohort_basis != "START":
        return facts.referral_month
    if "start_month" not in facts.derived:
        facts.derived["start_month"] = month_indexes(facts.start_date)
    return facts.derived["start_month"]


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
