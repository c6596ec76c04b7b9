"""Realistic demo and scale data: a deterministic PRaP-style import bundle in the DATA.md format.

One prime with three subcontractors and five sites holds a WP contract (England), a WHP contract (Scotland,
with a devolution deal area) and a CAP contract (Wales), with about two years of journeys ending at `today`.
The figures are shaped after DOMAIN.md section 16: monthly cohorts, a 12-month cohort conversion of roughly
9-13%, most referrals resolved within the customer service standards (section 9) and a realistic share late,
working-day delays taken from participants.calendar.

Pure and vectorised: seeded numpy over whole arrays of referrals, no ORM and no loop per referral, so a
million referrals generate in seconds. `generate_bundle` returns the files as DataFrames; `write_bundle`
writes them as the CSV files DATA.md names. The bundle respects every import rule of DATA.md: one
resolution event per referral, no event before its referral date or after `today`, no duplicate key,
only the programme's groups and the event codes of DOMAIN.md section 4. The contracts and the
distributions drawn from are data, in demo.specs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from participants.calendar import WorkingDayCalendar, calendar_for
from participants.journey import DEFAULT_YEAR_START_MONTH, RESOLUTION_CODES

from .specs import (
    ACK_DELAY_WD,
    ACTION_PLAN_DELAY_WD,
    CAP_PRAP_AFTER_ENGAGED_WD,
    CASELOAD,
    CODES,
    CONTRACTS,
    DEFAULT_REFERRALS,
    DEFAULT_SEED,
    DETAILS,
    ESA_GROUPS,
    ESF_SENT_DELAY_WD,
    ETHNICITIES,
    ETHNICITY_SHARES,
    EXIT_REPORT_DELAY_WD,
    PRAP_DELAY_WD,
    PRIME,
    PSG_LEVELS,
    RESOLUTION_DELAY_WD,
    RESOLUTION_SHARES,
    SANCTION_DOUBT_DELAY_WD,
    SUBCONTRACTORS,
    YEARS_OF_DATA,
    YOUNG_GROUPS,
    ContractSpec,
)


def _delays(rng: np.random.Generator, weights: dict[int, float], size: int) -> np.ndarray:
    values = np.fromiter(weights.keys(), dtype=np.int64)
    p = np.fromiter(weights.values(), dtype=np.float64)
    return rng.choice(values, size=size, p=p / p.sum())


def _days(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).astype("timedelta64[D]")


def _iso(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(days, dtype="datetime64[D]"), unit="D")


def _date_column(days: np.ndarray) -> pd.Categorical:
    """ISO dates as a categorical over the days spanned: a million rows format in milliseconds."""
    days = np.asarray(days, dtype="datetime64[D]")
    first = days.min()
    labels = _iso(np.arange(first, days.max() + 1))
    return pd.Categorical.from_codes((days - first).astype(np.int64), categories=labels)


def _numbered(prefix: str, numbers: np.ndarray) -> np.ndarray:
    """prefix + the numbers zero-padded to 7 digits (P0000042), built as bytes without a loop per row."""
    numbers = np.asarray(numbers, dtype=np.int64)
    width = max(7, len(str(int(numbers.max(initial=0)))))
    digits = (numbers[:, None] // 10 ** np.arange(width - 1, -1, -1)) % 10 + ord("0")
    head = np.broadcast_to(np.frombuffer(prefix.encode(), dtype=np.uint8), (len(numbers), len(prefix)))
    raw = np.ascontiguousarray(np.hstack([head, digits.astype(np.uint8)]))
    return raw.view(f"S{len(prefix) + width}").ravel().astype(str)


def _in_groups(spec: ContractSpec, names: tuple[str, ...]) -> np.ndarray:
    """Per group index of the contract: whether the group is one of `names`."""
    return np.isin(np.array(list(spec.groups)), names)


def key_worker_ref(site_ref: str, number: int) -> str:
    """A key worker works at one site, so belongs to its organisation: DEMO-PRIME-LEEDS-KW01."""
    return f"{site_ref}-KW{number:02d}"


def data_start(today: date, years: int = YEARS_OF_DATA) -> date:
    """First day of the month `years` years before today's month: the demo contracts' start."""
    return date(today.year - years, today.month, 1)


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


@dataclass(frozen=True)
class _Referrals:
    dates: np.ndarray  # datetime64[D], sorted
    groups: np.ndarray  # int index into spec.groups
    sites: np.ndarray  # int index into spec.sites
    key_workers: np.ndarray  # int, 1-based within the site
    workers_per_site: np.ndarray  # int per site


def _referral_days(
    rng: np.random.Generator, n: int, start: date, today: date, cal: WorkingDayCalendar
) -> np.ndarray:
    """Referral dates on working days: monthly cohorts ramping up over the first quarter, with the
    seasonal dips of December and August, each month a little noisy."""
    days = np.arange(np.datetime64(start, "D"), np.datetime64(today, "D") + 1)
    days = days[cal.is_working_day(days)]
    months = days.astype("datetime64[M]")
    month_index = (months - months[0]).astype(np.int64)
    calendar_month = months.astype(np.int64) % 12 + 1
    ramp = np.minimum(1.0, 0.45 + 0.2 * month_index)
    season = np.select(
        [calendar_month == 12, calendar_month == 8, calendar_month == 1], [0.75, 0.9, 1.15], 1.0
    )
    noise = rng.normal(1.0, 0.06, size=month_index.max() + 1)[month_index]
    _, per_month = np.unique(month_index, return_counts=True)
    weight = ramp * season * noise / per_month[month_index]
    return np.sort(days[rng.choice(len(days), size=n, p=weight / weight.sum())])


def _referrals(
    rng: np.random.Generator, spec: ContractSpec, n: int, start: date, today: date, cal: WorkingDayCalendar
) -> _Referrals:
    dates = _referral_days(rng, n, start, today, cal)
    group_share = np.fromiter(spec.groups.values(), dtype=np.float64)
    site_share = np.array([s.share for s in spec.sites])
    sites = rng.choice(len(spec.sites), size=n, p=site_share / site_share.sum())
    per_site = np.bincount(sites, minlength=len(spec.sites))
    workers = np.clip(np.rint(per_site / CASELOAD), 3, 400).astype(np.int64)
    return _Referrals(
        dates=dates,
        groups=rng.choice(len(group_share), size=n, p=group_share / group_share.sum()),
        sites=sites,
        key_workers=(rng.random(n) * workers[sites]).astype(np.int64) + 1,
        workers_per_site=workers,
    )


def _journeys(
    rng: np.random.Generator,
    spec: ContractSpec,
    refs: _Referrals,
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
    job_lag = rng.gamma(1.3, spec.job_lag_mean / 1.3, size=m).astype(np.int64) + 7
    working = (rng.random(m) < rate) & (job_lag < spec.provision_days)
    exit_lag = np.full(m, spec.provision_days)
    early = ~working & (rng.random(m) < 0.25)
    exit_lag[early] = rng.integers(30, spec.provision_days, size=early.sum())
    exits = s_on + _days(exit_lag)
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
    nc_on = s_on[offender] + _days(rng.integers(7, 120, size=len(offender)))
    second = np.zeros(len(offender), dtype=bool)
    second[1:] = offender[1:] == offender[:-1]
    nc_on[second] = nc_on[np.flatnonzero(second) - 1] + _days(rng.integers(14, 90, size=second.sum()))
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
    w_rows, job_on = s_rows[working], s_on[working] + _days(job_lag[working])
    k = len(w_rows)
    events.add("JOB_START", w_rows, job_on)
    if spec.programme == "WHP":
        # WHP pays on earnings: commencement, the GBP 1,000 milestone (the job outcome), GBP 2,000.
        earning = rng.random(k) < 0.92
        earn_on = job_on[earning] + _days(rng.integers(14, 43, size=earning.sum()))
        e_rows = w_rows[earning]
        events.add("EARNINGS_START", e_rows, earn_on)
        thousand = rng.random(len(e_rows)) < spec.outcome_share
        e1000_on = earn_on[thousand] + _days(rng.integers(45, 121, size=thousand.sum()))
        o_rows = e_rows[thousand]
        events.add("EARNINGS_1000", o_rows, e1000_on, amount=1000.0)
        two = rng.random(len(o_rows)) < 0.72
        events.add(
            "EARNINGS_2000",
            o_rows[two],
            e1000_on[two] + _days(rng.integers(45, 121, size=two.sum())),
            amount=2000.0,
        )
        outcome_base = e1000_on
    else:
        reaching = rng.random(k) < spec.outcome_share
        o_rows, outcome_base = w_rows[reaching], job_on[reaching]
    lo, hi = spec.outcome_lag
    if spec.programme == "WP":  # 13 weeks in work for ESA groups, 26 for JSA groups
        esa = _in_groups(spec, ESA_GROUPS)[refs.groups[o_rows]]
        outcome_on = outcome_base + _days(np.where(esa, lo, hi))
    else:
        outcome_on = outcome_base + _days(rng.integers(lo, hi + 1, size=len(o_rows)))
    detail = np.where(rng.random(len(o_rows)) < 0.08, DETAILS.index("self_employed"), 0).astype(np.int8)
    events.add("JOB_OUTCOME", o_rows, outcome_on, amount=spec.outcome_amount, detail=detail)
    payments = np.minimum(rng.geometric(0.12, size=len(o_rows)), spec.max_sustainments)
    payer = np.repeat(np.arange(len(o_rows)), payments)
    nth = np.arange(len(payer)) - np.repeat(np.cumsum(payments) - payments, payments) + 1
    events.add(
        "SUSTAINMENT", o_rows[payer], outcome_on[payer] + _days(28 * nth), amount=spec.sustainment_amount
    )
    # A second job for some who lost the first.
    again = rng.random(k) < 0.1
    events.add("JOB_START", w_rows[again], job_on[again] + _days(rng.integers(60, 240, size=again.sum())))

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
    return starts[mover] + _days(totals - base)


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
        found_on = np.datetime64(period_end, "D") + _days(rng.integers(30, 121, size=invalid.sum()))
        events.add("OUTCOME_INVALIDATED", o_rows[invalid], found_on)


def _validation_rounds(rng: np.random.Generator, ref: str, start: date, today: date) -> pd.DataFrame:
    """Half-yearly rounds on contract-year halves (April-September, October-March) from the contract
    start: FINAL, except the latest ended period's, still PROVISIONAL."""
    first = np.datetime64(date(start.year - 1, DEFAULT_YEAR_START_MONTH, 1), "M")
    halves = np.arange(first, np.datetime64(today, "M") + 1, 6)
    ends = (halves + 6).astype("datetime64[D]") - 1
    period_starts = np.maximum(halves.astype("datetime64[D]"), np.datetime64(start, "D"))
    ended = (ends < np.datetime64(today, "D")) & (ends >= np.datetime64(start, "D"))
    period_starts, ends = period_starts[ended], ends[ended]
    final = np.arange(len(ends)) < len(ends) - 1
    return pd.DataFrame(
        {
            "contract_ref": ref,
            "round": np.arange(1, len(ends) + 1),
            "period_start": period_starts,
            "period_end": ends,
            "invalid_pct": np.round(rng.uniform(4.0, 11.0, size=len(ends)), 2),
            "status": np.where(final, "FINAL", "PROVISIONAL"),
        }
    )


