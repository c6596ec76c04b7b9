"""Journey rules shared by the engines, as plain data (no Django): DOMAIN.md section 4.

A referral has at most one resolution event; the engines, given more than one anyway, count the first
by date, and on the same date the first in this order.

The constants below it are the journey's other shared values, each defined here only: models, the import,
the engines, the demo and the pages take them from this module.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

RESOLUTION_CODES: tuple[str, ...] = ("STARTED", "DID_NOT_START", "FAILED_TO_ATTEND")

# Every group at once (DOMAIN.md 15.15): reports lead with it, and it is CAP's only group.
ALL = "ALL"

# The nations whose bank holidays make the working days (DOMAIN.md 3, 15.20): contracts.csv `nation`.
ENGLAND, WALES, SCOTLAND = "ENG", "WLS", "SCT"
NATIONS: tuple[str, ...] = (ENGLAND, WALES, SCOTLAND)

# A contract year starts in April unless the contract says otherwise (DOMAIN.md 2, 15.7; DATA.md).
DEFAULT_YEAR_START_MONTH = 4

# WP formal quarterly reviews fall at the ends of these months (DOMAIN.md 8).
QUARTER_END_MONTHS: tuple[int, ...] = (3, 6, 9, 12)


def report_groups(groups: Iterable[str]) -> tuple[str, ...]:
    """ALL first, then the programme's own groups (CAP's only group is ALL itself, DOMAIN.md 15.15)."""
    return (ALL, *[g for g in groups if g != ALL])


def rounded(value: float | Fraction | None) -> float | None:
    """A figure as shown, in the API and on pages (DOMAIN.md 15.16): half-to-even to 2 places on its exact
    value: a Fraction (a percentage of counts) exactly, a float on its binary value (Python's round, as the
    worked examples). None or NaN -> None (no figure)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        return float(round(value, 2))
    value = float(value)
    return None if math.isnan(value) else round(value, 2)
