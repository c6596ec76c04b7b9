"""Reading and validating an import bundle (DATA.md "Import bundle"; DOMAIN.md 4 and 15.17).

Pure: files in, DataFrames out, no database. `read_bundle` reads a folder or a .zip into string frames (with
each row's line number); `validate_bundle` checks the WHOLE bundle against what the database already holds
(given as a `KnownState`) and returns typed frames, or raises `BundleRejected` listing every bad row as
`file:line: field: reason`. Every check is vectorised over the frames; Python only formats the first
`MAX_MESSAGES` messages.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import FlightpathError
from ..journey import ALL, DEFAULT_YEAR_START_MONTH, NATIONS, RESOLUTION_CODES
from ..models import EventCode, PeerSupportGroup

MAX_MESSAGES = 100
EVENT_CODES = frozenset(EventCode.values) - {EventCode.REFERRED}  # REFERRED is implicit in referrals.csv
PSG_VALUES = frozenset(PeerSupportGroup.values)
JOB_OUTCOME_DETAILS = frozenset({"", "self_employed"})
PROGRAMME_RE = r"[A-Z0-9_]+"


@dataclass(frozen=True)
class FileSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    max_lengths: dict[str, int] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


# DATA.md, in the order files are validated, reported and written. Lengths are the model fields'.
SPECS: dict[str, FileSpec] = {
    spec.name: spec
    for spec in (
        FileSpec(
            "contracts.csv",
            (
                "contract_ref",
                "programme",
                "name",
                "prime_ref",
                "prime_name",
                "cpa",
                "nation",
                "start_date",
                "end_date",
            ),
            ("year_start_month",),
            key=("contract_ref",),
            max_lengths={"contract_ref": 50, "name": 200, "prime_ref": 50, "prime_name": 200, "cpa": 50},
        ),
        FileSpec(
            "organisations.csv",
            ("org_ref", "name", "kind", "parent_ref"),
            key=("org_ref",),
            max_lengths={"org_ref": 50, "name": 200},
        ),
        FileSpec(
            "referrals.csv",
            ("contract_ref", "referral_ref", "participant_ref", "referral_date", "group"),
            (
                "delivery_org_ref",
                "site_ref",
                "key_worker",
                "date_of_birth",
                "gender",
                "disability",
                "ethnicity",
                "postcode_district",
                "dda",
            ),
            key=("contract_ref", "referral_ref"),
            max_lengths={
                "referral_ref": 50,
                "participant_ref": 50,
                "site_ref": 50,
                "key_worker": 80,
                "gender": 20,
                "disability": 20,
                "ethnicity": 50,
                "postcode_district": 10,
                "dda": 50,
            },
        ),
        FileSpec(
            "events.csv",
            ("contract_ref", "referral_ref", "event", "event_date"),
            ("amount", "detail"),
            key=("contract_ref", "referral_ref", "event", "event_date"),
            max_lengths={"detail": 100},
        ),
        FileSpec(
            "mpl_profiles.csv",
            ("contract_ref", "group", "month", "cumulative_pct"),
            key=("contract_ref", "group", "month"),
        ),
        FileSpec(
            "validation_rounds.csv",
            ("contract_ref", "round", "period_start", "period_end", "invalid_pct", "status"),
            key=("contract_ref", "round"),
        ),
        FileSpec(
            "mpl_targets.csv",
            ("contract_ref", "group", "period_start", "period_end", "required_outcomes"),
            key=("contract_ref", "group", "period_start", "period_end"),
        ),
    )
}
REQUIRED_FILES = ("referrals.csv", "events.csv")  # DATA.md: the rest only when the contract is new


class BundleRejected(FlightpathError):
    """The bundle has bad rows; nothing was written. `errors` holds the first MAX_MESSAGES messages."""

    def __init__(self, errors: list[str], error_count: int):
        more = f"\n... and {error_count - len(errors)} more errors" if error_count > len(errors) else ""
        super().__init__(f"The bundle was rejected ({error_count} errors):\n" + "\n".join(errors) + more)
        self.errors = errors
        self.error_count = error_count


@dataclass
class RawBundle:
    """The bundle's files as string frames (a `line` column added) and their SHA-256 checksums."""

    source: str
    frames: dict[str, pd.DataFrame]
    checksums: dict[str, str]
    read_errors: list[tuple[str, int, str, str]]

    def contract_refs(self) -> list[str]:
        refs: set[str] = set()
        for frame in self.frames.values():
            if "contract_ref" in frame:
                refs.update(frame["contract_ref"].unique())
        return sorted(ref for ref in refs if ref)


