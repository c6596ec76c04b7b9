"""The key workers' workspace of the demo: appointments, failure-to-attend follow-ups, SMART action plans
with their first version and reviews, and notes, for the demo's open referrals, so a caseload looks like a
real, mostly well-kept one on the demo's `today` (DOMAIN.md 1, 4, 11).

Pure and vectorised like demo.generator: a frame of open referrals in, frames of workspace rows out,
seeded numpy over whole arrays (no ORM, no loop per referral; the only Python loops are over nations and
over distinct dates). demo.workspace_writer reads the frame and writes the rows.

The shape of what a caseload shows (participants.workspace.selectors.caseload):
- most participants were seen 1-13 days ago, a realistic minority (about 7%) 15-30 days ago, so the
  "no contact" flag shows on a few; earlier appointments go back a couple of months;
- about 85% have their next appointment booked within the next 1-10 days;
- about 4% failed to attend in the last few days, each with an open follow-up due within the contract's
  `fta_follow_up_working_days` (some already overdue); older failures were followed up;
- every referral whose journey has ACTION_PLAN_AGREED has a plan agreed that day: 2-4 SMART goals, stored
  as version 1 exactly as services_workspace.save_action_plan stores a revision, and a review or two, the
  latest 3-40 days ago (about 10% of plans overdue for review, some due soon);
- a short note on about a third.
Nothing here is a journey event: the imported bundle holds the journey already (DOMAIN.md 4: appointments
are records, and only the initial engagement writes events; demo referrals are all past it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from participants.calendar import calendar_for
from participants.workspace.rules import GOAL_FIELDS

# The same seed as the bundle, its own stream: the workspace never shifts the journeys.
STREAM = 4_011

# Where the demo sites' one-to-ones happen (the imported sites are named by their refs).
OFFICES = {
    "DEMO-PRIME-LEEDS": "Leeds office, 14 Park Row",
    "DEMO-PRIME-GLASGOW": "Glasgow office, 90 Hope Street",
    "DEMO-SUB1-BRADFORD": "Bradford office, Aire Valley Works CIC",
    "DEMO-SUB2-DUNDEE": "Dundee office, Tayside Pathways",
    "DEMO-SUB3-CARDIFF": "Cardiff office, Cymru Community Action",
}

# Appointment kinds, statuses and reasons as stored (participants.models.Appointment choices).
ONE_TO_ONE, PLAN_REVIEW, IN_WORK_SUPPORT = "ONE_TO_ONE", "ACTION_PLAN_REVIEW", "IN_WORK_SUPPORT"
KIND_LABELS = {
    ONE_TO_ONE: "one-to-one",
    PLAN_REVIEW: "action plan review",
    IN_WORK_SUPPORT: "in-work support",
}
PLANNED, ATTENDED, FAILED, CANCELLED = "PLANNED", "ATTENDED", "FAILED_TO_ATTEND", "CANCELLED"
FTA_REASONS = {  # reason -> (label as the follow-up describes it, weight)
    "ILLNESS": ("illness or medical appointment", 30),
    "CARING": ("caring responsibilities", 15),
    "TRANSPORT": ("transport problem", 12),
    "FORGOT": ("forgot or misunderstood the time", 23),
    "NO_CONTACT": ("no contact, reason unknown", 20),
}
IN_WORK_PLACES = ("Phone", "Employer's premises")
CANCEL_NOTES = (
    "Cancelled: participant at a job interview",
    "Cancelled: key worker on leave, rebooked",
    "Cancelled: participant at a hospital appointment",
)
FOLLOW_UP_OUTCOMES = (
    "Phoned the participant: unwell on the day. Rebooked for next week.",
    "Texted and phoned; spoke the next morning and rebooked.",
    "Home visit: childcare fell through. Rebooked at a school-hours time.",
    "Phoned: bus cancelled. Travel costs discussed, rebooked.",
)

# SMART goals: (goal, measure, owner). A plan takes 2-4 distinct ones; a participant in work starts with
# one of IN_WORK_GOALS.
GOALS = (
    (
        "Update my CV with my warehouse and retail experience",
        "CV finished and checked with key worker",
        "Participant",
    ),
    (
        "Search and apply for jobs for 10 hours a week",
        "Job search diary shows 10 hours each week",
        "Participant",
    ),
    (
        "Apply for at least three suitable vacancies each week",
        "Applications logged in the job search diary",
        "Participant",
    ),
    (
        "Register with two local recruitment agencies",
        "Registration confirmed by both agencies",
        "Participant",
    ),
    (
        "Book a GP review of my medication and its effect on work",
        "GP appointment attended, outcome discussed",
        "Participant",
    ),
    (
        "Start the six-week condition management course",
        "Attended at least five of the six sessions",
        "Participant",
    ),
    (
        "Travel training: plan and practise the bus journey to the town centre",
        "Journey made alone twice",
        "Key worker",
    ),
    ("Improve my maths to Functional Skills Level 1", "Level 1 assessment passed", "Participant"),
    (
        "Attend ESOL classes to improve my spoken English",
        "Attended weekly; tutor's progress report",
        "Participant",
    ),
    (
        "Volunteer one day a week to build recent experience",
        "Placement started and a reference agreed",
        "Key worker",
    ),
    (
        "Practise interview skills in a mock interview",
        "Mock interview done with written feedback",
        "Key worker",
    ),
    ("Get my CSCS card for construction site work", "Test passed and card received", "Participant"),
    (
        "Set up an email account and a Universal Jobmatch profile",
        "Profile live; key worker has checked it",
        "Participant",
    ),
    ("Refer to the debt advice service", "First appointment with the adviser attended", "Key worker"),
    ("Complete the food hygiene Level 2 certificate online", "Certificate received", "Participant"),
    ("Arrange a better-off calculation before taking work", "Calculation done and explained", "Key worker"),
)
IN_WORK_GOALS = (
    ("Stay in work through the first 13 weeks", "Payslips for each month in work", "Participant"),
    ("Agree reasonable adjustments with my line manager", "Adjustments agreed in writing", "Key worker"),
    ("Sort out childcare that fits my shift pattern", "Childcare booked for the rota", "Participant"),
)
GOAL_STATUSES = ("NOT_STARTED", "IN_PROGRESS", "ACHIEVED", "DROPPED")
REVIEW_NOTES = (
    "Good progress. CV done; applying for about four jobs a week. Goals unchanged.",
    "Attending the course; finding it hard but keen to carry on. Agreed to focus on applications next.",
    "Health has been up and down this month. Talked through the plan; goals still right, dates kept.",
    "Two interviews since the last review, no offer yet. Practised answers to competency questions.",
    "Struggling with the job search hours; agreed a timetable for the library computers.",
    "Achieved the short-term goals. Next step is agency registration and weekly applications.",
    "In work and settling in. Checked hours and pay; in-work support by phone each fortnight.",
)
NOTES = (
    "Interested in warehouse work; has a forklift licence that needs renewing.",
    "Prefers appointments after 10:00 (school run).",
    "Phoned to say the bus route has changed: may be a few minutes late.",
    "Asked about help with interview clothes: referred to the clothing bank.",
    "Discussed travel costs to interviews; receipts to bring next time.",
    "Has a Jobcentre appointment next week; agreed to share the outcome.",
    "Keen on care work. Sent details of the next care certificate course.",
    "Anxious about group sessions; one-to-ones for now, review next month.",
)

TIMES_FROM, SLOTS = 9 * 60, 14  # appointments on the half hour from 09:00 to 15:30, local time


@dataclass(frozen=True)
class DemoWorkspace:
    """The rows to write. `follow_ups.appointment`, `goals.plan`, `versions.plan` and `reviews.plan` are row
    positions in `appointments` and `plans`. Datetimes are UTC (pandas, tz-aware), dates datetime64[D]."""

    # referral_id, kind, starts_at, location, status, fta_reason, note, booked_by_id
    appointments: pd.DataFrame
    follow_ups: pd.DataFrame  # appointment, referral_id, description, due_date, done_at, done_by_id, outcome
    plans: pd.DataFrame  # referral_id, agreed_on, next_review_due, updated_at, updated_by_id
    goals: pd.DataFrame  # plan, position, key, goal, measure, owner, due_date, status
    # plan, number, goals (the snapshot), agreed_on, change_note, created_at, created_by_id
    versions: pd.DataFrame
    reviews: pd.DataFrame  # plan, reviewed_on, note, reviewed_by_id, recorded_at
    notes: pd.DataFrame  # referral_id, text, created_at, author_id
    # referral_id, kind, on_date, hours, amount, category, note, recorded_by_id, made
    support: pd.DataFrame

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self.__dataclass_fields__}


INPUT_COLUMNS = (
    "referral_id",
    "nation",
    "site_ref",
    "location",
    "started_on",
    "plan_agreed_on",
    "job_started_on",
    "user_id",
    "fta_follow_up_working_days",
    "review_interval_months",
)


def generate_workspace(
    referrals: pd.DataFrame,
    *,
    today: date,
    seed: int,
    time_zone: str,
    next_review_due: Callable[[date, int], date],
) -> DemoWorkspace:
    """The workspace rows of `referrals` (open referrals, one row each, columns INPUT_COLUMNS: dates as
    datetime64, NaT where the journey has no such event; `user_id` the key worker's login or NA).

    `next_review_due` is workspace_rules.next_review_due (passed in, so the rule stays in one place); it is
    called once per distinct (date, interval), not per plan. The same frame, today and seed give the same
    rows."""
    missing = set(INPUT_COLUMNS) - set(referrals.columns)
    if missing:
        raise ValueError(f"referrals: missing columns {', '.join(sorted(missing))}")
    frame = referrals.sort_values("referral_id", kind="stable").reset_index(drop=True)
    rng = np.random.default_rng([seed, STREAM])
    day = np.datetime64(today, "D")
    n = len(frame)
    nation = frame["nation"].to_numpy(dtype=object)
    started = _days(frame["started_on"])
    agreed = _days(frame["plan_agreed_on"])
    job = _days(frame["job_started_on"])
    user = frame["user_id"].astype("Int64")
    in_work = ~np.isnat(job) & (job <= day)

    # The latest attended contact, and earlier appointments every 10-21 days before it (not before the start).
    stale = rng.random(n) < 0.07
    gap = np.where(stale, rng.integers(15, 31, size=n), rng.integers(1, 14, size=n))
    last = np.maximum(_roll(day - gap, nation, "backward"), started)
    earlier = rng.integers(1, 5, size=n)
    owner = np.repeat(np.arange(n), earlier)
    steps = rng.integers(10, 22, size=len(owner))
    first = np.cumsum(earlier) - earlier  # each referral's first row in `owner`
    back = np.cumsum(steps) - np.repeat(np.cumsum(steps)[first] - steps[first], earlier)
    before = _roll(last[owner] - back, nation[owner], "backward")
    keep = before >= started[owner]
    owner, before = owner[keep], before[keep]
    drawn = rng.random(len(owner))
    past_status = np.where(drawn < 0.06, FAILED, np.where(drawn < 0.09, CANCELLED, ATTENDED))

    # A recent failure to attend (after the latest contact), with an open follow-up.
    fta_on = _roll(day - rng.integers(1, 7, size=n), nation, "backward")
    recent_fta = (rng.random(n) < 0.065) & (fta_on > last) & (fta_on < day)

    # The next appointment, booked within the next 1-10 days for most.
    planned = rng.random(n) < np.where(recent_fta, 0.6, 0.86)
    next_on = _roll(day + rng.integers(1, 11, size=n), nation, "forward")

    rows = np.concatenate([np.arange(n), owner, np.flatnonzero(recent_fta), np.flatnonzero(planned)])
    on = np.concatenate([last, before, fta_on[recent_fta], next_on[planned]])
    status = np.concatenate(
        [
            np.full(n, ATTENDED),
            past_status,
            np.full(recent_fta.sum(), FAILED),
            np.full(planned.sum(), PLANNED),
        ]
    )
    recent = np.r_[
        np.zeros(n + len(owner), dtype=bool),
        np.ones(recent_fta.sum(), dtype=bool),
        np.zeros(planned.sum(), dtype=bool),
    ]
    kind = np.full(len(rows), ONE_TO_ONE, dtype=object)
    kind_draw = rng.random(len(rows))
    with_plan = ~np.isnat(agreed[rows]) & (on >= agreed[rows])
    kind[with_plan & (kind_draw < 0.2)] = PLAN_REVIEW
    working = in_work[rows] & (on >= job[rows])
    kind[working & (kind_draw >= 0.4)] = IN_WORK_SUPPORT
    office = frame["location"].to_numpy(dtype=object)[rows]
    place = np.array(IN_WORK_PLACES, dtype=object)[rng.integers(0, len(IN_WORK_PLACES), size=len(rows))]
    location = np.where(kind == IN_WORK_SUPPORT, place, office)
    minutes = TIMES_FROM + 30 * rng.integers(0, SLOTS, size=len(rows))
    reasons = np.array(list(FTA_REASONS), dtype=object)
    weights = np.array([weight for _, weight in FTA_REASONS.values()], dtype=float)
    fta_reason = np.where(
        status == FAILED, reasons[rng.choice(len(reasons), size=len(rows), p=weights / weights.sum())], ""
    )
    note = np.where(
        status == CANCELLED,
        np.array(CANCEL_NOTES, dtype=object)[rng.integers(0, len(CANCEL_NOTES), size=len(rows))],
        "",
    )
    order = np.lexsort((minutes, on, rows))
    appointments = (
        pd.DataFrame(
            {
                "referral_id": frame["referral_id"].to_numpy()[rows],
                "kind": kind,
                "starts_at": _local(on, minutes, time_zone),
                "location": location,
                "status": status,
                "fta_reason": fta_reason,
                "note": note,
                "booked_by_id": user.to_numpy()[rows],
                "_recent": recent,
                "_nation": nation[rows],
                "_on": on,
                "_working_days": frame["fta_follow_up_working_days"].to_numpy()[rows],
            }
        )
        .iloc[order]
        .reset_index(drop=True)
    )
    follow_ups = _follow_ups(rng, appointments, time_zone)
    appointments = appointments.drop(columns=["_recent", "_nation", "_on", "_working_days"])

    plans, goals, versions, reviews = _plans(rng, frame, agreed, in_work, day, time_zone, next_review_due)
    notes = _notes(rng, frame, last, time_zone)
    support = _support(rng, appointments, time_zone)
    return DemoWorkspace(
        appointments=appointments,
        follow_ups=follow_ups,
        plans=plans,
        goals=goals,
        versions=versions,
        reviews=reviews,
        notes=notes,
        support=support,
    )


def _follow_ups(rng: np.random.Generator, appointments: pd.DataFrame, time_zone: str) -> pd.DataFrame:
    """One follow-up per failure to attend, due as services_workspace.record_attendance dates it (the
    contract's working days, DOMAIN.md 3's deadline rule); the recent ones open, older ones done."""
    failed = np.flatnonzero(appointments["status"].to_numpy() == FAILED)
    rows = appointments.iloc[failed]
    on = rows["_on"].to_numpy(dtype="datetime64[D]")
    nation = rows["_nation"].to_numpy(dtype=object)
    due = np.empty(len(rows), dtype="datetime64[D]")
    for code in np.unique(nation):  # one vectorised call per nation
        mine = nation == code
        due[mine] = calendar_for(code).deadline(on[mine], rows["_working_days"].to_numpy()[mine])
    kind = rows["kind"].map(KIND_LABELS).to_numpy(dtype=object)
    reason = rows["fta_reason"].map({code: label for code, (label, _) in FTA_REASONS.items()})
    done = ~rows["_recent"].to_numpy(dtype=bool)
    outcomes = np.array(FOLLOW_UP_OUTCOMES, dtype=object)[
        rng.integers(0, len(FOLLOW_UP_OUTCOMES), size=len(rows))
    ]
    done_at = _local(on + 1, np.full(len(rows), 11 * 60), time_zone)
    return pd.DataFrame(
        {
            "appointment": failed,
            "referral_id": rows["referral_id"].to_numpy(),
            "description": "Follow up failure to attend ("
            + kind
            + ", "
            + reason.to_numpy(dtype=object)
            + ")",
            "due_date": due,
            "done_at": done_at.where(done),
            "done_by_id": rows["booked_by_id"].where(done).to_numpy(),
            "outcome": np.where(done, outcomes, ""),
        }
    )


def _plans(
    rng: np.random.Generator,
    frame: pd.DataFrame,
    agreed: np.ndarray,
    in_work: np.ndarray,
    day: np.datetime64,
    time_zone: str,
    next_review_due: Callable[[date, int], date],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    has_plan = ~np.isnat(agreed) & (agreed <= day)
    rows = np.flatnonzero(has_plan)
    m = len(rows)
    agreed_on = agreed[rows]
    user = frame["user_id"].astype("Int64").to_numpy()[rows]
    interval = frame["review_interval_months"].to_numpy()[rows]

    # Reviews: the latest 3-40 days ago (one in twelve over a month ago, so overdue), a second a month
    # before it for about half; none for a plan agreed since.
    ago = np.where(rng.random(m) < 0.08, rng.integers(32, 41, size=m), rng.integers(3, 29, size=m))
    latest = day - ago
    reviewed = latest > agreed_on
    second = reviewed & (rng.random(m) < 0.55)
    previous = latest - rng.integers(26, 36, size=m)
    second &= previous > agreed_on
    review_plan = np.concatenate([np.flatnonzero(second), np.flatnonzero(reviewed)])
    reviewed_on = np.concatenate([previous[second], latest[reviewed]])
    review_order = np.lexsort((reviewed_on, review_plan))
    review_plan, reviewed_on = review_plan[review_order], reviewed_on[review_order]
    reviews = pd.DataFrame(
        {
            "plan": review_plan,
            "reviewed_on": reviewed_on,
            "note": _pick(rng, REVIEW_NOTES, len(review_plan)),
            "reviewed_by_id": pd.array(user[review_plan], dtype="Int64"),
            "recorded_at": _local(reviewed_on, np.full(len(review_plan), 16 * 60 + 30), time_zone),
        }
    )
    clock = np.where(reviewed, latest, agreed_on)
    plans = pd.DataFrame(
        {
            "referral_id": frame["referral_id"].to_numpy()[rows],
            "agreed_on": agreed_on,
            "next_review_due": _by_distinct(next_review_due, clock, interval),
            "updated_at": _local(agreed_on, np.full(m, 16 * 60), time_zone),
            "updated_by_id": pd.array(user, dtype="Int64"),
        }
    )

    # Goals: 2-4 distinct ones per plan; a participant in work starts with an in-work goal.
    count = rng.integers(2, 5, size=m)
    picks = np.argsort(rng.random((m, len(GOALS))), axis=1)[:, :4]
    working = in_work[rows]
    pool = np.array([*GOALS, *IN_WORK_GOALS], dtype=object)
    picks[working, 0] = len(GOALS) + rng.integers(0, len(IN_WORK_GOALS), size=working.sum())
    taken = np.arange(4)[None, :] < count[:, None]
    plan = np.repeat(np.arange(m), count)
    chosen = pool[picks[taken]]
    # Due dates from the plan (or, for an old plan, from two and a half months ago) 2-15 weeks on; status
    # as the key worker would have it: most past goals achieved, recent plans not started or under way.
    base = np.maximum(agreed_on[plan], day - 75)
    due = base + rng.integers(14, 106, size=len(plan))
    drawn = rng.random(len(plan))
    fresh = agreed_on[plan] >= day - 14
    status = np.where(
        due < day,
        np.select([drawn < 0.7, drawn < 0.9], ["ACHIEVED", "IN_PROGRESS"], "DROPPED"),
        np.where(
            fresh,
            np.where(drawn < 0.5, "NOT_STARTED", "IN_PROGRESS"),
            np.select([drawn < 0.7, drawn < 0.85], ["IN_PROGRESS", "NOT_STARTED"], "ACHIEVED"),
        ),
    )
    keys = rng.integers(0, 2**63, size=(len(plan), 2), dtype=np.uint64)
    goals = pd.DataFrame(
        {
            "plan": plan,
            "position": np.arange(len(plan)) - np.repeat(np.cumsum(count) - count, count),
            "key": np.char.add(np.char.mod("%016x", keys[:, 0]), np.char.mod("%016x", keys[:, 1])).astype(
                object
            ),
            "goal": chosen[:, 0],
            "measure": chosen[:, 1],
            "owner": chosen[:, 2],
            "due_date": due,
            "status": status,
        }
    )
    versions = pd.DataFrame(
        {
            "plan": np.arange(m),
            "number": 1,
            "goals": _snapshots(goals, m),
            "agreed_on": agreed_on,
            "change_note": "Agreed with the participant",
            "created_at": plans["updated_at"],
            "created_by_id": pd.array(user, dtype="Int64"),
        }
    )
    return plans, goals, versions, reviews


def _snapshots(goals: pd.DataFrame, plans: int) -> list[list[dict]]:
    """Each plan's goals as ActionPlanVersion.goals holds them (services_workspace._goal_snapshot: the key,
    then GOAL_FIELDS as strings, dates ISO), in position order. `goals` is sorted by plan and position."""
    columns = {name: goals[name].astype(str).tolist() for name in GOAL_FIELDS if name != "due_date"}
    columns["due_date"] = np.datetime_as_string(
        goals["due_date"].to_numpy(dtype="datetime64[D]"), unit="D"
    ).tolist()
    records = [
        {"key": key, **dict(zip(GOAL_FIELDS, values, strict=True))}
        for key, *values in zip(goals["key"], *(columns[name] for name in GOAL_FIELDS), strict=True)
    ]
    bounds = np.searchsorted(goals["plan"].to_numpy(), np.arange(plans + 1))
    return [records[bounds[i] : bounds[i + 1]] for i in range(plans)]


def _notes(rng: np.random.Generator, frame: pd.DataFrame, last: np.ndarray, time_zone: str) -> pd.DataFrame:
    rows = np.flatnonzero(rng.random(len(frame)) < 0.33)
    return pd.DataFrame(
        {
            "referral_id": frame["referral_id"].to_numpy()[rows],
            "text": np.array(NOTES, dtype=object)[rng.integers(0, len(NOTES), size=len(rows))],
            "created_at": _local(last[rows], np.full(len(rows), 17 * 60), time_zone),
            "author_id": pd.array(frame["user_id"].astype("Int64").to_numpy()[rows], dtype="Int64"),
        }
    )


SPEND = (
    ("TRAVEL", 3.5, 25.0, "Bus fares to appointments"),
    ("CLOTHING", 20.0, 90.0, "Interview clothes"),
    ("TRAINING", 40.0, 300.0, "CSCS card course"),
    ("CHILDCARE", 15.0, 60.0, "Childcare for an interview"),
)
SUPPORT_BY_KIND = {"IN_WORK_SUPPORT": "IN_WORK", "GROUP_SESSION": "GROUP"}


def _support(rng: np.random.Generator, appointments: pd.DataFrame, time_zone: str) -> pd.DataFrame:
    """Hours of support for each attended appointment (half an hour to two hours) and, after about one in
    six, an expenditure (travel, clothing, a course, childcare), recorded by the appointment's booker."""
    attended = appointments.loc[appointments["status"] == ATTENDED]
    day = attended["starts_at"].dt.tz_convert(time_zone).dt.tz_localize(None).dt.normalize().to_numpy()
    hours = pd.DataFrame(
        {
            "referral_id": attended["referral_id"].to_numpy(),
            "kind": "HOURS",
            "on_date": day,
            "hours": rng.choice([0.5, 1.0, 1.0, 1.5, 2.0], size=len(attended)),
            "amount": np.nan,
            "category": attended["kind"].map(SUPPORT_BY_KIND).fillna("ONE_TO_ONE").to_numpy(),
            "note": "",
            "recorded_by_id": attended["booked_by_id"].to_numpy(),
            "made": attended["starts_at"].to_numpy(),
        }
    )
    spent = rng.random(len(attended)) < 0.17
    which = rng.integers(0, len(SPEND), size=int(spent.sum()))
    low, high = (np.array([row[i] for row in SPEND])[which] for i in (1, 2))
    spend = hours.loc[spent].assign(
        kind="EXPENDITURE",
        hours=np.nan,
        amount=np.round(low + rng.random(len(which)) * (high - low), 2),
        category=np.array([row[0] for row in SPEND], dtype=object)[which],
        note=np.array([row[3] for row in SPEND], dtype=object)[which],
    )
    frame = pd.concat([hours, spend], ignore_index=True)
    frame["made"] = pd.to_datetime(frame["made"], utc=True)
    frame["recorded_by_id"] = pd.array(frame["recorded_by_id"], dtype="Int64")
    return frame.sort_values(["referral_id", "on_date", "kind"], kind="stable").reset_index(drop=True)


