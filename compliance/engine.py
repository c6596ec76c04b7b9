"""Customer service standards (DOMAIN.md 9; edge cases 15.1-15.6, 15.16, 15.18-15.21), pure and vectorised.

Inputs are the referral and event frames of participants.selectors (schema there), the contract's
working-day calendar (participants.calendar), the standards as `StandardRule`s, an as-of date and a window.
No Django, no I/O: the jobs, the API, the pages and the reports all call `compute_standards`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Literal

import numpy as np
import pandas as pd

from participants.calendar import WorkingDayCalendar
from participants.journey import ALL, RESOLUTION_CODES, report_groups, rounded

STARTED = "STARTED"
REFERRED = "REFERRED"

DEADLINE, BACKLOG_SHARE, BACKLOG_MAX = "deadline", "backlog_share", "backlog_max"
MEASURES: tuple[str, ...] = (DEADLINE, BACKLOG_SHARE, BACKLOG_MAX)
MET, NOT_MET = "MET", "NOT_MET"

Measure = Literal["deadline", "backlog_share", "backlog_max"]

FAILURE_COLUMNS = [
    "code",
    "referral_id",
    "referral_ref",
    "group",
    "site_id",
    "key_worker_id",
    "start_date",
    "deadline",
    "end_date",
    "age_working_days",
]


@dataclass(frozen=True)
class StandardRule:
    """One standard as plain data (the compliance.Standard row without Django)."""

    code: str
    measure: Measure
    start_event: str
    end_events: tuple[str, ...]
    limit_working_days: int
    target: float
    started_only: bool = False


@dataclass(frozen=True)
class StandardFigures:
    """The figures of one standard for one group as at A, unrounded (DATA.md standards results)."""

    code: str
    measure: Measure
    group: str
    limit_working_days: int
    target: float
    eligible: int | None = None
    met: int | None = None
    referrals: int | None = None
    backlog: int | None = None
    over_limit: int | None = None
    oldest_age_working_days: int | None = None

    @property
    def compliance_pct(self) -> float | None:
        """met / eligible x 100; None when nothing is eligible (DOMAIN.md 15.3)."""
        if self.measure != DEADLINE or not self.eligible:
            return None
        return self.met * 100 / self.eligible

    @property
    def backlog_pct(self) -> float | None:
        if self.measure != BACKLOG_SHARE or not self.referrals:
            return None
        return self.backlog * 100 / self.referrals

    @property
    def status(self) -> str | None:
        """MET / NOT_MET compared on unrounded values (15.16); None where there is no figure (15.3)."""
        if self.measure == DEADLINE:
            pct = self.compliance_pct
            return None if pct is None else (MET if pct >= self.target else NOT_MET)
        if self.measure == BACKLOG_SHARE:
            pct = self.backlog_pct
            return None if pct is None else (MET if pct <= self.target else NOT_MET)
        return MET if self.over_limit <= self.target else NOT_MET


def round_pct(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator x 100 as shown (participants.journey.rounded), on the exact ratio."""
    if not denominator:
        return None
    return rounded(Fraction(100 * int(numerator), int(denominator)))


@dataclass(frozen=True)
class ComplianceResult:
    as_of: date
    window_start: date
    window_end: date
    figures: list[StandardFigures]
    failures: pd.DataFrame = field(repr=False)

    def results_for(self, group: str = ALL) -> list[StandardFigures]:
        return [f for f in self.figures if f.group == group]

    def failures_for(self, code: str, group: str = ALL) -> pd.DataFrame:
        """Failing items of one standard, by start date then referral reference (DOMAIN.md 15.5)."""
        rows = self.failures[self.failures["code"] == code]
        if group != ALL:
            rows = rows[rows["group"] == group]
        return rows.reset_index(drop=True)


NAT = np.datetime64("NaT", "D")


def _days(values) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[D]")


@dataclass(frozen=True)
class _Held:
    """The referrals and the events that exist at A as flat arrays (one row per referral / event)."""

    referral_day: np.ndarray  # datetime64[D] per referral
    group: np.ndarray  # index into group_names per referral
    group_names: list[str]
    order: np.ndarray  # rank of each referral's reference, for the failure order (15.5)
    resolution: np.ndarray  # code index of each referral's resolution at A, -1 when unresolved
    event_row: np.ndarray  # referral row per event
    event_code: np.ndarray  # index into codes per event
    event_day: np.ndarray  # datetime64[D] per event
    codes: list[str]

    def code(self, name: str) -> int:
        return self.codes.index(name) if name in self.codes else -1

    def code_mask(self, names: Sequence[str]) -> np.ndarray:
        wanted = np.zeros(len(self.codes) + 1, dtype=bool)  # a lookup table over the code indexes
        wanted[[self.code(n) for n in names if n in self.codes]] = True
        return wanted[self.event_code]