@dataclass
class KnownState:
    """What the database holds that the bundle may refer to (loaded by the service).

    programmes: code -> its groups. contracts: contract_ref, programme. organisations: org_ref,
    kind. referrals: contract_ref, referral_ref, referral_date (datetime64[s]) of the bundle's contracts.
    resolutions: contract_ref, referral_ref, code, event_date of those referrals' resolution events.
    """

    programmes: dict[str, list[str]]
    contracts: pd.DataFrame
    organisations: pd.DataFrame
    referrals: pd.DataFrame
    resolutions: pd.DataFrame

    @classmethod
    def empty(cls, programmes: dict[str, list[str]]) -> KnownState:
        return cls(
            programmes=programmes,
            contracts=pd.DataFrame({c: pd.Series(dtype=str) for c in ("contract_ref", "programme")}),
            organisations=pd.DataFrame({"org_ref": pd.Series(dtype=str), "kind": pd.Series(dtype=str)}),
            referrals=pd.DataFrame(
                {
                    "contract_ref": pd.Series(dtype=str),
                    "referral_ref": pd.Series(dtype=str),
                    "referral_date": pd.Series(dtype="datetime64[s]"),
                }
            ),
            resolutions=pd.DataFrame(
                {
                    "contract_ref": pd.Series(dtype=str),
                    "referral_ref": pd.Series(dtype=str),
                    "code": pd.Series(dtype=str),
                    "event_date": pd.Series(dtype="datetime64[s]"),
                }
            ),
        )


@dataclass
class ValidBundle:
    """Validated frames keyed by file name: `frames` as the file's (stripped) strings with their `line`,
    `typed` with dates and numbers parsed. `present` lists the optional columns each file had."""

    frames: dict[str, pd.DataFrame]
    typed: dict[str, pd.DataFrame]
    present: dict[str, tuple[str, ...]]
    checksums: dict[str, str]
    contract_refs: list[str]


# ---------------------------------------------------------------------------------------------- reading


def read_bundle(path: str | Path, *, max_bytes: int | None = None) -> RawBundle:
    """Read a bundle folder or .zip. Unknown .csv names and unreadable files are errors, reported with the
    rest by validate_bundle. A .zip whose files would unpack to more than `max_bytes` is refused before
    anything is unpacked (a zip bomb never reaches memory)."""
    path = Path(path)
    if path.is_dir():
        blobs = {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file() and p.suffix == ".csv"}
    elif path.is_file() and zipfile.is_zipfile(path):
        blobs = {}
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if max_bytes is not None and unpacked > max_bytes:
                raise FlightpathError(
                    f"{path.name}: unpacks to {unpacked:,} bytes, more than the limit of {max_bytes:,}",
                    field="bundle",
                )
            for info in archive.infolist():
                name = Path(info.filename).name
                if info.is_dir() or not name.endswith(".csv") or "__MACOSX" in info.filename:
                    continue
                if name in blobs:
                    raise FlightpathError(f"{name}: appears twice in the zip", field="bundle")
                blobs[name] = archive.read(info)
    else:
        raise FlightpathError(f"{path}: not a folder or a .zip file", field="bundle")
    frames, errors = {}, []
    for name, blob in blobs.items():
        if name not in SPECS:
            errors.append((name, 1, "file", f"unknown file (expected one of {', '.join(SPECS)})"))
            continue
        frame, problem = _read_csv(blob)
        if problem:
            errors.append((name, problem[0], problem[1], problem[2]))
        else:
            frames[name] = frame
    for name in REQUIRED_FILES:
        if name not in blobs:
            errors.append((name, 1, "file", "required file missing"))
    checksums = {name: hashlib.sha256(blob).hexdigest() for name, blob in blobs.items()}
    return RawBundle(source=str(path), frames=frames, checksums=checksums, read_errors=errors)


