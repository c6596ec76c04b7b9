"""The regime's date rules (DOMAIN.md 17.3-17.5), pure: plain dates in, plain dates out, no ORM."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """'D + N months' (DOMAIN.md 17): the same day N calendar months on, or that month's last day when it has
    no such day (31 May + 6 months = 30 November)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def month_last_day(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def epr_dates(started_on: dt.date) -> tuple[dt.date, dt.date]:
    """(review due, ends on) of an EPR allocated on `started_on` (17.3): D + 3 months, D + 6 months."""
    return add_months(started_on, 3), add_months(started_on, 6)


def default_remedy_end(quarter_end: dt.date) -> dt.date:
    """The quarter end two quarters after Q (17.4): Q March 2025 -> September 2025 (first days of months)."""
    return add_months(quarter_end.replace(day=1), 6)


def is_quarter_end(month: dt.date) -> bool:
    """WP quarterly reviews fall at the ends of March, June, September and December (DOMAIN.md 8)."""
    return month.month % 3 == 0


def pin_blocks(*, open_remedy_ends: list[dt.date], decided_on: dt.date) -> dt.date | None:
    """17.4: a second PIN on a group is refused while one is OPEN and D is on or before the last day of its
    remedy_end month. Returns that last day of the blocking PIN, or None when a PIN may be issued."""
    blocking = [month_last_day(end) for end in open_remedy_ends if decided_on <= month_last_day(end)]
    return max(blocking) if blocking else None


def remedy_over(*, remedy_end: dt.date, on: dt.date) -> bool:
    """The remedy period has ended on `on` (its last month is over): a PIN may be lifted or escalated."""
    return on > month_last_day(remedy_end)
