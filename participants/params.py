"""Parsing of request parameters, for every page and MI API endpoint: one function per kind of parameter and
the one set of 400 messages (DATA.md: "a 400 with a message naming the field").

Each function takes the raw query-string value (None or "" when it was not given) and returns the parsed
value or raises FlightpathError with `field` set: the API answers `{field: [message]}`
(participants.api.errors), a page shows `error_text(error)`. Messages name the value and what was
expected, not the field, since the field travels beside them. Plain Python, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from .errors import FlightpathError
from .journey import ALL, QUARTER_END_MONTHS

MONTH_RE = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
ID_RE = re.compile(r"[1-9][0-9]{0,17}", re.ASCII)  # a positive bigint


def error_text(error: FlightpathError) -> str:
    """A parameter error as a page shows it: the field, then the message."""
    return f"{error.field}: {error.message}" if error.field else error.message


def _required(field: str, expected: str) -> FlightpathError:
    return FlightpathError(f"This parameter is required ({expected}).", field=field)


def parse_date(value: str | None, *, field: str, required: bool = False) -> date | None:
    """An ISO date (YYYY-MM-DD); None when not given and not required."""
    if not value:
        if required:
            raise _required(field, "YYYY-MM-DD")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FlightpathError(f"{value!r} is not a date (YYYY-MM-DD).", field=field) from None


def parse_window(
    start: str | None, end: str | None, *, fields: tuple[str, str] = ("window_start", "window_end")
) -> tuple[date | None, date | None]:
    """Two optional dates bounding a window; the end may not be before the start."""
    low, high = parse_date(start, field=fields[0]), parse_date(end, field=fields[1])
    if low and high and high < low:
        raise FlightpathError(f"{fields[1]} is before {fields[0]}.", field=fields[1])
    return low, high


def parse_month(value: str | None, *, field: str = "month", contract_start: date | None = None) -> date:
    """A month (YYYY-MM, required) as its first day; with `contract_start`, not before the contract's first
    month (DOMAIN.md 15.7)."""
    if not value:
        raise _required(field, "YYYY-MM")
    match = MONTH_RE.fullmatch(value)
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise FlightpathError(f"{value!r} is not a month (YYYY-MM).", field=field)
    month = date(int(match[1]), int(match[2]), 1)
    if contract_start is not None and month < contract_start.replace(day=1):
        raise FlightpathError(f"{value} is before the contract start ({contract_start:%Y-%m}).", field=field)
    return month


def require_quarter_end(month: date, *, field: str) -> date:
    """`month` (its first day), when it ends a WP review quarter (DOMAIN.md 8)."""
    if month.month not in QUARTER_END_MONTHS:
        raise FlightpathError("A quarter ends in March, June, September or December.", field=field)
    return month


def parse_quarter_end(value: str | None, *, field: str = "quarter_end", contract_start: date) -> date:
    """A quarter-end month (YYYY-MM, required) as its first day."""
    return require_quarter_end(parse_month(value, field=field, contract_start=contract_start), field=field)


def parse_choice(value: str | None, choices: Sequence[str], *, field: str, default: str | None = None) -> str:
    """One of `choices` (periods, drill-down measures); `default` when not given, if there is one."""
    value = value or default
    if value not in choices:
        raise FlightpathError(
            f"Unknown {field} {value or ''!r}; expected one of {', '.join(choices)}.", field=field
        )
    return value


def parse_group(
    value: str | None,
    *,
    groups: Sequence[str],
    programme: str,
    kind: str = "group",
    default: str | None = ALL,
) -> str:
    """One of `groups` (a programme's report groups, ALL first, or its measured groups: `kind` says which);
    `default` when not given, if there is one (DOMAIN.md 15.15: the valid groups are listed)."""
    value = value or default
    if value not in groups:
        raise FlightpathError(
            f"{value or ''!r} is not a {kind} of {programme}; valid groups: {', '.join(groups)}.",
            field="group",
        )
    return value


def parse_bool(value: str | None, *, field: str, default: bool = False) -> bool:
    """true or false (any case); `default` when not given."""
    if not value:
        return default
    if value.lower() not in ("true", "false"):
        raise FlightpathError("Expected true or false.", field=field)
    return value.lower() == "true"


def parse_id(value: str | None, *, field: str) -> int | None:
    """A row's id, as a page's links and forms carry it (`?record=12`); None when not given."""
    if not value:
        return None
    if not ID_RE.fullmatch(value):
        raise FlightpathError(f"{value!r} is not a record number.", field=field)
    return int(value)