def _read_csv(blob: bytes) -> tuple[pd.DataFrame | None, tuple[int, str, str] | None]:
    """One CSV file as strings (stripped, "" for empty) plus its `line` number; or the problem."""
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = blob[: exc.start].count(b"\n") + 1
        return None, (line, "file", "not UTF-8 text")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.EmptyDataError:
        return None, (1, "file", "empty file (a header row is required)")
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            return None, (int(found[2]), "row", f"expected {found[1]} fields, saw {found[3]}")
        return None, (1, "file", f"not a readable CSV file ({exc})")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.fillna("")
    # Substring tests over the text are far cheaper than stripping or comparing a million values.
    spaced = " " in text or "\t" in text
    if spaced:
        for column in frame.columns:
            frame[column] = _per_unique(frame[column], lambda values: values.str.strip())
    # Line numbers count the header as line 1; blank lines keep their number but hold no row.
    lines = _record_lines(text) if QUOTED_BREAK.search(text) else None
    ok = lines is not None and len(lines) == len(frame)
    frame["line"] = lines if ok else np.arange(2, len(frame) + 2, dtype="int64")
    if spaced or "\n\n" in text or "\n\r\n" in text or "\n," in text:
        blank = (frame.drop(columns="line") == "").all(axis=1)
        frame = frame.loc[~blank].reset_index(drop=True)
    return frame, None


# A quoted field that may hold a line break (a cheap test: it can match across two quoted fields, which only
# sends the file down the exact path below).
QUOTED_BREAK = re.compile(r'"[^"]*[\r\n]')


def _record_lines(text: str) -> np.ndarray:
    """The line each record after the header starts on, as an editor numbers them: a quoted field holding a
    line break makes its record span several lines. A Python pass over the rows, taken only by files with
    such fields (csv.reader's line_num is the last line of the record just read)."""
    reader = csv.reader(io.StringIO(text))
    starts, previous = [], 0
    for _record in reader:
        starts.append(previous + 1)
        previous = reader.line_num
    return np.array(starts[1:], dtype="int64")


def _per_unique(series: pd.Series, function) -> pd.Series:
    """Apply a string function to each distinct value once: extract columns repeat few values many times."""
    codes, uniques = pd.factorize(series, sort=False)
    mapped = function(pd.Series(uniques, dtype=object))
    return pd.Series(mapped.to_numpy()[codes] if len(uniques) else [], index=series.index, dtype=mapped.dtype)


# ------------------------------------------------------------------------------------------- validating


def _reasons(reason, rows: pd.DataFrame):
    """One reason for every bad row: a string, a Series aligned with the whole frame, or a function of the
    bad rows (so a message that needs formatting is built for the bad rows only)."""
    if callable(reason):
        reason = reason(rows)
    if isinstance(reason, pd.Series):
        return reason.loc[rows.index].to_numpy()
    return reason


class _Errors:
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


def _dates(errors: _Errors, name: str, frame: pd.DataFrame, column: str, required: bool = True) -> pd.Series:
    """Parse ISO dates; each distinct string is parsed once (a million events hold a few thousand dates)."""
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
    return result