def _held(referrals: pd.DataFrame, events: pd.DataFrame, as_of: date) -> _Held:
    """Events dated after A do not exist yet (15.18); of a referral's resolution events only the first counts
    (DOMAIN.md 4; same-day ties in RESOLUTION_CODES order)."""
    day = _days(events["event_date"])
    at = day <= np.datetime64(as_of, "D")
    ids = referrals["referral_id"].to_numpy()
    row = pd.Index(ids).get_indexer(events["referral_id"].to_numpy()[at])
    code_index, uniques = pd.factorize(events["code"].to_numpy()[at])
    codes = [str(c) for c in uniques]
    known = row >= 0
    row, code_index, day = row[known], code_index[known].astype(np.int64), day[at][known]

    res_rank = np.full(len(codes) + 1, len(RESOLUTION_CODES), dtype=np.int64)
    for rank, name in enumerate(RESOLUTION_CODES):
        if name in codes:
            res_rank[codes.index(name)] = rank
    is_res = res_rank[code_index] < len(RESOLUTION_CODES)
    res_pos = np.flatnonzero(is_res)
    by_first = res_pos[np.lexsort((res_rank[code_index[res_pos]], day[res_pos], row[res_pos]))]
    _, first_at = np.unique(row[by_first], return_index=True)
    first = by_first[first_at]
    keep = ~is_res
    keep[first] = True
    resolution = np.full(len(ids), -1, dtype=np.int64)
    resolution[row[first]] = code_index[first]

    group_index, group_names = pd.factorize(referrals["group"].to_numpy())
    order = np.argsort(
        np.argsort(referrals["referral_ref"].to_numpy().astype(str), kind="stable"), kind="stable"
    )
    return _Held(
        referral_day=_days(referrals["referral_date"]),
        group=group_index.astype(np.int64),
        group_names=[str(g) for g in group_names],
        order=order,
        resolution=resolution,
        event_row=row[keep],
        event_code=code_index[keep],
        event_day=day[keep],
        codes=codes,
    )


def _items(rule: StandardRule, held: _Held, low: date, high: date) -> tuple[np.ndarray, np.ndarray]:
    """Every occurrence of the rule's start event dated in the window (15.1, 15.2): (referral row, start)."""
    if rule.start_event == REFERRED:
        rows, start = np.arange(len(held.referral_day)), held.referral_day
    else:
        mask = held.event_code == held.code(rule.start_event)
        rows, start = held.event_row[mask], held.event_day[mask]
    keep = (start >= np.datetime64(low, "D")) & (start <= np.datetime64(high, "D"))
    if rule.started_only:
        # 15.4: the referrals whose resolution as at A is STARTED.
        started = held.code(STARTED)
        keep &= (held.resolution[rows] == started) & (started >= 0)
    return rows[keep], start[keep]


