"""Who a demo contract's referrals are: the referral dates (monthly cohorts on working days), groups, sites
and key workers; the referred people (date of birth, sex, disability, ethnicity, postcode district); and
the participants referred again after failing to attend. Seeded numpy over whole arrays; demo.generator
draws them in a fixed order from the contract's stream."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from participants.calendar import WorkingDayCalendar

from .columns import as_days
from .specs import CASELOAD, ESA_GROUPS, ETHNICITIES, ETHNICITY_SHARES, YOUNG_GROUPS, ContractSpec


def in_groups(spec: ContractSpec, names: tuple[str, ...]) -> np.ndarray:
    """Per group index of the contract: whether the group is one of `names`."""
    return np.isin(np.array(list(spec.groups)), names)


@dataclass(frozen=True)
class Referrals:
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


def draw_referrals(
    rng: np.random.Generator, spec: ContractSpec, n: int, start: date, today: date, cal: WorkingDayCalendar
) -> Referrals:
    dates = _referral_days(rng, n, start, today, cal)
    group_share = np.fromiter(spec.groups.values(), dtype=np.float64)
    site_share = np.array([s.share for s in spec.sites])
    sites = rng.choice(len(spec.sites), size=n, p=site_share / site_share.sum())
    per_site = np.bincount(sites, minlength=len(spec.sites))
    workers = np.clip(np.rint(per_site / CASELOAD), 3, 400).astype(np.int64)
    return Referrals(
        dates=dates,
        groups=rng.choice(len(group_share), size=n, p=group_share / group_share.sum()),
        sites=sites,
        key_workers=(rng.random(n) * workers[sites]).astype(np.int64) + 1,
        workers_per_site=workers,
    )


@dataclass
class People:
    """Who the referred people are, as codes: one row per referral, copied for re-referrals."""

    born: np.ndarray  # datetime64[D]
    male: np.ndarray  # bool
    disabled: np.ndarray  # bool
    ethnicity: np.ndarray  # index into ETHNICITIES
    district: np.ndarray  # index into the contract's postcode districts

    def copy_person(self, earlier: np.ndarray, later: np.ndarray) -> None:
        for column in (self.born, self.male, self.disabled, self.ethnicity, self.district):
            column[later] = column[earlier]  # one person, one date of birth


def draw_people(rng: np.random.Generator, spec: ContractSpec, refs: Referrals) -> People:
    n = len(refs.dates)
    young = in_groups(spec, YOUNG_GROUPS)[refs.groups]
    age_years = np.where(young, rng.integers(18, 25, size=n), rng.integers(25, 64, size=n))
    offsets = np.cumsum([0] + [len(site.postcodes) for site in spec.sites])
    return People(
        born=refs.dates - as_days(age_years * 365 + rng.integers(0, 365, size=n)),
        male=rng.random(n) < 0.56,
        disabled=in_groups(spec, ESA_GROUPS)[refs.groups] | (rng.random(n) < 0.18),
        ethnicity=rng.choice(len(ETHNICITIES), size=n, p=ETHNICITY_SHARES),
        district=offsets[refs.sites] + (rng.random(n) * np.diff(offsets)[refs.sites]).astype(np.int64),
    )


def re_referrals(
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