def _numbers(
    errors: _Errors,
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
    number = _per_unique(
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
        number.notna() & ((number < low) | (number > high)),
        column,
        f"out of range ({low:g} to {high:g})",
        show_value=True,
    )
    return number


def _required(errors: _Errors, name: str, frame: pd.DataFrame, columns) -> None:
    for column in columns:
        errors.add(name, frame, frame[column] == "", column, "required value missing")


def _choice(errors: _Errors, name: str, frame: pd.DataFrame, column: str, allowed, what: str) -> None:
    allowed = sorted(allowed)
    errors.add(
        name,
        frame,
        ~frame[column].isin(allowed) & (frame[column] != ""),
        column,
        f"unknown {what} (expected one of {', '.join(allowed)})",
        show_value=True,
    )


def _duplicates(
    errors: _Errors, name: str, frame: pd.DataFrame, key: list[str], valid=None, field_name: str | None = None
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


def _keys(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """One string per row joining `columns` (a compact join key for Index.get_indexer)."""
    result = frame[columns[0]].astype(str)
    for column in columns[1:]:
        result = result + "\x1f" + frame[column].astype(str)
    return result


def validate_bundle(raw: RawBundle, known: KnownState) -> ValidBundle:
    """Check the whole bundle (DATA.md import rules); return typed frames or raise BundleRejected."""
    errors = _Errors()
    for name, line, column, reason in raw.read_errors:
        errors.add_one(name, line, column, reason)
    frames: dict[str, pd.DataFrame] = {}
    present: dict[str, tuple[str, ...]] = {}
    for name, frame in raw.frames.items():
        spec = SPECS[name]
        missing = [c for c in spec.required if c not in frame.columns]
        for column in missing:
            errors.add_one(name, 1, column, "missing required column")
        if missing:
            continue
        present[name] = tuple(c for c in spec.optional if c in frame.columns)
        frame = frame.copy()
        for column in spec.optional:
            if column not in frame.columns:
                frame[column] = ""
        frames[name] = frame[[*spec.columns, "line"]]
        for column, limit in spec.max_lengths.items():
            errors.add(
                name, frame, frame[column].str.len() > limit, column, f"longer than {limit} characters"
            )
    typed = _check_rows(errors, frames, known)
    errors.raise_if_any()
    return ValidBundle(
        frames=frames,
        typed=typed,
        present=present,
        checksums=raw.checksums,
        contract_refs=raw.contract_refs(),
    )


def _check_rows(
    errors: _Errors, frames: dict[str, pd.DataFrame], known: KnownState
) -> dict[str, pd.DataFrame]:
    typed: dict[str, pd.DataFrame] = {}

    # organisations.csv: kind and parent (DOMAIN.md 2: a subcontractor has a parent prime).
    org_kinds = dict(zip(known.organisations["org_ref"], known.organisations["kind"], strict=True))
    if (orgs := frames.get("organisations.csv")) is not None:
        name = "organisations.csv"
        _required(errors, name, orgs, ["org_ref", "name", "kind"])
        _choice(errors, name, orgs, "kind", ("PRIME", "SUBCONTRACTOR"), "organisation kind")
        _duplicates(errors, name, orgs, ["org_ref"])
        org_kinds.update(zip(orgs["org_ref"], orgs["kind"], strict=True))
        has_parent = orgs["parent_ref"] != ""
        errors.add(
            name,
            orgs,
            has_parent & ~orgs["parent_ref"].isin(list(org_kinds)),
            "parent_ref",
            "unknown organisation",
            show_value=True,
        )
        errors.add(
            name,
            orgs,
            has_parent & (orgs["parent_ref"] == orgs["org_ref"]),
            "parent_ref",
            "an organisation cannot be its own parent",
        )
        errors.add(
            name,
            orgs,
            ~has_parent & (orgs["kind"] == "SUBCONTRACTOR"),
            "parent_ref",
            "required for a subcontractor",
        )
        typed[name] = orgs

    # contracts.csv: programme, nation, dates, contract year start month (DOMAIN.md 2, 15.7).
    programmes = dict(zip(known.contracts["contract_ref"], known.contracts["programme"], strict=True))
    if (contracts := frames.get("contracts.csv")) is not None:
        name = "contracts.csv"
        _required(errors, name, contracts, ["contract_ref", "programme", "name", "prime_ref", "cpa"])
        _choice(errors, name, contracts, "programme", known.programmes, "programme")
        _choice(errors, name, contracts, "nation", NATIONS, "nation")
        errors.add(name, contracts, contracts["nation"] == "", "nation", "required value missing")
        start = _dates(errors, name, contracts, "start_date")
        end = _dates(errors, name, contracts, "end_date")
        errors.add(name, contracts, end < start, "end_date", "before start_date")
        month = _numbers(
            errors, name, contracts, "year_start_month", low=1, high=12, integer=True, required=False
        )
        _duplicates(errors, name, contracts, ["contract_ref"])
        held = contracts["contract_ref"].map(programmes)
        errors.add(
            name,
            contracts,
            held.notna() & (held != contracts["programme"]),
            "programme",
            "differs from the existing contract's programme "
            + held.astype(object).where(held.notna(), "").astype(str),
        )
        prime_kind = contracts["prime_ref"].map(org_kinds)
        errors.add(
            name,
            contracts,
            prime_kind == "SUBCONTRACTOR",
            "prime_ref",
            "names a subcontractor, not a prime",
            show_value=True,
        )
        errors.add(
            name,
            contracts,
            prime_kind.isna() & (contracts["prime_name"] == ""),
            "prime_name",
            "required for a prime not held yet",
        )
        org_kinds.update((ref, "PRIME") for ref in contracts["prime_ref"] if ref not in org_kinds)
        programmes.update(zip(contracts["contract_ref"], contracts["programme"], strict=True))
        typed[name] = contracts.assign(
            start_date=start,
            end_date=end,
            year_start_month=month.fillna(DEFAULT_YEAR_START_MONTH).astype("int64"),
        )

    groups = pd.DataFrame(
        [(ref, group) for ref, code in programmes.items() for group in known.programmes.get(code, [])],
        columns=["contract_ref", "group"],
    )
    valid_groups = pd.Index(_keys(groups, ["contract_ref", "group"]) if len(groups) else [])
    contract_programmes = pd.Series(programmes, dtype=object)

    def check_contract_and_group(
        name: str, frame: pd.DataFrame, extra_groups: tuple[str, ...] = ()
    ) -> pd.Series:
        known_contract = frame["contract_ref"].isin(list(programmes))
        errors.add(
            name,
            frame,
            ~known_contract & (frame["contract_ref"] != ""),
            "contract_ref",
            "unknown contract",
            show_value=True,
        )
        _required(errors, name, frame, ["contract_ref"])
        if "group" in frame:
            _required(errors, name, frame, ["group"])
            in_programme = valid_groups.get_indexer(_keys(frame, ["contract_ref", "group"])) >= 0
            allowed = in_programme | frame["group"].isin(list(extra_groups))
            errors.add(
                name,
                frame,
                known_contract & ~allowed & (frame["group"] != ""),
                "group",
                lambda rows: "not a group of programme " + rows["contract_ref"].map(contract_programmes),
            )
        return known_contract

    # referrals.csv (DATA.md): contract, group, dates, delivery organisation.
    referrals = frames.get("referrals.csv")
    if referrals is not None:
        name = "referrals.csv"
        check_contract_and_group(name, referrals)
        _required(errors, name, referrals, ["referral_ref", "participant_ref"])
        referral_date = _dates(errors, name, referrals, "referral_date")
        birth = _dates(errors, name, referrals, "date_of_birth", required=False)
        with_org = referrals["delivery_org_ref"] != ""
        errors.add(
            name,
            referrals,
            with_org & ~referrals["delivery_org_ref"].isin(list(org_kinds)),
            "delivery_org_ref",
            "unknown organisation",
            show_value=True,
        )
        _duplicates(errors, name, referrals, ["contract_ref", "referral_ref"])
        typed[name] = referrals.assign(referral_date=referral_date, date_of_birth=birth)

    # events.csv (DOMAIN.md 4, 15.17): referral known, code, date not before the referral's, one resolution.
    if (events := frames.get("events.csv")) is not None:
        typed["events.csv"] = _check_events(
            errors, events, typed.get("referrals.csv"), known, check_contract_and_group
        )

    if (profiles := frames.get("mpl_profiles.csv")) is not None:
        name = "mpl_profiles.csv"
        check_contract_and_group(name, profiles)
        month = _numbers(errors, name, profiles, "month", low=1, high=600, integer=True)
        pct = _numbers(errors, name, profiles, "cumulative_pct", low=0, high=100)
        _duplicates(errors, name, profiles, ["contract_ref", "group", "month"], valid=month.notna())
        typed[name] = profiles.assign(month=month, cumulative_pct=pct)

    if (rounds := frames.get("validation_rounds.csv")) is not None:
        name = "validation_rounds.csv"
        check_contract_and_group(name, rounds)
        number = _numbers(errors, name, rounds, "round", low=1, high=1_000_000, integer=True)
        start = _dates(errors, name, rounds, "period_start")
        end = _dates(errors, name, rounds, "period_end")
        errors.add(name, rounds, end < start, "period_end", "before period_start")
        pct = _numbers(errors, name, rounds, "invalid_pct", low=0, high=100)
        _choice(errors, name, rounds, "status", ("PROVISIONAL", "FINAL"), "status")
        _required(errors, name, rounds, ["status"])
        _duplicates(errors, name, rounds, ["contract_ref", "round"], valid=number.notna())
        typed[name] = rounds.assign(round=number, period_start=start, period_end=end, invalid_pct=pct)

    if (targets := frames.get("mpl_targets.csv")) is not None:
        name = "mpl_targets.csv"
        # DOMAIN.md 15.10/15.15: ALL is every group; a notified target may be given for it.
        check_contract_and_group(name, targets, extra_groups=(ALL,))
        start = _dates(errors, name, targets, "period_start")
        end = _dates(errors, name, targets, "period_end")
        errors.add(name, targets, end < start, "period_end", "before period_start")
        required = _numbers(errors, name, targets, "required_outcomes", low=0, high=9_999_999_999)
        _duplicates(
            errors,
            name,
            targets,
            ["contract_ref", "group", "period_start", "period_end"],
            valid=start.notna() & end.notna(),
        )
        typed[name] = targets.assign(period_start=start, period_end=end, required_outcomes=required)
    return typed


def _positions(table: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """The row of `table` holding each frame row's (contract_ref, referral_ref), -1 when none: one hash
    lookup of referral refs per contract (contracts are few), no string joins over a million rows."""
    result = np.full(len(frame), -1, dtype=np.int64)
    codes, contracts = pd.factorize(frame["contract_ref"])
    held_contracts = table["contract_ref"].to_numpy()
    for number, contract in enumerate(contracts):
        rows = np.flatnonzero(held_contracts == contract)
        if not len(rows):
            continue
        in_frame = codes == number
        found = pd.Index(table["referral_ref"].to_numpy()[rows]).get_indexer(
            frame["referral_ref"].to_numpy()[in_frame]
        )
        result[in_frame] = np.where(found >= 0, rows[np.maximum(found, 0)], -1)
    return result


def _check_events(
    errors: _Errors,
    events: pd.DataFrame,
    referrals: pd.DataFrame | None,
    known: KnownState,
    check_contract_and_group,
) -> pd.DataFrame:
    name = "events.csv"
    known_contract = check_contract_and_group(name, events)
    _required(errors, name, events, ["referral_ref", "event"])
    event_date = _dates(errors, name, events, "event_date")
    errors.add(
        name,
        events,
        events["event"] == EventCode.REFERRED,
        "event",
        "REFERRED is not an event row (the referral row is the referral)",
    )
    _choice(errors, name, events, "event", EVENT_CODES | {EventCode.REFERRED}, "event code")
    amount = _numbers(errors, name, events, "amount", low=-9_999_999_999, high=9_999_999_999, required=False)
    psg = events["event"] == EventCode.PSG_CHANGED
    errors.add(
        name,
        events,
        psg & ~events["detail"].isin(list(PSG_VALUES)),
        "detail",
        f"a PSG_CHANGED detail is the new group (one of {', '.join(sorted(PSG_VALUES))})",
        show_value=True,
    )
    outcome = events["event"] == EventCode.JOB_OUTCOME
    errors.add(
        name,
        events,
        outcome & ~events["detail"].isin(list(JOB_OUTCOME_DETAILS)),
        "detail",
        "a JOB_OUTCOME detail is empty or self_employed",
        show_value=True,
    )

    # The referrals an event may name: the file's (which win) and the database's for these contracts.
    table = known.referrals[["contract_ref", "referral_ref", "referral_date"]]
    if referrals is not None:
        table = pd.concat(
            [referrals[["contract_ref", "referral_ref", "referral_date"]], table], ignore_index=True
        )
    table = table.drop_duplicates(["contract_ref", "referral_ref"], keep="first").reset_index(drop=True)
    position = _positions(table, events)
    found = position >= 0
    errors.add(
        name,
        events,
        known_contract & ~found & (events["referral_ref"] != ""),
        "referral_ref",
        "unknown referral",
        show_value=True,
    )
    # A trailing NaT keeps the lookup vectorised when no referral is known at all (position -1 picks it).
    held_dates = np.append(table["referral_date"].to_numpy(dtype="datetime64[s]"), np.datetime64("NaT", "s"))
    referral_date = pd.Series(
        held_dates[position],
        index=events.index,
        dtype="datetime64[s]",
    )
    errors.add(
        name,
        events,
        event_date < referral_date,
        "event_date",
        lambda rows: "before the referral date " + referral_date[rows.index].dt.strftime("%Y-%m-%d"),
    )

    # Duplicate keys (DOMAIN.md 15.17), on compact integer keys: a million rows in well under a second.
    code_ids = pd.Series(pd.factorize(events["event"])[0], index=events.index)
    keyed = pd.DataFrame(
        {
            "ref": position,
            "code": code_ids,
            "date": event_date.to_numpy(dtype="int64"),
            "line": events["line"].to_numpy(),
        },
        index=events.index,
    )
    usable = found & event_date.notna().to_numpy()
    duplicate = _duplicates(
        errors, name, keyed, ["ref", "code", "date"], valid=usable, field_name="event_date"
    )
    _second_resolutions(errors, events, keyed, usable & ~duplicate, table, known)
    return events.assign(event_date=event_date, amount=amount)


def _second_resolutions(
    errors: _Errors,
    events: pd.DataFrame,
    keyed: pd.DataFrame,
    usable: np.ndarray,
    table: pd.DataFrame,
    known: KnownState,
) -> None:
    """DOMAIN.md 4: at most one of STARTED / DID_NOT_START / FAILED_TO_ATTEND per referral, counting the
    database's (a held event with the same key is the same event re-imported, not a second one)."""
    name = "events.csv"
    in_file = usable & events["event"].isin(RESOLUTION_CODES).to_numpy()
    rows = pd.DataFrame(
        {
            "ref": keyed["ref"].to_numpy()[in_file],
            "code": events["event"].to_numpy()[in_file],
            "date": keyed["date"].to_numpy()[in_file],
            "line": keyed["line"].to_numpy()[in_file],
        }
    )
    held = known.resolutions
    if len(held):
        held = pd.DataFrame(
            {
                "ref": _positions(table, held),
                "code": held["code"].astype(str).to_numpy(),
                "date": held["event_date"].to_numpy(dtype="datetime64[s]").astype("int64"),
                "line": 0,
            }
        )
        held = held.loc[held["ref"] >= 0]
        same_key = pd.MultiIndex.from_frame(held[["ref", "code", "date"]]).isin(
            pd.MultiIndex.from_frame(rows[["ref", "code", "date"]])
        )
        rows = pd.concat([held.loc[~same_key], rows], ignore_index=True)
    if rows.empty:
        return
    rows = rows.sort_values(["ref", "line"], kind="stable")
    rank = rows.groupby("ref").cumcount()
    first = rows.loc[rank == 0].set_index("ref")
    second = rows.loc[(rank > 0).to_numpy()]
    if second.empty:
        return
    lines = events["line"].isin(second["line"])
    first_for_line = pd.Series(second["ref"].map(first["code"]).to_numpy(), index=second["line"].to_numpy())
    first_date = pd.Series(second["ref"].map(first["date"]).to_numpy(), index=second["line"].to_numpy())
    held_code = events.loc[lines, "line"].map(first_for_line)
    held_date = pd.to_datetime(events.loc[lines, "line"].map(first_date).astype("int64"), unit="s")
    reason = (
        "a second resolution event (the referral already has "
        + held_code.astype(str)
        + " on "
        + held_date.dt.strftime("%Y-%m-%d")
        + ")"
    )
    errors.add(name, events, lines, "event", reason.reindex(events.index))
