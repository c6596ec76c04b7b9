"""An independent, deliberately plain reference for the standards (DOMAIN.md 3, 9, 15): one referral and one
day at a time, straight from the `holidays` package, so the vectorised engine can be checked against it.
Slow on purpose; used only on small generated bundles."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

import holidays

RESOLUTIONS = ["STARTED", "DID_NOT_START", "FAILED_TO_ATTEND"]


@lru_cache(maxsize=4)
def _holidays(nation: str):
    return holidays.UK(subdiv=nation, years=range(2000, 2046))


def is_working_day(day: date, nation: str) -> bool:
    return day.weekday() < 5 and day not in _holidays(nation)


def deadline(start: date, limit: int, nation: str) -> date:
    """Roll forward to a working day, then step `limit` working days on, one day at a time."""
    day = start
    while not is_working_day(day, nation):
        day += timedelta(days=1)
    remaining = limit
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, nation):
            remaining -= 1
    return day


def age(start: date, at: date, nation: str) -> int:
    """Working days d with start <= d < at."""
    count, day = 0, start
    while day < at:
        if is_working_day(day, nation):
            count += 1
        day += timedelta(days=1)
    return count


def _pct(numerator: int, denominator: int) -> float | None:
    if denominator == 0:
        return None
    value = Decimal(100 * numerator) / Decimal(denominator)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


def reference_standards(
    referrals: list[dict],
    events: list[dict],
    *,
    nation: str,
    standards: list[dict],
    as_of: date,
    contract_start: date,
    group: str = "ALL",
    window_start: date | None = None,
    window_end: date | None = None,
) -> dict:
    """{code: (figures dict in the API shape, [failure dicts])} for one group.

    referrals: dicts with referral_ref, referral_date, group;
    events: dicts with referral_ref, code, event_date.
    standards: dicts with code, measure, start_event, end_events, limit_working_days, target, started_only.
    """
    low = window_start or contract_start
    high = min(window_end or as_of, as_of)
    by_referral: dict[str, list[dict]] = {}
    for e in events:
        by_referral.setdefault(e["referral_ref"], []).append(e)
    out = {}
    for std in standards:
        limit = std["limit_working_days"]
        counted = good = 0
        open_ages = []
        failures = []
        for ref in referrals:
            if group != "ALL" and ref["group"] != group:
                continue
            mine = sorted(
                (e for e in by_referral.get(ref["referral_ref"], []) if e["event_date"] <= as_of),
                key=lambda e: (
                    e["event_date"],
                    RESOLUTIONS.index(e["code"]) if e["code"] in RESOLUTIONS else -1,
                ),
            )
            first_resolution = next((e for e in mine if e["code"] in RESOLUTIONS), None)
            mine = [e for e in mine if e["code"] not in RESOLUTIONS or e is first_resolution]
            if std["started_only"] and (first_resolution is None or first_resolution["code"] != "STARTED"):
                continue
            if std["start_event"] == "REFERRED":
                starts = [ref["referral_date"]]
            else:
                starts = [e["event_date"] for e in mine if e["code"] == std["start_event"]]
            for start in starts:
                if not (low <= start <= high):
                    continue
                ends = [
                    e["event_date"]
                    for e in mine
                    if e["code"] in std["end_events"] and e["event_date"] >= start
                ]
                end = min(ends) if ends else None
                if std["measure"] == "deadline":
                    due = deadline(start, limit, nation)
                    if due > as_of:
                        continue
                    counted += 1
                    if end is not None and end <= due:
                        good += 1
                    else:
                        failures.append(
                            {
                                "referral_ref": ref["referral_ref"],
                                "start_date": start.isoformat(),
                                "deadline": due.isoformat(),
                                "end_date": end.isoformat() if end else None,
                                "age_working_days": age(start, end or as_of, nation),
                            }
                        )
                else:
                    counted += 1
                    if end is None:
                        item_age = age(start, as_of, nation)
                        open_ages.append(item_age)
                        if item_age > limit:
                            failures.append(
                                {
                                    "referral_ref": ref["referral_ref"],
                                    "start_date": start.isoformat(),
                                    "deadline": deadline(start, limit, nation).isoformat(),
                                    "end_date": None,
                                    "age_working_days": item_age,
                                }
                            )
        failures.sort(key=lambda f: (f["start_date"], f["referral_ref"]))
        target = std["target"]
        figures = {"code": std["code"], "measure": std["measure"], "limit_working_days": limit}
        if std["measure"] == "deadline":
            pct = None if counted == 0 else Decimal(100 * good) / Decimal(counted)
            figures.update(
                target=target,
                eligible=counted,
                met=good,
                compliance_pct=_pct(good, counted),
                status=None if pct is None else ("MET" if pct >= Decimal(str(target)) else "NOT_MET"),
            )
        elif std["measure"] == "backlog_share":
            pct = None if counted == 0 else Decimal(100 * len(failures)) / Decimal(counted)
            figures.update(
                target=target,
                referrals=counted,
                backlog=len(failures),
                backlog_pct=_pct(len(failures), counted),
                oldest_age_working_days=max(open_ages) if open_ages else None,
                status=None if pct is None else ("MET" if pct <= Decimal(str(target)) else "NOT_MET"),
            )
        else:
            figures.update(
                target=target,
                over_limit=len(failures),
                oldest_age_working_days=max(open_ages) if open_ages else None,
                status="MET" if len(failures) <= target else "NOT_MET",
            )
        out[std["code"]] = (figures, failures)
    return out
