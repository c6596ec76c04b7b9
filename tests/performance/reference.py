"""An independent, straightforward reference of DOMAIN.md 5-8 and 15, written from the rules with plain
Python loops over referrals and exact fractions, to compare the vectorised engine against on generated data.
It shares nothing with performance.engine but the input frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import pandas as pd

RESOLUTIONS = ("STARTED", "DID_NOT_START", "FAILED_TO_ATTEND")


def ym(day: date) -> tuple[int, int]:
    return (day.year, day.month)


def add_months(month: tuple[int, int], n: int) -> tuple[int, int]:
    index = month[0] * 12 + month[1] - 1 + n
    return (index // 12, index % 12 + 1)


def months_between(a: tuple[int, int], b: tuple[int, int]) -> int:
    return (b[0] * 12 + b[1]) - (a[0] * 12 + a[1])


def label(month: tuple[int, int]) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


@dataclass
class Ref:
    id: int
    group: str
    referral_date: date
    resolution: str | None
    resolution_date: date | None
    outcome_date: date | None
    invalidated: bool
    events: list[tuple[str, date]]


def referrals_of(referrals: pd.DataFrame, events: pd.DataFrame) -> list[Ref]:
    out = []
    by_ref: dict[int, list[tuple[str, date]]] = {}
    for row in events.itertuples(index=False):
        by_ref.setdefault(int(row.referral_id), []).append((row.code, pd.Timestamp(row.event_date).date()))
    for row in referrals.itertuples(index=False):
        evs = by_ref.get(int(row.referral_id), [])
        resolution = None
        for code, day in sorted(((c, d) for c, d in evs if c in RESOLUTIONS), key=lambda e: e[1]):
            resolution = (code, day)
            break
        outcomes = sorted(d for c, d in evs if c == "JOB_OUTCOME")
        out.append(
            Ref(
                id=int(row.referral_id),
                group=row.group,
                referral_date=pd.Timestamp(row.referral_date).date(),
                resolution=resolution[0] if resolution else None,
                resolution_date=resolution[1] if resolution else None,
                outcome_date=outcomes[0] if outcomes else None,
                invalidated=any(c == "OUTCOME_INVALIDATED" for c, _ in evs),
                events=evs,
            )
        )
    return out


_GIVEN: dict = {}


def profile(profiles: pd.DataFrame, group: str, k: int) -> Fraction:
    """P(k) as an exact fraction of 1 (DOMAIN.md 15.9)."""
    if k <= 0:
        return Fraction(0)
    key = (id(profiles), group)
    if key not in _GIVEN:
        _GIVEN[key] = (
            profiles,
            {
                int(m): Fraction(str(p)) / 100
                for g, m, p in zip(
                    profiles["group"], profiles["month"], profiles["cumulative_pct"], strict=True
                )
                if g == group
            },
        )
    given = _GIVEN[key][1]
    if not given:
        return Fraction(0)
    k = min(k, max(given))
    value = Fraction(0)
    for month in range(1, k + 1):
        if month in given:
            value = given[month]
    return value


def cohort_date(r: Ref, basis: str) -> date | None:
    if basis == "START":
        return r.resolution_date if r.resolution == "STARTED" else None
    return r.referral_date


def period_range(month: tuple[int, int], period: str, start: tuple[int, int], ysm: int):
    if period == "in_month":
        return month, month
    if period == "rolling_3":
        return add_months(month, -2), month
    if period == "rolling_12":
        return add_months(month, -11), month
    year_start = (month[0] if month[1] >= ysm else month[0] - 1, ysm)
    if period == "quarter":
        into = months_between(year_start, month)
        return add_months(year_start, into - into % 3), month
    if period == "ytd":
        return max(year_start, start), month
    return start, month


def within(day: date | None, first, last) -> bool:
    return day is not None and first <= ym(day) <= last


def flows(refs: list[Ref], group: str, first, last) -> dict:
    chosen = [r for r in refs if group == "ALL" or r.group == group]
    counts = {
        k: 0
        for k in (
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
    }
    for r in chosen:
        counts["referrals"] += within(r.referral_date, first, last)
        if within(r.resolution_date, first, last):
            counts[
                {
                    "STARTED": "starts",
                    "DID_NOT_START": "did_not_start",
                    "FAILED_TO_ATTEND": "failed_to_attend",
                }[r.resolution]
            ] += 1
        counts["job_outcomes"] += within(r.outcome_date, first, last)
        for code, day in r.events:
            name = {
                "JOB_START": "job_starts",
                "EARNINGS_START": "earnings_starts",
                "SUSTAINMENT": "sustainments",
                "EXITED": "exits",
            }.get(code)
            if name and within(day, first, last):
                counts[name] += 1
    return counts


def derived_required(refs: list[Ref], profiles, basis: str, group: str, first, last) -> Fraction:
    total = Fraction(0)
    for r in refs:
        if r.group != group:
            continue
        c = cohort_date(r, basis)
        if c is None:
            continue
        m = first
        while m <= last:
            k = months_between(ym(c), m) + 1
            if k >= 1:
                total += profile(profiles, group, k) - profile(profiles, group, k - 1)
            m = add_months(m, 1)
    return total


def target(targets: pd.DataFrame, group: str, first, last) -> Fraction | None:
    if targets is None or targets.empty:
        return None
    for g, a, b, v in zip(
        targets["group"],
        targets["period_start"],
        targets["period_end"],
        targets["required_outcomes"],
        strict=True,
    ):
        if g == group and ym(pd.Timestamp(a).date()) == first and ym(pd.Timestamp(b).date()) == last:
            return Fraction(str(v))
    return None


def required(
    refs, profiles, targets, groups: tuple[str, ...], basis: str, group: str, first, last
) -> Fraction:
    """DOMAIN.md 7, 15.10: notified figures on exact matches; ALL sums the groups unless an ALL row exists."""
    if group == "ALL" and "ALL" not in groups:
        hit = target(targets, "ALL", first, last)
        if hit is not None:
            return hit
        return sum(
            (required(refs, profiles, targets, groups, basis, g, first, last) for g in groups), Fraction(0)
        )
    hit = target(targets, group, first, last)
    return hit if hit is not None else derived_required(refs, profiles, basis, group, first, last)


def performance(refs, profiles, targets, groups, basis, start: date, ysm: int, month, period, group) -> dict:
    first, last = period_range(month, period, ym(start), ysm)
    out = flows(refs, group, first, last)
    need = required(refs, profiles, targets, groups, basis, group, first, last)
    out.update(
        period_start=label(first),
        period_end=label(last),
        mpl_required=need,
        variance=out["job_outcomes"] - need,
        pct_of_mpl=None if need == 0 else Fraction(out["job_outcomes"]) / need * 100,
    )
    return out


def cohorts(refs, profiles, basis: str, window: int | None, group: str, as_of: date) -> list[dict]:
    last = ym(as_of) if (as_of + timedelta(days=1)).month != as_of.month else add_months(ym(as_of), -1)
    table: dict = {}
    for r in refs:
        if group != "ALL" and r.group != group:
            continue
        c = cohort_date(r, basis)
        if c is None or ym(c) > last:
            continue
        table.setdefault(ym(c), []).append(r)
    rows = []
    for c in sorted(table):
        members = table[c]
        n = months_between(c, last) + 1
        conversion, prof = [], []
        for k in range(1, n + 1):
            hits = 0
            for r in members:
                if r.outcome_date is None:
                    continue
                if window is not None and (r.outcome_date - cohort_date(r, basis)).days > window:
                    continue
                hits += ym(r.outcome_date) <= add_months(c, k - 1)
            conversion.append(Fraction(hits * 100, len(members)))
            prof.append(
                sum((profile(profiles, r.group, k) for r in members), Fraction(0)) * 100 / len(members)
            )
        rows.append(
            {"cohort": label(c), "size": len(members), "conversion_pct": conversion, "profile_pct": prof}
        )
    return rows


def assessment(refs, profiles, targets, rounds, groups, basis, quarter_end, group: str, final: bool) -> dict:
    window_start = add_months(quarter_end, -11)
    validated_months = 12 if final else (6 if quarter_end[1] in (3, 9) else 9)
    q_last_day = date(quarter_end[0] + quarter_end[1] // 12, quarter_end[1] % 12 + 1, 1) - timedelta(days=1)
    best = None
    for row in rounds.itertuples(index=False):
        end = pd.Timestamp(row.period_end).date()
        if row.status == "FINAL" and end <= q_last_day:
            key = (end, int(row.round))
            if best is None or key > best[0]:
                best = (key, Fraction(str(row.invalid_pct)) / 100)
    rate = Fraction(0) if final or best is None else best[1]
    validated, gross_late = 0, 0
    for r in refs:
        if r.group != group or r.outcome_date is None:
            continue
        index = months_between(window_start, ym(r.outcome_date))
        if 0 <= index < validated_months:
            validated += 0 if r.invalidated else 1
        elif validated_months <= index < 12:
            gross_late += 1
    extrapolated = gross_late * (1 - rate)
    need = required(refs, profiles, targets, groups, basis, group, window_start, quarter_end)
    return {
        "window_start": label(window_start),
        "validated_months": validated_months,
        "validated_outcomes": validated,
        "extrapolated_outcomes": extrapolated,
        "adjusted_outcomes": validated + extrapolated,
        "invalid_pct_used": rate * 100,
        "mpl_required": need,
        "met": validated + extrapolated >= need,
    }


# ------------------------------------------------------------------------------------------------------
# Generated bundles
# ------------------------------------------------------------------------------------------------------


@dataclass
class Bundle:
    referrals: pd.DataFrame
    events: pd.DataFrame
    profiles: pd.DataFrame
    targets: pd.DataFrame
    rounds: pd.DataFrame
    start: date
    as_of: date


def generate(
    seed: int,
    groups: tuple[str, ...],
    basis: str,
    size: int = 150,
    window: int | None = None,
    profiled: tuple[str, ...] | None = None,
) -> Bundle:
    """A random contract with the edge cases the rules name: duplicate and invalidated outcomes, a second
    resolution, groups without a profile, notified targets on exact periods, WHP days 639 and 640,
    provisional and final rounds."""
    rng = np.random.default_rng(seed)
    start = date(2023, 1, 1)
    as_of = date(2024, 12, 31)
    refs, evs = [], []
    for i in range(1, size + 1):
        edge = window is not None and i <= 2  # WHP: outcomes on days 639 and 640 after the start
        ref_day = start + timedelta(days=i if edge else int(rng.integers(0, 600)))
        refs.append((i, f"G{i:05d}", i, ref_day, groups[int(rng.integers(0, len(groups)))]))

        def add(code: str, day: date, rid: int = i) -> None:
            if day <= as_of + timedelta(days=30):
                evs.append((rid, code, day))

        roll = 0.5 if edge else rng.random()
        if roll < 0.08:
            continue
        res_day = ref_day + timedelta(days=int(rng.integers(0, 30)))
        code = "STARTED" if roll < 0.75 else ("DID_NOT_START" if roll < 0.87 else "FAILED_TO_ATTEND")
        add(code, res_day)
        if rng.random() < 0.03:  # a second resolution later: the engines count the first
            add("DID_NOT_START", res_day + timedelta(days=3))
        if code != "STARTED":
            continue
        if edge:
            add("JOB_OUTCOME", res_day + timedelta(days=window + i - 1))
        elif rng.random() < 0.4:
            job = res_day + timedelta(days=int(rng.integers(5, 400)))
            add("JOB_START", job)
            if rng.random() < 0.5:
                add("EARNINGS_START", job + timedelta(days=10))
            if rng.random() < 0.7:
                if window is not None and rng.random() < 0.25:
                    outcome = res_day + timedelta(days=int(window + rng.integers(0, 2)))  # days 639 / 640
                else:
                    outcome = job + timedelta(days=int(rng.integers(0, 200)))
                add("JOB_OUTCOME", outcome)
                if rng.random() < 0.3:  # a duplicate later outcome: only the first counts
                    add("JOB_OUTCOME", outcome + timedelta(days=int(rng.integers(1, 30))))
                if rng.random() < 0.12:
                    add("OUTCOME_INVALIDATED", outcome + timedelta(days=int(rng.integers(0, 200))))
                for s in range(int(rng.integers(0, 3))):
                    add("SUSTAINMENT", outcome + timedelta(days=30 * (s + 1)))
        if rng.random() < 0.3:
            add("EXITED", res_day + timedelta(days=int(rng.integers(100, 500))))
    referrals = pd.DataFrame(
        refs, columns=["referral_id", "referral_ref", "participant_id", "referral_date", "group"]
    )
    referrals["referral_date"] = pd.to_datetime(referrals["referral_date"]).astype("datetime64[s]")
    events = pd.DataFrame(evs, columns=["referral_id", "code", "event_date"]).drop_duplicates(
        ["referral_id", "code", "event_date"]
    )
    events["event_date"] = pd.to_datetime(events["event_date"]).astype("datetime64[s]")
    events = events.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # order must not matter
    profiled = groups[:-1] if profiled is None and len(groups) > 1 else (profiled or groups)
    prof_rows = []
    for g in profiled:
        value = 0.0
        for k in range(1, int(rng.integers(6, 20))):
            if rng.random() < 0.2 and k > 1:
                continue  # a missing month takes the last given value
            value = round(value + float(rng.uniform(0, 3)), 2)
            prof_rows.append((g, k, value))
    profiles = pd.DataFrame(prof_rows, columns=["group", "month", "cumulative_pct"])
    targets = pd.DataFrame(
        [
            (groups[0], date(2023, 4, 1), date(2024, 3, 31), 17.5),
            (groups[0], date(2024, 1, 1), date(2024, 3, 31), 4.25),
            (groups[-1], date(2023, 12, 1), date(2024, 11, 30), 9.0),
            ("ALL", date(2024, 4, 1), date(2024, 6, 30), 30.0),
        ],
        columns=["group", "period_start", "period_end", "required_outcomes"],
    )
    rounds = pd.DataFrame(
        [
            (1, date(2023, 1, 1), date(2023, 6, 30), 8.5, "FINAL"),
            (2, date(2023, 7, 1), date(2023, 12, 31), 6.25, "PROVISIONAL"),
            (3, date(2023, 1, 1), date(2023, 12, 31), 7.75, "FINAL"),
            (4, date(2024, 1, 1), date(2024, 6, 30), 12.0, "PROVISIONAL"),
            (5, date(2023, 7, 1), date(2023, 12, 31), 5.0, "FINAL"),
        ],
        columns=["round", "period_start", "period_end", "invalid_pct", "status"],
    )
    return Bundle(referrals, events, profiles, targets, rounds, start, as_of)
