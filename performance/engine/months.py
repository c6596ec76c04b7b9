"""Months as integers: months since 1970-01 (numpy's datetime64[M]), the engine's unit of time.

Conversions to and from dates and 'YYYY-MM' labels, the last month ended by a date (DOMAIN.md 15.8) and
the quarter ends of WP formal reviews (DOMAIN.md 8).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from participants.journey import QUARTER_END_MONTHS

# The month of a missing date: below every real month, so "month <= M" never counts it.
NO_MONTH = np.iinfo(np.int64).min


def month_of(day) -> int:
    """The month index of a date (scalar)."""
    return int(np.datetime64(day, "D").astype("datetime64[M]").astype(np.int64))


def month_label(month: int) -> str:
    return str(np.datetime64(int(month), "M"))


def parse_month(label: str) -> int:
    """'YYYY-MM' -> month index; ValueError when it does not parse."""
    if not isinstance(label, str) or len(label) != 7 or label[4] != "-":
        raise ValueError(label)
    return int(np.datetime64(label, "M").astype(np.int64))


def month_first_day(month: int) -> date:
    return np.datetime64(int(month), "M").astype("datetime64[D]").astype(date)


def month_last_day(month: int) -> date:
    return (np.datetime64(int(month) + 1, "M").astype("datetime64[D]") - 1).astype(date)


def month_indexes(days: np.ndarray) -> np.ndarray:
    """datetime64 array -> month indexes (NaT -> NO_MONTH)."""
    days = days.astype("datetime64[D]")
    out = days.astype("datetime64[M]").astype(np.int64)
    out[np.isnat(days)] = NO_MONTH
    return out


def last_ended_month(as_of: date) -> int:
    """The last calendar month that ended on or before `as_of` (DOMAIN.md 15.8)."""
    return month_of(as_of) if month_last_day(month_of(as_of)) == as_of else month_of(as_of) - 1


# --------------------------------------------------------------------------------------------------------
# Quarter ends (DOMAIN.md 8)
# --------------------------------------------------------------------------------------------------------


def is_quarter_end(month: int) -> bool:
    return month % 12 + 1 in QUARTER_END_MONTHS


def quarter_ends_between(first_month: int, last_month: int) -> list[int]:
    return [m for m in range(first_month, last_month + 1) if is_quarter_end(m)]
