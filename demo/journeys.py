"""What happens to a demo contract's referrals: every journey event of DOMAIN.md 4 (the single resolution,
acknowledgement and PRaP, the start, action plan, ESF forms, PSG moves, non-compliance and sanction doubts,
exits and exit reports, job starts, earnings, outcomes, sustainments and DWP's invalidations), drawn with
working-day delays from participants.calendar. Pure and vectorised: arrays of referral positions, codes,
dates, amounts and details, no loop per referral."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from participants.calendar import WorkingDayCalendar
from participants.journey import RESOLUTION_CODES

from .cohorts import Referrals, in_groups
from .columns import as_days
from .specs import (
    ACK_DELAY_WD,
    ACTION_PLAN_DELAY_WD,
    CAP_PRAP_AFTER_ENGAGED_WD,
    CODES,
    DETAILS,
    ESA_GROUPS,
    ESF_SENT_DELAY_WD,
    EXIT_REPORT_DELAY_WD,
    PRAP_DELAY_WD,
    PSG_LEVELS,
    RESOLUTION_DELAY_WD,
    RESOLUTION_SHARES,
    SANCTION_DOUBT_DELAY_WD,
    ContractSpec,
)


def _delays(rng: np.random.Generator, weights: dict[int, float], size: int) -> np.ndarray:
    values = np.fromiter(weights.keys(), dtype=np.int64)
    p = np.fromiter(weights.values(), dtype=np.float64)
    return rng.choice(values, size=size, p=p / p.sum())


class _Events:
    """Event rows gathered per code as arrays of referral positions, dates, amounts and detail codes."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(
        self,
        code: str,
        rows: np.ndarray,
        dates: np.ndarray,
        *,
        amount: float = np.nan,
        detail: np.ndarray | int = 0,
    ) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        n = len(rows)
        self.parts.append(
            (
                rows,
                np.full(n, CODES.index(code), dtype=np.int8),
                np.asarray(dates, dtype="datetime64[D]"),
                np.full(n, amount, dtype=np.float64),
                np.broadcast_to(np.asarray(detail, dtype=np.int8), (n,)),
            )
        )

    def frame(self, today: np.datetime64) -> tuple[np.ndarray, ...]:
        """Rows dated on or before today, one per key (referral, code, date), in journey order."""
        columns = [np.concatenate(column) for column in zip(*self.parts, strict=True)]
        keep = columns[2] <= today  # events after today do not exist yet
        rows, codes, dates, amounts, details = (column[keep] for column in columns)
        day = (dates - dates.min()).astype(np.int64)
        key = (rows * (day.max() + 1) + day) * len(CODES) + codes
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.ones(len(key), dtype=bool)  # DOMAIN.md 15.17: the same event on the same day is one row
        first[1:] = key[1:] != key[:-1]
        order = order[first]
        return rows[order], codes[order], dates[order], amounts[order], details[order]


