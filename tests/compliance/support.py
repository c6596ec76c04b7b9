"""Shared helpers of the compliance tests: shipped rules, frames from plain rows, engine output in API shape,
and a deterministic generator of small bundles full of calendar edge cases."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pandas as pd

from compliance.api.serializers import FailingItemSerializer, StandardResultSerializer
from compliance.defaults import SHIPPED_STANDARDS
from compliance.engine import ComplianceResult, StandardRule
from compliance.selectors.standards import failure_dicts
from tests.compliance.reference import deadline as ref_deadline
from tests.compliance.reference import is_working_day

GROUPS = {
    "WHP": ["DISABILITY", "EARLY_ENTRY", "LTU"],
    "WP": ["PG1", "PG2", "PG3", "PG4", "PG5", "PG6A", "PG6B", "PG7", "PG8", "PG9"],
    "CAP": ["ALL"],
}

# A contract's own standards beyond the shipped ones: other start events, a backlog share on a non-referral
# start, a 99% target (DOMAIN.md 16) and a backlog maximum with a non-zero allowance.
EXTRA_STANDARDS = [
    {
        "code": "T1",
        "measure": "deadline",
        "start_event": "NON_COMPLIANCE",
        "end_events": ["SANCTION_DOUBT_RAISED"],
        "limit_working_days": 2,
        "target": 99.0,
        "started_only": False,
    },
    {
        "code": "T2",
        "measure": "backlog_share",
        "start_event": "EXITED",
        "end_events": ["EXIT_REPORT_SENT"],
        "limit_working_days": 3,
        "target": 10.0,
        "started_only": False,
    },
    {
        "code": "T3",
        "measure": "backlog_max",
        "start_event": "REFERRED",
        "end_events": ["STARTED"],
        "limit_working_days": 5,
        "target": 2,
        "started_only": False,
    },
]


def shipped(programme: str) -> list[dict]:
    return [{**s, "target": float(s["target"])} for s in SHIPPED_STANDARDS if s["programme"] == programme]


def rules(standards: list[dict]) -> list[StandardRule]:
    return [
        StandardRule(
            code=s["code"],
            measure=s["measure"],
            start_event=s["start_event"],
            end_events=tuple(s["end_events"]),
            limit_working_days=s["limit_working_days"],
            target=float(s["target"]),
            started_only=s["started_only"],
        )
        for s in standards
    ]


def frames(referrals: list[dict], events: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Plain rows -> the frame schema of participants.selectors."""
    ids = {r["referral_ref"]: i + 1 for i, r in enumerate(referrals)}
    ref_frame = pd.DataFrame(
        {
            "referral_id": pd.Series([ids[r["referral_ref"]] for r in referrals], dtype="int64"),
            "referral_ref": pd.Series([r["referral_ref"] for r in referrals], dtype=str),
            "participant_id": pd.Series(range(1, len(referrals) + 1), dtype="int64"),
            "referral_date": pd.to_datetime(
                pd.Series([r["referral_date"] for r in referrals], dtype=object)
            ).astype("datetime64[s]"),
            "group": pd.Series([r["group"] for r in referrals], dtype=str),
            "organisation_id": pd.Series([1] * len(referrals), dtype="int64"),
            "site_id": pd.Series([1.0] * len(referrals), dtype="float64"),
            "key_worker_id": pd.Series([float("nan")] * len(referrals), dtype="float64"),
        }
    )
    ev_frame = pd.DataFrame(
        {
            "referral_id": pd.Series([ids[e["referral_ref"]] for e in events], dtype="int64"),
            "code": pd.Series([e["code"] for e in events], dtype=str),
            "event_date": pd.to_datetime(pd.Series([e["event_date"] for e in events], dtype=object)).astype(
                "datetime64[s]"
            ),
            "amount": pd.Series([float("nan")] * len(events), dtype="float64"),
            "detail": pd.Series([""] * len(events), dtype=str),
        }
    )
    return ref_frame, ev_frame