def _profiles(spec: ContractSpec) -> pd.DataFrame:
    """MPL profiles: nothing in the first months on programme, then a saturating curve up to the group's
    expected total by the last profile month (DOMAIN.md 7)."""
    k = np.arange(1, spec.profile_months + 1)
    frames = []
    for group, (total, lag) in spec.profile.items():
        shape = (1 - np.exp(-np.maximum(k - lag, 0) / spec.profile_tau)) / (
            1 - np.exp(-(spec.profile_months - lag) / spec.profile_tau)
        )
        frames.append(
            pd.DataFrame(
                {
                    "contract_ref": spec.ref,
                    "group": group,
                    "month": k,
                    "cumulative_pct": np.round(total * shape, 2),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _targets(spec: ContractSpec, refs: _Referrals, today: date) -> pd.DataFrame:
    """A couple of DWP-notified required figures (DATA.md mpl_targets.csv) for the two largest measured WP
    groups over the last whole contract year (inside the YEARS_OF_DATA held): about a tenth of the group's
    referrals there, DWP's figure rather than one derived here."""
    year_start = np.datetime64(
        date(today.year - (1 if today.month >= DEFAULT_YEAR_START_MONTH else 2), DEFAULT_YEAR_START_MONTH, 1),
        "D",
    )
    period = (year_start, (year_start.astype("datetime64[M]") + 12).astype("datetime64[D]") - 1)
    in_period = (refs.dates >= period[0]) & (refs.dates <= period[1])
    rows = []
    for group in ("PG1", "PG2"):
        size = int((in_period & (refs.groups == list(spec.groups).index(group))).sum())
        rows.append(
            {
                "contract_ref": spec.ref,
                "group": group,
                "period_start": period[0],
                "period_end": period[1],
                "required_outcomes": max(1, round(size * 0.10)),
            }
        )
    return pd.DataFrame(rows)


@dataclass
class _People:
    """Who the referred people are, as codes: one row per referral, copied for re-referrals."""

    born: np.ndarray  # datetime64[D]
    male: np.ndarray  # bool
    disabled: np.ndarray  # bool
    ethnicity: np.ndarray  # index into ETHNICITIES
    district: np.ndarray  # index into the contract's postcode districts

    def copy_person(self, earlier: np.ndarray, later: np.ndarray) -> None:
        for column in (self.born, self.male, self.disabled, self.ethnicity, self.district):
            column[later] = column[earlier]  # one person, one date of birth


def _people(rng: np.random.Generator, spec: ContractSpec, refs: _Referrals) -> _People:
    n = len(refs.dates)
    young = _in_groups(spec, YOUNG_GROUPS)[refs.groups]
    age_years = np.where(young, rng.integers(18, 25, size=n), rng.integers(25, 64, size=n))
    offsets = np.cumsum([0] + [len(site.postcodes) for site in spec.sites])
    return _People(
        born=refs.dates - _days(age_years * 365 + rng.integers(0, 365, size=n)),
        male=rng.random(n) < 0.56,
        disabled=_in_groups(spec, ESA_GROUPS)[refs.groups] | (rng.random(n) < 0.18),
        ethnicity=rng.choice(len(ETHNICITIES), size=n, p=ETHNICITY_SHARES),
        district=offsets[refs.sites] + (rng.random(n) * np.diff(offsets)[refs.sites]).astype(np.int64),
    )


def _re_referrals(
    rng: np.random.Generator, resolution_rows: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """(earlier, later) referral positions of participants referred again: about two in five who failed to
    attend come back as a new referral some weeks later (DOMAIN.md 4)."""
    earlier = resolution_rows[rng.random(len(resolution_rows)) < 0.4]
    later = earlier + rng.integers(40, 400, size=len(earlier))
    ok = (later < n) & ~np.isin(later, earlier)
    earlier, later = earlier[ok], later[ok]
    later, first = np.unique(later, return_index=True)
    return earlier[first], later


def _labels(values, codes: np.ndarray) -> pd.Categorical:
    """The column whose row i is values[codes[i]], as a categorical (values may repeat)."""
    index, labels = pd.factorize(np.asarray(values, dtype=object))
    return pd.Categorical.from_codes(
        index[np.asarray(codes, dtype=np.int64)], categories=pd.Index(labels, dtype=object)
    )


def _contract_files(
    number: int, spec: ContractSpec, size: int, start: date, today: date, seed: int
) -> dict[str, pd.DataFrame]:
    """One contract's referrals, events, profiles, rounds and targets; its own seeded stream, so one
    contract's data does not depend on the others'."""
    rng = np.random.default_rng([seed, number])
    cal = calendar_for(spec.nation)
    refs = _referrals(rng, spec, size, start, today, cal)
    rounds = _validation_rounds(rng, spec.ref, start, today)
    ev_rows, ev_codes, ev_dates, ev_amounts, ev_details = _journeys(rng, spec, refs, today, cal, rounds)
    referral_refs = _numbered(spec.programme, np.arange(1, size + 1))
    people = _people(rng, spec, refs)
    persons = np.arange(size)
    earlier, later = _re_referrals(rng, np.unique(ev_rows[ev_codes == CODES.index("FAILED_TO_ATTEND")]), size)
    persons[later] = persons[earlier]
    people.copy_person(earlier, later)
    kw_first = np.cumsum(np.r_[0, refs.workers_per_site])
    kw_refs = [
        key_worker_ref(site.ref, k)
        for site, workers in zip(spec.sites, refs.workers_per_site, strict=True)
        for k in range(1, workers + 1)
    ]
    amounts = np.r_[np.nan, np.unique(ev_amounts[~np.isnan(ev_amounts)])]
    amount_codes = np.searchsorted(amounts[1:], ev_amounts) + 1
    amount_codes[np.isnan(ev_amounts)] = 0
    files = {
        "referrals.csv": pd.DataFrame(
            {
                "contract_ref": _labels([spec.ref], np.zeros(size)),
                "referral_ref": referral_refs,
                "participant_ref": _numbered(f"P{spec.programme}", persons + 1),
                "referral_date": _date_column(refs.dates),
                "group": _labels(list(spec.groups), refs.groups),
                "delivery_org_ref": _labels([site.org_ref for site in spec.sites], refs.sites),
                "site_ref": _labels([site.ref for site in spec.sites], refs.sites),
                "key_worker": _labels(kw_refs, kw_first[refs.sites] + refs.key_workers - 1),
                "date_of_birth": _date_column(people.born),
                "gender": _labels(["F", "M"], people.male),
                "disability": _labels(["N", "Y"], people.disabled),
                "ethnicity": _labels(list(ETHNICITIES), people.ethnicity),
                "postcode_district": _labels(
                    [code for site in spec.sites for code in site.postcodes], people.district
                ),
                "dda": _labels([site.dda for site in spec.sites], refs.sites),
            }
        ),
        "events.csv": pd.DataFrame(
            {
                "contract_ref": _labels([spec.ref], np.zeros(len(ev_rows))),
                "referral_ref": _labels(list(referral_refs), ev_rows),
                "event": _labels(list(CODES), ev_codes),
                "event_date": _date_column(ev_dates),
                "amount": _labels(["", *(f"{amount:.2f}" for amount in amounts[1:])], amount_codes),
                "detail": _labels(list(DETAILS), ev_details),
            }
        ),
        "mpl_profiles.csv": _profiles(spec),
        "validation_rounds.csv": rounds,
    }
    if spec.programme == "WP":
        files["mpl_targets.csv"] = _targets(spec, refs, today)
    return files


def _concat_categorical(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack frames of categorical columns, keeping them categorical (plain concat would expand them):
    the categories are joined once and each frame's codes re-pointed, without a lookup per row."""
    columns = {}
    for column in frames[0].columns:
        parts = [frame[column].array for frame in frames]
        if not isinstance(parts[0], pd.Categorical):
            columns[column] = np.concatenate([np.asarray(part, dtype=object) for part in parts])
            continue
        labels = np.concatenate([np.asarray(part.categories, dtype=object) for part in parts])
        index, uniques = pd.factorize(labels)
        offsets = np.cumsum([0] + [len(part.categories) for part in parts[:-1]])
        codes = np.concatenate(
            [index[offset + part.codes] for offset, part in zip(offsets, parts, strict=True)]
        )
        columns[column] = pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))
    return pd.DataFrame(columns)


def _chosen(contracts: tuple[str, ...] | None) -> list[tuple[int, ContractSpec]]:
    """(position in CONTRACTS, spec) of the contracts asked for, in CONTRACTS order; all when None."""
    if contracts is None:
        return list(enumerate(CONTRACTS))
    known = [spec.ref for spec in CONTRACTS]
    unknown = sorted(set(contracts) - set(known))
    if unknown or not contracts:
        raise ValueError(f"contracts: {', '.join(unknown) or 'none given'}; choose from {', '.join(known)}")
    return [(number, spec) for number, spec in enumerate(CONTRACTS) if spec.ref in contracts]


def generate_bundle(
    *,
    referrals: int = DEFAULT_REFERRALS,
    today: date,
    seed: int = DEFAULT_SEED,
    contracts: tuple[str, ...] | None = None,
    years: int = YEARS_OF_DATA,
) -> dict[str, pd.DataFrame]:
    """The demo bundle as DataFrames keyed by DATA.md file name; the same arguments give the same data.

    `contracts` (refs of CONTRACTS) generates only those contracts, their shares renormalised, e.g.
    `contracts=("DEMO-WP-ENG",)` puts every referral in the WP contract (the benchmarks); `years` is the
    history held before `today`. A contract keeps its own seeded stream (its position in CONTRACTS)."""
    chosen = _chosen(contracts)
    if referrals < len(chosen) * 10:
        raise ValueError(f"referrals: at least {len(chosen) * 10} needed, got {referrals}")
    if years < 1:
        raise ValueError(f"years: at least 1 needed, got {years}")
    start = data_start(today, years)
    shares = np.array([spec.share for _, spec in chosen])
    sizes = np.floor(referrals * shares / shares.sum()).astype(np.int64)
    sizes[0] += referrals - sizes.sum()
    per_contract = [
        _contract_files(number, spec, int(size), start, today, seed)
        for (number, spec), size in zip(chosen, sizes, strict=True)
    ]
    bundle = {
        "contracts.csv": _contracts(start, [spec for _, spec in chosen]),
        "organisations.csv": pd.DataFrame(
            [{"org_ref": PRIME[0], "name": PRIME[1], "kind": "PRIME", "parent_ref": ""}]
            + [
                {"org_ref": ref, "name": name, "kind": "SUBCONTRACTOR", "parent_ref": PRIME[0]}
                for ref, name in SUBCONTRACTORS
            ]
        ),
    }
    for name in ("referrals.csv", "events.csv"):
        bundle[name] = _concat_categorical([files[name] for files in per_contract])
    for name in ("mpl_profiles.csv", "validation_rounds.csv", "mpl_targets.csv"):
        parts = [files[name] for files in per_contract if name in files]
        if not parts:  # mpl_targets.csv: WP only, and optional in a bundle (DATA.md)
            continue
        frame = pd.concat(parts, ignore_index=True)
        bundle[name] = _dated(frame, "period_start", "period_end") if "period_start" in frame else frame
    return bundle


def _dated(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = _iso(frame[column].to_numpy())
    return frame


def _contracts(start: date, specs: list[ContractSpec]) -> pd.DataFrame:
    end = date(start.year + 5, start.month, 1) - timedelta(days=1)
    return pd.DataFrame(
        [
            {
                "contract_ref": spec.ref,
                "programme": spec.programme,
                "name": spec.name,
                "prime_ref": PRIME[0],
                "prime_name": PRIME[1],
                "cpa": spec.cpa,
                "nation": spec.nation,
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "year_start_month": DEFAULT_YEAR_START_MONTH,
            }
            for spec in specs
        ]
    )


def _csv_field(value) -> bytes:
    """One CSV field, quoted only when it must be (as the csv module's QUOTE_MINIMAL)."""
    if isinstance(value, float):
        text = "" if np.isnan(value) else f"{value:.2f}"
    else:
        text = str(value)
    if any(char in text for char in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text.encode()


def _write_csv(frame: pd.DataFrame, path: Path, chunk: int = 500_000) -> None:
    """Write a frame as CSV by formatting each distinct value once and gluing the rows with numpy string
    operations: several times faster than DataFrame.to_csv on millions of rows."""
    columns = []
    for name in frame.columns:
        values = frame[name].array
        if isinstance(values, pd.Categorical):
            codes, labels = values.codes, values.categories
        else:
            codes, labels = pd.factorize(values, use_na_sentinel=False)
        columns.append((np.array([_csv_field(label) for label in labels], dtype="S"), codes))
    with open(path, "wb") as out:
        out.write(b",".join(_csv_field(name) for name in frame.columns) + b"\n")
        for first in range(0, len(frame), chunk):
            lines = None
            for labels, codes in columns:
                fields = labels[codes[first : first + chunk]]
                lines = fields if lines is None else np.strings.add(np.strings.add(lines, b","), fields)
            out.write(b"\n".join(lines.tolist()) + b"\n")


def write_bundle(bundle: dict[str, pd.DataFrame], folder: Path) -> Path:
    """Write the bundle's CSV files (UTF-8, header row, ISO dates, amounts with two decimals)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in bundle.items():
        _write_csv(frame, folder / name)
    return folder
