"""Realistic demo and scale data: a deterministic PRaP-style import bundle in the DATA.md format.

One prime with three subcontractors and five sites holds a WP contract (England), a WHP contract (Scotland,
with a devolution deal area) and a CAP contract (Wales), with about two years of journeys ending at `today`.
The figures are shaped after DOMAIN.md section 16: monthly cohorts, a 12-month cohort conversion of roughly
9-13%, most referrals resolved within the customer service standards (section 9) and a realistic share late,
working-day delays taken from participants.calendar.

Pure and vectorised: seeded numpy over whole arrays of referrals, no ORM and no loop per referral, so a
million referrals generate in seconds. `generate_bundle` sets up each contract (its terms: profiles,
validation rounds, targets) and assembles the files as DataFrames from who is referred (demo.cohorts), what
happens to them (demo.journeys) and their names (demo.names); demo.csv_files writes them as the CSV files
DATA.md names. The bundle respects every import rule of DATA.md: one resolution event per referral, no
event before its referral date or after `today`, no duplicate key, only the programme's groups and the
event codes of DOMAIN.md section 4. The contracts and the distributions drawn from are data, in demo.specs.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from participants.calendar import calendar_for
from participants.journey import DEFAULT_YEAR_START_MONTH

from .cohorts import Referrals, draw_people, draw_referrals, re_referrals
from .columns import categorical, concat_categorical, date_column, iso, numbered
from .journeys import draw_journeys
from .names import person_columns
from .specs import (
    CODES,
    CONTRACTS,
    DEFAULT_REFERRALS,
    DEFAULT_SEED,
    DETAILS,
    ETHNICITIES,
    PRIME,
    SUBCONTRACTORS,
    YEARS_OF_DATA,
    ContractSpec,
)


def key_worker_ref(site_ref: str, number: int) -> str:
    """A key worker works at one site, so belongs to its organisation: DEMO-PRIME-LEEDS-KW01."""
    return f"{site_ref}-KW{number:02d}"


def data_start(today: date, years: int = YEARS_OF_DATA) -> date:
    """First day of the month `years` years before today's month: the demo contracts' start."""
    return date(today.year - years, today.month, 1)


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


def _targets(spec: ContractSpec, refs: Referrals, today: date) -> pd.DataFrame:
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


def _contract_files(
    number: int, spec: ContractSpec, size: int, start: date, today: date, seed: int
) -> dict[str, pd.DataFrame]:
    """One contract's referrals, events, profiles, rounds and targets; its own seeded stream, so one
    contract's data does not depend on the others'."""
    rng = np.random.default_rng([seed, number])
    cal = calendar_for(spec.nation)
    refs = draw_referrals(rng, spec, size, start, today, cal)
    rounds = _validation_rounds(rng, spec.ref, start, today)
    ev_rows, ev_codes, ev_dates, ev_amounts, ev_details = draw_journeys(rng, spec, refs, today, cal, rounds)
    referral_refs = numbered(spec.programme, np.arange(1, size + 1))
    people = draw_people(rng, spec, refs)
    persons = np.arange(size)
    earlier, later = re_referrals(rng, np.unique(ev_rows[ev_codes == CODES.index("FAILED_TO_ATTEND")]), size)
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
                "contract_ref": categorical([spec.ref], np.zeros(size)),
                "referral_ref": referral_refs,
                "participant_ref": numbered(f"P{spec.programme}", persons + 1),
                "referral_date": date_column(refs.dates),
                "group": categorical(list(spec.groups), refs.groups),
                "delivery_org_ref": categorical([site.org_ref for site in spec.sites], refs.sites),
                "site_ref": categorical([site.ref for site in spec.sites], refs.sites),
                "key_worker": categorical(kw_refs, kw_first[refs.sites] + refs.key_workers - 1),
                "date_of_birth": date_column(people.born),
                "gender": categorical(["F", "M"], people.male),
                "disability": categorical(["N", "Y"], people.disabled),
                "ethnicity": categorical(list(ETHNICITIES), people.ethnicity),
                "postcode_district": categorical(
                    [code for site in spec.sites for code in site.postcodes], people.district
                ),
                "dda": categorical([site.dda for site in spec.sites], refs.sites),
                **person_columns(rng, people.male, persons, number),
            }
        ),
        "events.csv": pd.DataFrame(
            {
                "contract_ref": categorical([spec.ref], np.zeros(len(ev_rows))),
                "referral_ref": categorical(list(referral_refs), ev_rows),
                "event": categorical(list(CODES), ev_codes),
                "event_date": date_column(ev_dates),
                "amount": categorical(["", *(f"{amount:.2f}" for amount in amounts[1:])], amount_codes),
                "detail": categorical(list(DETAILS), ev_details),
            }
        ),
        "mpl_profiles.csv": _profiles(spec),
        "validation_rounds.csv": rounds,
    }
    if spec.programme == "WP":
        files["mpl_targets.csv"] = _targets(spec, refs, today)
    return files


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
        bundle[name] = concat_categorical([files[name] for files in per_contract])
    for name in ("mpl_profiles.csv", "validation_rounds.csv", "mpl_targets.csv"):
        parts = [files[name] for files in per_contract if name in files]
        if not parts:  # mpl_targets.csv: WP only, and optional in a bundle (DATA.md)
            continue
        frame = pd.concat(parts, ignore_index=True)
        bundle[name] = _dated(frame, "period_start", "period_end") if "period_start" in frame else frame
    return bundle


def _dated(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = iso(frame[column].to_numpy())
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