def outputs(result: ComplianceResult, group: str = "ALL") -> dict:
    """{code: (API figures, API failure rows)} from an engine result, through the API serializers."""
    out = {}
    for figures in result.results_for(group):
        rows = FailingItemSerializer(failure_dicts(result.failures_for(figures.code, group)), many=True).data
        out[figures.code] = (
            StandardResultSerializer(figures).data,
            [{k: v for k, v in row.items() if k != "group"} for row in rows],
        )
    return out


# Days around which calendars differ or deadlines move: Christmas / New Year (Scotland keeps 2 January),
# Easter, St Andrew's Day (Scotland), the August bank holiday (first Monday in Scotland, last elsewhere),
# St David's Day is not a holiday in Wales, and plain weekends.
ANCHORS = [
    date(2024, 12, 20),
    date(2024, 12, 24),
    date(2024, 12, 27),
    date(2025, 1, 1),
    date(2025, 1, 2),
    date(2025, 4, 17),
    date(2025, 4, 18),
    date(2025, 4, 21),
    date(2025, 8, 1),
    date(2025, 8, 4),
    date(2025, 8, 22),
    date(2025, 8, 25),
    date(2025, 11, 28),
    date(2025, 11, 29),
    date(2025, 12, 1),
    date(2025, 3, 1),
    date(2025, 3, 3),
    date(2025, 6, 7),
]

CODES_AFTER_REFERRAL = [
    "ACKNOWLEDGED",
    "PRAP_RECORDED",
    "ENGAGED",
    "ACTION_PLAN_AGREED",
    "ESF_FORM_SIGNED",
    "ESF_FORM_SENT",
    "NON_COMPLIANCE",
    "SANCTION_DOUBT_RAISED",
    "EXITED",
    "EXIT_REPORT_SENT",
]


def generate_bundle(
    seed: int,
    nation: str,
    size: int = 120,
    groups=("DISABILITY", "EARLY_ENTRY", "LTU"),
    limits=(1, 2, 5, 10, 15, 20, 25),
    as_of: date | None = None,
) -> tuple[list[dict], list[dict]]:
    """Referrals on anchor days and random days, with events exactly on a deadline, one working day after it,
    and at random offsets; repeated start events; referrals never resolved; a few second resolutions (which
    the engine must ignore). With `as_of`, also unresolved referrals aged exactly at and one past the CSS3
    and CSS4 limits (15 / 16 and 25 / 26 working days) at that date."""
    rng = random.Random(seed)
    referrals, events = [], []
    keys = set()

    def add(ref: str, code: str, day: date) -> None:
        if (ref, code, day) not in keys:
            keys.add((ref, code, day))
            events.append({"referral_ref": ref, "code": code, "event_date": day})

    for i in range(size):
        ref = f"G{i:05d}"
        base = (
            rng.choice(ANCHORS)
            if rng.random() < 0.6
            else date(2024, 11, 1) + timedelta(days=rng.randrange(420))
        )
        referrals.append({"referral_ref": ref, "referral_date": base, "group": rng.choice(groups)})

        def on_or_late(start: date) -> date:
            due = ref_deadline(start, rng.choice(limits), nation)
            roll = rng.random()
            if roll < 0.35:
                return due
            if roll < 0.6:
                return ref_deadline(due + timedelta(days=1), 0, nation)  # one working day late
            return start + timedelta(days=rng.randrange(0, 45))

        roll = rng.random()
        if roll < 0.7:
            add(
                ref, rng.choice(["STARTED", "STARTED", "DID_NOT_START", "FAILED_TO_ATTEND"]), on_or_late(base)
            )
            if rng.random() < 0.05:
                add(ref, "STARTED", base + timedelta(days=rng.randrange(0, 60)))  # a second resolution
        for code in CODES_AFTER_REFERRAL:
            if rng.random() < 0.45:
                start = on_or_late(base)
                add(ref, code, start)
                if rng.random() < 0.25:
                    add(ref, code, start + timedelta(days=rng.randrange(1, 30)))  # repeated start events
    if as_of is not None:
        for age in (15, 16, 25, 26):
            day, counted = as_of, 0
            while counted < age:  # step back until [day, as_of) holds `age` working days
                day -= timedelta(days=1)
                counted += is_working_day(day, nation)
            referrals.append({"referral_ref": f"AGE{age}", "referral_date": day, "group": groups[0]})
    return referrals, events