def draw_journeys(
    rng: np.random.Generator,
    spec: ContractSpec,
    refs: Referrals,
    today: date,
    cal: WorkingDayCalendar,
    rounds: pd.DataFrame,
) -> tuple[np.ndarray, ...]:
    """Every journey event of a contract's referrals (DOMAIN.md 4), as arrays (see _Events.frame)."""
    n = len(refs.dates)
    rows = np.arange(n)
    referred = refs.dates
    events = _Events()

    # The single resolution (CSS1a, CAP1, CAP3) and the acknowledgement on PRaP before it (CSS2: within 2
    # working days).
    resolution = rng.choice(len(RESOLUTION_CODES), size=n, p=RESOLUTION_SHARES)
    resolved_on = cal.deadline(referred, _delays(rng, RESOLUTION_DELAY_WD, n))
    acknowledged = cal.deadline(referred, _delays(rng, ACK_DELAY_WD, n))
    events.add("ACKNOWLEDGED", rows, np.minimum(acknowledged, resolved_on))
    started = resolution == 0
    if spec.programme == "CAP":
        # First face-to-face engagement, then the start on the same day or shortly after (CAP1, CAP3).
        engaged = resolved_on[started]
        start_days = cal.deadline(engaged, rng.choice([0, 0, 0, 1, 2, 3], size=started.sum()))
        resolved_on = resolved_on.copy()
        resolved_on[started] = start_days
        events.add("ENGAGED", rows[started], engaged)
        prap = np.empty(n, dtype="datetime64[D]")
        prap[started] = cal.deadline(engaged, _delays(rng, CAP_PRAP_AFTER_ENGAGED_WD, started.sum()))
        prap[~started] = cal.deadline(resolved_on[~started], _delays(rng, PRAP_DELAY_WD, (~started).sum()))
    else:
        prap = cal.deadline(resolved_on, _delays(rng, PRAP_DELAY_WD, n))
    for code_index, code in enumerate(RESOLUTION_CODES):
        chosen = resolution == code_index
        events.add(code, rows[chosen], resolved_on[chosen])
    events.add("PRAP_RECORDED", rows, prap)
    # A referral counts as started only once its start is dated on or before today.
    started &= resolved_on <= np.datetime64(today, "D")
    s_rows = rows[started]
    s_on = resolved_on[started]
    m = len(s_rows)

    events.add("ACTION_PLAN_AGREED", s_rows, cal.deadline(s_on, _delays(rng, ACTION_PLAN_DELAY_WD, m)))
    if spec.programme == "WHP":  # ESF1420 initial form: signed at the start, sent within 5 working days
        events.add("ESF_FORM_SIGNED", s_rows, s_on)
        events.add("ESF_FORM_SENT", s_rows, cal.deadline(s_on, _delays(rng, ESF_SENT_DELAY_WD, m)))

    # Work: job starts after a gamma-distributed search; early exits for some who never find work.
    rate = np.array([spec.job_start_rate[group] for group in spec.groups])[refs.groups[started]]
    rate = rate * np.array([site.job_factor for site in spec.sites])[refs.sites[started]]  # better sites
    job_lag = rng.gamma(1.3, spec.job_lag_mean / 1.3, size=m).astype(np.int64) + 7
    working = (rng.random(m) < rate) & (job_lag < spec.provision_days)
    exit_lag = np.full(m, spec.provision_days)
    early = ~working & (rng.random(m) < 0.25)
    exit_lag[early] = rng.integers(30, spec.provision_days, size=early.sum())
    exits = s_on + as_days(exit_lag)
    events.add("EXITED", s_rows, exits)
    events.add("EXIT_REPORT_SENT", s_rows, cal.deadline(exits, _delays(rng, EXIT_REPORT_DELAY_WD, m)))

    # Peer support group moves while on provision, on distinct days, each a step on the ladder.
    moves = rng.choice([0, 1, 2, 3], size=m, p=[0.35, 0.3, 0.25, 0.1])
    mover = np.repeat(np.arange(m), moves)
    step = np.arange(len(mover)) - np.repeat(np.cumsum(moves) - moves, moves)
    psg_on = _psg_dates(rng, s_on, mover, step)
    level = np.minimum(rng.integers(0, 2, size=len(mover)) + step + 1, len(PSG_LEVELS) - 1)
    in_provision = psg_on <= exits[mover]
    events.add(
        "PSG_CHANGED",
        s_rows[mover][in_provision],
        psg_on[in_provision],
        detail=(level + 2).astype(np.int8)[in_provision],
    )

    # Non-compliance and the sanction doubt raised with JCP (CAP4: within 2 working days).
    offences = np.where(
        rng.random(m) < spec.non_compliance_rate, rng.choice([1, 2], size=m, p=[0.75, 0.25]), 0
    )
    offender = np.repeat(np.arange(m), offences)
    nc_on = s_on[offender] + as_days(rng.integers(7, 120, size=len(offender)))
    second = np.zeros(len(offender), dtype=bool)
    second[1:] = offender[1:] == offender[:-1]
    nc_on[second] = nc_on[np.flatnonzero(second) - 1] + as_days(rng.integers(14, 90, size=second.sum()))
    in_provision = nc_on <= exits[offender]
    nc_rows, nc_on = s_rows[offender][in_provision], nc_on[in_provision]
    events.add("NON_COMPLIANCE", nc_rows, nc_on)
    raised = rng.random(len(nc_rows)) < 0.96
    events.add(
        "SANCTION_DOUBT_RAISED",
        nc_rows[raised],
        cal.deadline(nc_on[raised], _delays(rng, SANCTION_DOUBT_DELAY_WD, raised.sum())),
    )

    # Job starts, earnings, outcomes and sustainments.
    w_rows, job_on = s_rows[working], s_on[working] + as_days(job_lag[working])
    k = len(w_rows)
    events.add("JOB_START", w_rows, job_on)
    if spec.programme == "WHP":
        # WHP pays on earnings: commencement, the GBP 1,000 milestone (the job outcome), GBP 2,000.
        earning = rng.random(k) < 0.92
        earn_on = job_on[earning] + as_days(rng.integers(14, 43, size=earning.sum()))
        e_rows = w_rows[earning]
        events.add("EARNINGS_START", e_rows, earn_on)
        thousand = rng.random(len(e_rows)) < spec.outcome_share
        e1000_on = earn_on[thousand] + as_days(rng.integers(45, 121, size=thousand.sum()))
        o_rows = e_rows[thousand]
        events.add("EARNINGS_1000", o_rows, e1000_on, amount=1000.0)
        two = rng.random(len(o_rows)) < 0.72
        events.add(
            "EARNINGS_2000",
            o_rows[two],
            e1000_on[two] + as_days(rng.integers(45, 121, size=two.sum())),
            amount=2000.0,
        )
        outcome_base = e1000_on
    else:
        reaching = rng.random(k) < spec.outcome_share
        o_rows, outcome_base = w_rows[reaching], job_on[reaching]
    lo, hi = spec.outcome_lag
    if spec.programme == "WP":  # 13 weeks in work for ESA groups, 26 for JSA groups
        esa = in_groups(spec, ESA_GROUPS)[refs.groups[o_rows]]
        outcome_on = outcome_base + as_days(np.where(esa, lo, hi))
    else:
        outcome_on = outcome_base + as_days(rng.integers(lo, hi + 1, size=len(o_rows)))
    detail = np.where(rng.random(len(o_rows)) < 0.08, DETAILS.index("self_employed"), 0).astype(np.int8)
    events.add("JOB_OUTCOME", o_rows, outcome_on, amount=spec.outcome_amount, detail=detail)
    payments = np.minimum(rng.geometric(0.12, size=len(o_rows)), spec.max_sustainments)
    payer = np.repeat(np.arange(len(o_rows)), payments)
    nth = np.arange(len(payer)) - np.repeat(np.cumsum(payments) - payments, payments) + 1
    events.add(
        "SUSTAINMENT", o_rows[payer], outcome_on[payer] + as_days(28 * nth), amount=spec.sustainment_amount
    )
    # A second job for some who lost the first.
    again = rng.random(k) < 0.1
    events.add("JOB_START", w_rows[again], job_on[again] + as_days(rng.integers(60, 240, size=again.sum())))

    _invalidations(rng, events, o_rows, outcome_on, rounds)
    return events.frame(np.datetime64(today, "D"))


