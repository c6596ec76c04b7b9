"""The working-day calendar (DOMAIN.md 3 and 15.20), vectorised over arrays of dates.

A working day is Monday to Friday and not a bank holiday in the contract's nation, taken from the pinned
`holidays` package (`UK` with subdivision ENG, WLS or SCT, special one-off days included).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import holidays
import numpy as np

from .journey import NATIONS

# Wide enough for any contract the product holds; numpy needs the holidays up front.
FIRST_YEAR, LAST_YEAR = 2000, 2045


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
        return np.busday_offset(
            np.asarray(start, dtype="datetime64[D]"), limit, roll="forward", busdaycal=self.busdaycal
        )

    def age(self, start, at):
        """Working days in [start, at): the age at `at` of an item opened on `start`."""
        return np.busday_count(
            np.asarray(start, dtype="datetime64[D]"), np.asarray(at, dtype="datetime64[D]"),
            busdaycal=self.busdaycal,
        )

    def is_working_day(self, days):
        return np.is_busday(np.asarray(days, dtype="datetime64[D]"), busdaycal=self.busdaycal)


@lru_cache(maxsize=8)
def _busdaycal(nation: str) -> np.busdaycalendar:
    return np.busdaycalendar(weekmask="1111100", holidays=bank_holidays(nation))


def calendar_for(nation: str) -> WorkingDayCalendar:
    if nation not in NATIONS:
        expected = f"{', '.join(NATIONS[:-1])} or {NATIONS[-1]}"
        raise ValueError(f"nation: unknown nation {nation!r}; expected {expected}")
    return WorkingDayCalendar(nation)
