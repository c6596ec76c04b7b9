"""The bundle's error list and the checks of one column (DATA.md import rules): required values, dates,
numbers, choices and duplicate keys.

Each check is vectorised over a frame and adds its bad rows to `Errors` as frames; Python formats only the
first MAX_MESSAGES messages, when `Errors.raise_if_any` rejects the bundle with `BundleRejected`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import people
from ..calendar import FIRST_DAY, LAST_DAY, OUTSIDE
from ..errors import FlightpathError
from .reading import per_unique
from .specs import SPECS

MAX_MESSAGES = 100


class BundleRejected(FlightpathError):
    """The bundle has bad rows; nothing was written. `errors` holds the first MAX_MESSAGES messages."""

    def __init__(self, errors: list[str], error_count: int):
        more = f"\n... and {error_count - len(errors)} more errors" if error_count > len(errors) else ""
        super().__init__(f"The bundle was rejected ({error_count} errors):\n" + "\n".join(errors) + more)
        self.errors = errors
        self.error_count = error_count


def _reasons(reason, rows: pd.DataFrame):
    """One reason for every bad row: a string, a Series aligned with the whole frame, or a function of the
    bad rows (so a message that needs formatting is built for the bad rows only)."""
    if callable(reason):
        reason = reason(rows)
    if isinstance(reason, pd.Series):
        return reason.loc[rows.index].to_numpy()
    return reason


class Errors:
    """Bad rows collected as frames (file, line, field, reason, value); formatted only at the end."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(
        self, name: str, frame: pd.DataFrame, mask, column: str, reason, show_value: bool = False
    ) -> None:
        """`reason` is one string or a Series aligned with `frame` (only the masked rows are kept)."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        rows = frame.loc[mask]
        value = rows[column].astype(str).to_numpy() if show_value and column in rows else None
        self.parts.append(
            pd.DataFrame(
                {
                    "order": list(SPECS).index(name) if name in SPECS else -1,
                    "file": name,
                    "line": rows["line"].to_numpy(),
                    "field": column,
                    "reason": _reasons(reason, rows),
                    "value": value,
                }
            )
        )

    def add_one(self, name: str, line: int, column: str, reason: str) -> None:
        self.parts.append(
            pd.DataFrame(
                {
                    "order": [list(SPECS).index(name) if name in SPECS else -1],
                    "file": [name],
                    "line": [line],
                    "field": [column],
                    "reason": [reason],
                    "value": [None],
                }
            )
        )

    def raise_if_any(self) -> None:
        if not self.parts:
            return
        table = pd.concat(self.parts, ignore_index=True).sort_values(["order", "file", "line"], kind="stable")
        messages = [
            f"{row.file}:{row.line}: {row.field}: {row.reason}"
            + (f": {row.value!r}" if isinstance(row.value, str) else "")
            for row in table.head(MAX_MESSAGES).itertuples(index=False)
        ]
        raise BundleRejected(messages, len(table))


def dates(
    errors: Errors, name: str, frame: pd.DataFrame, column: str, required: bool = True, calendar: bool = True
) -> pd.Series:
    """Parse ISO dates; each distinct string is parsed once (a million events hold a few thousand dates).
    A date the working-day calendar will count from (`calendar`: every journey and contract date, not a
    date of birth) must lie inside the calendar's years."""
    codes, uniques = pd.factorize(frame[column], sort=False)
    parsed = pd.to_datetime(pd.Series(uniques, dtype=object), format="%Y-%m-%d", errors="coerce")
    values = parsed.to_numpy(dtype="datetime64[s]")[codes] if len(uniques) else np.array([], "datetime64[s]")
    result = pd.Series(values, index=frame.index, dtype="datetime64[s]")
    empty = frame[column] == ""
    if required:
        errors.add(name, frame, empty, column, "required value missing")
    errors.add(
        name, frame, result.isna() & ~empty, column, "not a date (expected YYYY-MM-DD)", show_value=True
    )
    if calendar:
        outside = (result < FIRST_DAY) | (result > LAST_DAY)
        errors.add(name, frame, outside.fillna(False), column, OUTSIDE, show_value=True)
    return result