def _ends(rule: StandardRule, held: _Held, rows: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The first end event of the same referral dated on or after each item's start (DOMAIN.md 9, 15.2); NaT
    when none exists at A. One sorted search over (referral, date) keys."""
    mask = held.code_mask(rule.end_events)
    span = np.int64(1 << 22)  # days, comfortably more than any date range held

    def key(r: np.ndarray, d: np.ndarray) -> np.ndarray:
        return r.astype(np.int64) * span + d.astype(np.int64)

    end_rows, end_days = held.event_row[mask], held.event_day[mask]
    end_keys = key(end_rows, end_days)
    sort = np.argsort(end_keys, kind="stable")
    end_keys, end_rows, end_days = end_keys[sort], end_rows[sort], end_days[sort]
    at = np.searchsorted(end_keys, key(rows, start), side="left")
    found = at < len(end_keys)
    found[found] = end_rows[at[found]] == rows[found]
    ends = np.full(len(rows), NAT)
    ends[found] = end_days[at[found]]
    return ends


def _per_group(values: np.ndarray, groups: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(groups, weights=values.astype(np.int64), minlength=size).astype(np.int64)


def codes_read(standards: Sequence[StandardRule]) -> set[str]:
    """The event codes `compute_standards` reads for these standards: their start and end events and the
    resolutions (backlogs and started-only standards need them). REFERRED is the referral row itself."""
    codes = set(RESOLUTION_CODES)
    for rule in standards:
        codes.add(rule.start_event)
        codes.update(rule.end_events)
    codes.discard(REFERRED)
    return codes


def compute_standards(
    referrals: pd.DataFrame,
    events: pd.DataFrame,
    *,
    calendar: WorkingDayCalendar,
    standards: Sequence[StandardRule],
    as_of: date,
    contract_start: date,
    groups: Sequence[str] = (),
    window_start: date | None = None,
    window_end: date | None = None,
) -> ComplianceResult:
    """Every standard for ALL and each of `groups` as at `as_of`, with the failing items (DOMAIN.md 9, 15).

    The window defaults to the contract start .. A; `window_end` is capped at A (15.1). Groups are the
    referrals' current groups (15.21); `ALL` is every referral.
    """
    low = window_start or contract_start
    high = min(window_end or as_of, as_of)
    held = _held(referrals, events, as_of)
    at = np.datetime64(as_of, "D")
    shown_groups = report_groups(groups)
    n_groups = len(held.group_names)
    figures: list[StandardFigures] = []
    failing: list[pd.DataFrame] = []
    for rule in standards:
        rows, start = _items(rule, held, low, high)
        end = _ends(rule, held, rows, start)
        has_end = ~np.isnat(end)
        deadline = calendar.deadline(start, rule.limit_working_days)
        if rule.measure == DEADLINE:
            counted = deadline <= at
            failed = counted & ~(has_end & (end <= deadline))
            # 15.5: age to the end when it ended late, to A when still open.
            age = calendar.age(start, np.where(has_end, end, at))
        else:
            # 15.5: backlog items are aged at A; their deadline is start + limit working days.
            counted = np.ones(len(rows), dtype=bool)
            age = calendar.age(start, np.full(len(rows), at))
            failed = ~has_end & (age > rule.limit_working_days)
        group = held.group[rows]
        n_counted = _per_group(counted, group, n_groups)
        n_failed = _per_group(failed, group, n_groups)
        oldest = np.full(n_groups, -1, dtype=np.int64)
        np.maximum.at(oldest, group[~has_end], age[~has_end])  # 15.6: even one under the limit
        for name in shown_groups:
            if name == ALL:
                c, bad, old = int(n_counted.sum()), int(n_failed.sum()), int(oldest.max(initial=-1))
            elif name in held.group_names:
                i = held.group_names.index(name)
                c, bad, old = int(n_counted[i]), int(n_failed[i]), int(oldest[i])
            else:
                c, bad, old = 0, 0, -1
            figures.append(_figures(rule, name, counted=c, failed=bad, oldest=None if old < 0 else old))
        failing.append(
            _failure_frame(
                rule, held, referrals, rows[failed], start[failed], deadline[failed], end[failed], age[failed]
            )
        )
    failures = pd.concat(failing, ignore_index=True) if failing else pd.DataFrame(columns=FAILURE_COLUMNS)
    return ComplianceResult(
        as_of=as_of, window_start=low, window_end=high, figures=figures, failures=failures
    )


def _figures(
    rule: StandardRule, group: str, *, counted: int, failed: int, oldest: int | None
) -> StandardFigures:
    common = {
        "code": rule.code,
        "measure": rule.measure,
        "group": group,
        "limit_working_days": rule.limit_working_days,
        "target": rule.target,
    }
    if rule.measure == DEADLINE:
        return StandardFigures(**common, eligible=counted, met=counted - failed)
    if rule.measure == BACKLOG_SHARE:
        return StandardFigures(**common, referrals=counted, backlog=failed, oldest_age_working_days=oldest)
    return StandardFigures(**common, over_limit=failed, oldest_age_working_days=oldest)


def _failure_frame(
    rule: StandardRule,
    held: _Held,
    referrals: pd.DataFrame,
    rows: np.ndarray,
    start: np.ndarray,
    deadline: np.ndarray,
    end: np.ndarray,
    age: np.ndarray,
) -> pd.DataFrame:
    """Failing items by start date, then referral reference (15.5), with what a worklist shows."""
    order = np.lexsort((held.order[rows], start))
    rows = rows[order]
    return pd.DataFrame(
        {
            "code": rule.code,
            "referral_id": referrals["referral_id"].to_numpy()[rows].astype(np.int64),
            "referral_ref": referrals["referral_ref"].to_numpy()[rows],
            "group": np.asarray(held.group_names, dtype=object)[held.group[rows]]
            if len(rows)
            else np.array([], dtype=object),
            "site_id": referrals["site_id"].to_numpy(dtype="float64")[rows],
            "key_worker_id": referrals["key_worker_id"].to_numpy(dtype="float64")[rows],
            "start_date": start[order],
            "deadline": deadline[order],
            # Backlog items are open at A by definition: no end date.
            "end_date": end[order] if rule.measure == DEADLINE else np.full(len(rows), NAT),
            "age_working_days": age[order].astype(np.int64),
        }
    )
