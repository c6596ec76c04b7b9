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

# DOMAIN.md 4: a referral's resolution is the first of these (checked equal to participants.models in tests;
# the engine may not import Django). Same-day ties resolve in this order.
RESOLUTION_CODES: tuple[str, ...] = ("STARTED", "DID_NOT_START", "FAILED_TO_ATTEND")
STARTED = "STARTED"
REFERRED = "REFERRED"
ALL = "ALL"

DEADLINE, BACKLOG_SHARE, BACKLOG_MAX = "deadline", "backlog_share", "backlog_max"
MEASURES: tuple[str, ...] = (DEADLINE, BACKLOG_SHARE, BACKLOG_MAX)
MET, NOT_MET = "MET", "NOT_MET"

Measure = Literal["deadline", "backlog_share", "backlog_max"]

FAILURE_COLUMNS = ["code", "referral_id", "referral_ref", "group", "site_id", "key_worker_id",
                   "start_date", "deadline", "end_date", "age_working_days"]


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

    def as_output(self) -> dict:
        """The MI API shape (DATA.md), percentages rounded half-to-even to 2 places here and only here."""
        out: dict = {"code": self.code, "measure": self.measure, "limit_working_days": self.limit_working_days}
        if self.measure == DEADLINE:
            out.update(target=float(self.target), eligible=self.eligible, met=self.met,
                       compliance_pct=round_pct(self.met, self.eligible))
        elif self.measure == BACKLOG_SHARE:
            out.update(target=float(self.target), referrals=self.referrals, backlog=self.backlog,
                       backlog_pct=round_pct(self.backlog, self.referrals),
                       oldest_age_working_days=self.oldest_age_working_days)
        else:
            out.update(target=int(self.target), over_limit=self.over_limit,
                       oldest_age_working_days=self.oldest_age_working_days)
        out["status"] = self.status
        return out