def numbers(
    errors: Errors,
    name: str,
    frame: pd.DataFrame,
    column: str,
    *,
    low: float,
    high: float,
    integer: bool = False,
    required: bool = True,
) -> pd.Series:
    raw = frame[column]
    empty = raw == ""
    pattern = r"[+-]?\d+" if integer else r"[+-]?(\d+\.?\d*|\.\d+)"
    kind = "not a whole number" if integer else "not a number"
    number = per_unique(
        raw,
        lambda values: pd.to_numeric(
            values.where(values.str.fullmatch(pattern).fillna(False).astype(bool), ""), errors="coerce"
        ),
    )
    if required:
        errors.add(name, frame, empty, column, "required value missing")
    bad = number.isna() & ~empty
    errors.add(name, frame, bad, column, kind, show_value=True)
    errors.add(
        name,
        frame,
        number.notna() & (number < low),
        column,
        f"must be at least {_bound(low)}",
        show_value=True,
    )
    errors.add(
        name,
        frame,
        number.notna() & (number > high),
        column,
        f"must be at most {_bound(high)}",
        show_value=True,
    )
    return number


def _bound(value: float) -> str:
    """A bound as a person reads it: 0, 12, 10,000,000,000, 0.5."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def required(errors: Errors, name: str, frame: pd.DataFrame, columns) -> None:
    for column in columns:
        errors.add(name, frame, frame[column] == "", column, "required value missing")


# C0 controls, DEL and C1 controls (tab, carriage return and line feed among them).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def control_characters(errors: Errors, name: str, frame: pd.DataFrame, column: str) -> None:
    """A reference holds no control character (issue 10): one reaching a page, an export, a log line or a
    terminal could hide or forge what is shown. The reason names the first one by its code point."""
    values = frame[column]
    # A control character is never printable: one C-speed test over the column joined (0.1 s for 1.5 million
    # references), and the regular expression row by row only when something in it is not printable.
    if "".join(values.tolist()).isprintable():
        return
    found = per_unique(values, lambda unique: unique.str.extract(f"({CONTROL.pattern})", expand=False))

    def reason(rows: pd.DataFrame) -> pd.Series:
        codes = found[rows.index].map(lambda character: f"U+{ord(character):04X}")
        return "control character " + codes + " in a reference"

    errors.add(name, frame, found.notna(), column, reason, show_value=True)


def choice(errors: Errors, name: str, frame: pd.DataFrame, column: str, allowed, what: str) -> None:
    allowed = sorted(allowed)
    errors.add(
        name,
        frame,
        ~frame[column].isin(allowed) & (frame[column] != ""),
        column,
        f"unknown {what} (expected one of {', '.join(allowed)})",
        show_value=True,
    )


def duplicates(
    errors: Errors, name: str, frame: pd.DataFrame, key: list[str], valid=None, field_name: str | None = None
) -> np.ndarray:
    """Flag every repeat of a key after its first row, naming that first line."""
    candidates = frame if valid is None else frame.loc[np.asarray(valid, dtype=bool)]
    repeated = candidates.duplicated(key, keep=False)
    if not repeated.any():
        return np.zeros(len(frame), dtype=bool)
    rows = candidates.loc[repeated]
    first_line = rows.groupby(key, sort=False)["line"].transform("min")
    later = rows["line"] != first_line
    mask = frame.index.isin(rows.index[later.to_numpy()])
    reason = pd.Series("", index=frame.index, dtype=object)
    reason.loc[rows.index] = "duplicate key, first given on line " + first_line.astype(str)
    errors.add(name, frame, mask, field_name or key[-1], reason)
    return mask


def join_keys(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One string per row joining `columns` (a compact join key for Index.get_indexer)."""
    result = frame[columns[0]].astype(str)
    for column in columns[1:]:
        result = result + "\x1f" + frame[column].astype(str)
    return result


EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE = r"^\+?[0-9][0-9 ()-]{5,28}[0-9]$"


def person(errors: Errors, name: str, frame: pd.DataFrame) -> pd.Series:
    """The participant's contact columns (DATA.md referrals.csv): a National Insurance number in HMRC's
    format, an email address, a telephone number; empty is allowed (it clears the value). Returns the NINOs
    normalised (upper case, no spaces). A bad NINO is never quoted back: error lists are kept and shown."""
    nino = frame["nino"]
    if nino.any():  # each check only when the column holds something (a bundle without them: no cost)
        nino = per_unique(nino, lambda unique: unique.str.replace(r"\s+", "", regex=True).str.upper())
        bad = (nino != "") & ~nino.str.match(people.NINO.pattern)
        errors.add(name, frame, bad, "nino", people.NINO_REASON)
    for column, pattern, reason in (
        ("email", EMAIL, "not an email address"),
        ("phone", PHONE, "not a telephone number (digits, spaces, brackets, hyphens, a leading +)"),
    ):
        values = frame[column]
        if values.any():
            errors.add(name, frame, (values != "") & ~values.str.match(pattern), column, reason)
    return nino