# Helpers ---------------------------------------------------------------------------------------------------


def _pick(rng: np.random.Generator, values: tuple, size: int) -> np.ndarray:
    return np.array(values, dtype=object)[rng.integers(0, len(values), size=size)]


def _days(column: pd.Series) -> np.ndarray:
    return pd.to_datetime(column).to_numpy(dtype="datetime64[D]")


def _roll(days: np.ndarray, nation: np.ndarray, roll: str) -> np.ndarray:
    """Each day moved to a working day of its nation (backward: the one before, forward: the one after)."""
    out = np.asarray(days, dtype="datetime64[D]").copy()
    for code in np.unique(nation):
        mine = nation == code
        out[mine] = np.busday_offset(out[mine], 0, roll=roll, busdaycal=calendar_for(code).busdaycal)
    return out


def _local(days: np.ndarray, minutes: np.ndarray, time_zone: str) -> pd.Series:
    """Local wall-clock times (day + minutes) in `time_zone` as UTC datetimes."""
    naive = np.asarray(days, dtype="datetime64[D]").astype("datetime64[m]") + np.asarray(minutes).astype(
        "timedelta64[m]"
    )
    index = pd.DatetimeIndex(naive.astype("datetime64[ns]"))
    return pd.Series(
        index.tz_localize(time_zone, ambiguous=False, nonexistent="shift_forward").tz_convert("UTC")
    )


def _by_distinct(rule: Callable[[date, int], date], days: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    """rule(day, number) for every row, calling it once per distinct (day, number) pair."""
    if len(days) == 0:
        return np.empty(0, dtype="datetime64[D]")
    pairs = np.column_stack(
        [np.asarray(days, dtype="datetime64[D]").astype(np.int64), np.asarray(numbers, dtype=np.int64)]
    )
    distinct, inverse = np.unique(pairs, axis=0, return_inverse=True)
    epoch = date(1970, 1, 1).toordinal()
    values = np.array(
        [rule(date.fromordinal(int(d) + epoch), int(k)) for d, k in distinct], dtype="datetime64[D]"
    )
    return values[np.asarray(inverse).ravel()]