def round_pct(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator x 100 rounded half-to-even to 2 places, exactly (DOMAIN.md 15.16)."""
    if not denominator:
        return None
    return float(round(Fraction(100 * int(numerator), int(denominator)), 2))


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


def as_of_frames(events: pd.DataFrame, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The events that exist at A (15.18), each referral keeping only its first resolution event (DOMAIN.md 4),
    and that resolution per referral (index referral_id; columns code, event_date)."""
    ev = events.loc[events["event_date"] <= pd.Timestamp(as_of), ["referral_id", "code", "event_date"]]
    is_resolution = ev["code"].isin(RESOLUTION_CODES)
    rank = pd.Categorical(ev.loc[is_resolution, "code"], categories=list(RESOLUTION_CODES)).codes
    resolutions = (
        ev[is_resolution].assign(_rank=rank).sort_values(["referral_id", "event_date", "_rank"], kind="stable")
        .drop_duplicates("referral_id").drop(columns="_rank")
    )
    kept = pd.concat([ev[~is_resolution], resolutions], ignore_index=True)
    return kept, resolutions.set_index("referral_id")


def _days(values) -> np.ndarray:
    return np.asarray(values, dtype="datetime64[D]")


def _items(rule: StandardRule, referrals: pd.DataFrame, events: pd.DataFrame, resolutions: pd.DataFrame,
           window_start: date, window_end: date) -> pd.DataFrame:
    """Every occurrence of the rule's start event in the window (15.1, 15.2): referral_id, start (datetime64)."""
    if rule.start_event == REFERRED:
        items = pd.DataFrame({"referral_id": referrals["referral_id"].to_numpy(),
                              "start": referrals["referral_date"].to_numpy()})
    else:
        starts = events[events["code"] == rule.start_event]
        items = pd.DataFrame({"referral_id": starts["referral_id"].to_numpy(),
                              "start": starts["event_date"].to_numpy()})
    in_window = (items["start"] >= pd.Timestamp(window_start)) & (items["start"] <= pd.Timestamp(window_end))
    items = items[in_window]
    if rule.started_only:
        # 15.4: the referrals whose resolution as at A is STARTED.
        started = resolutions.index[resolutions["code"] == STARTED]
        items = items[items["referral_id"].isin(started)]
    return items


def _with_ends(items: pd.DataFrame, events: pd.DataFrame, end_events: Sequence[str]) -> pd.DataFrame:
    """Add `end`: the first end event of the same referral dated on or after the item's start (DOMAIN.md 9,
    15.2), NaT when none exists at A."""
    ends = events.loc[events["code"].isin(end_events), ["referral_id", "event_date"]].rename(
        columns={"event_date": "end"})
    ends = ends.sort_values("end", kind="stable")
    items = items.sort_values("start", kind="stable")
    if ends.empty or items.empty:
        return items.assign(end=pd.Series(pd.NaT, index=items.index, dtype=items["start"].dtype))
    ends["end"] = ends["end"].astype(items["start"].dtype)
    return pd.merge_asof(items, ends, left_on="start", right_on="end", by="referral_id",
                         direction="forward", allow_exact_matches=True)


def _evaluate(rule: StandardRule, items: pd.DataFrame, calendar: WorkingDayCalendar, as_of: date) -> pd.DataFrame:
    """Per item: counted (eligible / in the denominator), ok (met / not in backlog), open, age, deadline."""
    start = _days(items["start"])
    end = _days(items["end"])
    at = np.datetime64(as_of, "D")
    has_end = ~np.isnat(end)
    if rule.measure == DEADLINE:
        deadline = calendar.deadline(start, rule.limit_working_days)
        counted = deadline <= at
        ok = has_end & (end <= deadline)
        # 15.5: age to the end when it ended late, to A when still open.
        age = calendar.age(start, np.where(has_end, end, at))
    else:
        # 15.5: backlog failures are aged at A, their deadline is start + limit working days.
        deadline = calendar.deadline(start, rule.limit_working_days)
        counted = np.ones(len(items), dtype=bool)
        age = calendar.age(start, np.full(len(items), at))
        ok = has_end | (age <= rule.limit_working_days)
    return items.assign(counted=counted, ok=ok, open=~has_end, age=age, deadline=deadline)


def _figures(rule: StandardRule, evaluated: pd.DataFrame, group: str) -> StandardFigures:
    counted = evaluated[evaluated["counted"]]
    n_counted = int(len(counted))
    n_failing = int((~counted["ok"]).sum())
    common = {"code": rule.code, "measure": rule.measure, "group": group,
              "limit_working_days": rule.limit_working_days, "target": rule.target}
    if rule.measure == DEADLINE:
        return StandardFigures(**common, eligible=n_counted, met=n_counted - n_failing)
    open_ages = counted.loc[counted["open"], "age"]
    oldest = int(open_ages.max()) if len(open_ages) else None  # 15.6: even one under the limit
    if rule.measure == BACKLOG_SHARE:
        return StandardFigures(**common, referrals=n_counted, backlog=n_failing, oldest_age_working_days=oldest)
    return StandardFigures(**common, over_limit=n_failing, oldest_age_working_days=oldest)


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
    start_bound = window_start or contract_start
    end_bound = min(window_end or as_of, as_of)
    events_at, resolutions = as_of_frames(events, as_of)
    info = referrals.set_index("referral_id")[["referral_ref", "group", "site_id", "key_worker_id"]]
    report_groups = [ALL] + [g for g in groups if g != ALL]
    figures: list[StandardFigures] = []
    failing: list[pd.DataFrame] = []
    for rule in standards:
        items = _items(rule, referrals, events_at, resolutions, start_bound, end_bound)
        items = _with_ends(items, events_at, rule.end_events)
        evaluated = _evaluate(rule, items, calendar, as_of)
        evaluated = evaluated.join(info, on="referral_id")
        for group in report_groups:
            rows = evaluated if group == ALL else evaluated[evaluated["group"] == group]
            figures.append(_figures(rule, rows, group))
        bad = evaluated[evaluated["counted"] & ~evaluated["ok"]]
        failing.append(pd.DataFrame({
            "code": rule.code,
            "referral_id": bad["referral_id"].to_numpy(),
            "referral_ref": bad["referral_ref"].to_numpy(),
            "group": bad["group"].to_numpy(),
            "site_id": bad["site_id"].to_numpy(dtype="float64"),
            "key_worker_id": bad["key_worker_id"].to_numpy(dtype="float64"),
            "start_date": _days(bad["start"]),
            "deadline": _days(bad["deadline"]),
            # Backlog items are open at A by definition: no end date.
            "end_date": _days(bad["end"]) if rule.measure == DEADLINE else np.full(len(bad), "NaT", "datetime64[D]"),
            "age_working_days": bad["age"].to_numpy(dtype="int64"),
        }).sort_values(["start_date", "referral_ref"], kind="stable"))
    failures = pd.concat(failing, ignore_index=True) if failing else pd.DataFrame(columns=FAILURE_COLUMNS)
    return ComplianceResult(as_of=as_of, window_start=start_bound, window_end=end_bound,
                            figures=figures, failures=failures)