def _psg_dates(
    rng: np.random.Generator, starts: np.ndarray, mover: np.ndarray, step: np.ndarray
) -> np.ndarray:
    """Dates of each mover's successive PSG moves: strictly increasing gaps of 2 to 10 weeks."""
    gaps = rng.integers(14, 75, size=len(mover))
    totals = np.cumsum(gaps)
    first = np.flatnonzero(step == 0)
    base = np.repeat(totals[first] - gaps[first], np.diff(np.r_[first, len(mover)]))
    return starts[mover] + as_days(totals - base)


def _invalidations(
    rng: np.random.Generator,
    events: _Events,
    o_rows: np.ndarray,
    outcome_on: np.ndarray,
    rounds: pd.DataFrame,
) -> None:
    """DWP's post-payment validation finds each round's share of its period's outcomes invalid
    (DOMAIN.md 8, 13): OUTCOME_INVALIDATED one to four months after the period ends."""
    for period_start, period_end, pct in rounds[["period_start", "period_end", "invalid_pct"]].itertuples(
        index=False
    ):
        in_period = (outcome_on >= np.datetime64(period_start)) & (outcome_on <= np.datetime64(period_end))
        invalid = in_period & (rng.random(len(o_rows)) < pct / 100)
        found_on = np.datetime64(period_end, "D") + as_days(rng.integers(30, 121, size=invalid.sum()))
        events.add("OUTCOME_INVALIDATED", o_rows[invalid], found_on)
