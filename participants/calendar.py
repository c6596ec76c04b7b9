"""The working-day calendar (DOMAIN.md 3 and 15.20), vectorised over arrays of dates.

A working day is Monday to Friday and not a bank holiday in the contract's nation, taken from the pinned
`holidays` package (`UK` with subdivision ENG, WLS or SCT, special one-off days included).

numpy needs the holidays up front, so the calendar covers FIRST_YEAR to LAST_YEAR. A date outside those years
is an error (FlightpathError naming it), never a silent year without bank holidays; the import refuses such
dates before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import holidays
import numpy as np

from .errors import FlightpathError
from .journey import NATIONS

# Wide enough for any contract the product holds; numpy needs the holidays up front.
FIRST_YEAR, LAST_YEAR = 2000, 2045
FIRST_DAY, LAST_DAY = np.datetime64(f"{FIRST_YEAR}-01-01"), np.datetime64(f"{LAST_YEAR}-12-31")
OUTSIDE = f"outside the holiday calendar ({FIRST_YEAR} to {LAST_YEAR}): its working days are unknown"


def covered(days):
    """The days as datetime64[D] (a scalar stays a scalar), after checking every one (NaT aside) lies
    inside the calendar's years."""
    days = np.asarray(days, dtype="datetime64[D]")[()]
    known = np.atleast_1d(days)
    known = known[~np.isnat(known)]
    if known.size:
        low, high = known.min(), known.max()
        if low < FIRST_DAY or high > LAST_DAY:
            raise FlightpathError(f"{low if low < FIRST_DAY else high} is {OUTSIDE}.")
    return days


@lru_cache(maxsize=8)
def bank_holidays(nation: str) -> np.ndarray:
    """The nation's bank holidays as datetime64[D], sorted."""
    days = holidays.UK(subdiv=nation, years=range(FIRST_YEAR, LAST_YEAR + 1))
    return np.array(sorted(days.keys()), dtype="datetime64[D]")


@dataclass(frozen=True)
class WorkingDayCalendar:
    nation: str

    @property
    def busdaycal(self) -> np.busdaycalendar:
        return _busdaycal(self.nation)

    def deadline(self, start, limit):
        """'Within `limit` working days of `start`': roll start forward to a working day, then move on
        `limit` working days. Works on scalars and arrays of datetime64[D]."""
        return covered(np.busday_offset(covered(start), limit, roll="forward", busdaycal=self.busdaycal))

    def age(self, start, at):
        """Working days in [start, at): the age at `at` of an item opened on `start`."""
        return np.busday_count(covered(start), covered(at), busdaycal=self.busdaycal)

    def is_working_day(self, days):
        return np.is_busday(covered(days), busdaycal=self.busdaycal)


@lru_cache(maxsize=8)
def _busdaycal(nation: str) -> np.busdaycalendar:
    return np.busdaycalendar(weekmask="1111100", holidays=bank_holidays(nation))


def calendar_for(nation: str) -> WorkingDayCalendar:
    if nation not in NATIONS:
        expected = f"{', '.join(NATIONS[:-1])} or {NATIONS[-1]}"
        raise ValueError(f"nation: unknown nation {nation!r}; expected {expected}")
    return WorkingDayCalendar(nation)
