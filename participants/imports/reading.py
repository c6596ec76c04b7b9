"""Reading an import bundle: a folder or a .zip of CSV files into string frames, each row with its line
number, and each file's SHA-256 checksum (DATA.md "Import bundle").

Pure: files in, DataFrames out, no database. A file that cannot be read is recorded in the RawBundle, not
raised, so that validation (`validation.validate_bundle`) reports it with every other error.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import FlightpathError
from .specs import REQUIRED_FILES, SPECS


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


# Trimmed from around every value: spaces, tabs and the other Unicode spaces (no-break space, ...), but no
# other control character (C0, DEL, C1): those are kept, so that validation refuses them in a reference
# rather than a file without spaces keeping them and one with spaces losing them unseen.
PADDING = "\t" + "".join(
    c for c in map(chr, range(0x3001)) if c.isspace() and not ("\x00" <= c <= "\x1f" or "\x7f" <= c <= "\x9f")
)


def read_bundle(path: str | Path, *, max_bytes: int | None = None) -> RawBundle:
    """Read a bundle folder or .zip. Unknown .csv names, unreadable files and files damaged in the .zip are
    errors, reported with the rest by validate_bundle. A .zip whose files would unpack to more than
    `max_bytes` is refused before anything is unpacked (a zip bomb never reaches memory)."""
    path = Path(path)
    errors: list[tuple[str, int, str, str]] = []
    if path.is_dir():
        blobs = {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file() and p.suffix == ".csv"}
    elif path.is_file() and zipfile.is_zipfile(path):
        blobs = _unzip(path, max_bytes, errors)
    else:
        raise FlightpathError(f"{path}: not a folder or a .zip file", field="bundle")
    frames = {}
    for name, blob in blobs.items():
        if name not in SPECS:
            errors.append((name, 1, "file", f"unknown file (expected one of {', '.join(SPECS)})"))
            continue
        frame, problem = read_csv(blob)
        if problem:
            errors.append((name, problem[0], problem[1], problem[2]))
        else:
            frames[name] = frame
    named = set(blobs) | {error[0] for error in errors}
    for name in REQUIRED_FILES:
        if name not in named:
            errors.append((name, 1, "file", "required file missing"))
    checksums = {name: hashlib.sha256(blob).hexdigest() for name, blob in blobs.items()}
    return RawBundle(source=str(path), frames=frames, checksums=checksums, read_errors=errors)


def bundle_members(path: Path, *, max_bytes: int | None = None) -> list[zipfile.ZipInfo]:
    """The CSV files of a bundle .zip, from its directory alone (nothing unpacked): refused when it is not
    a readable .zip, names a file twice or would unpack to more than `max_bytes`. The upload checks this
    at once; `read_bundle` again before it unpacks."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FlightpathError(f"{path.name}: not a readable .zip file ({exc})", field="bundle") from None
    unpacked = sum(info.file_size for info in infos)
    if max_bytes is not None and unpacked > max_bytes:
        raise FlightpathError(
            f"{path.name}: unpacks to {unpacked:,} bytes, more than the limit of {max_bytes:,}",
            field="bundle",
        )
    members, names = [], set()
    for info in infos:
        name = Path(info.filename).name
        if info.is_dir() or not name.endswith(".csv") or "__MACOSX" in info.filename:
            continue
        if name in names:
            raise FlightpathError(f"{name}: appears twice in the zip", field="bundle")
        names.add(name)
        members.append(info)
    return members


# What unpacking a damaged member raises: a failed CRC-32 (BadZipFile), a broken deflate stream
# (zlib.error), data cut short (EOFError).
ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError)


def _unzip(path: Path, max_bytes: int | None, errors: list) -> dict[str, bytes]:
    """The bundle's files unpacked; a member that is damaged, encrypted or compressed in a way Python cannot
    unpack is an error of that file (issue 10: a failed checksum was a server error)."""
    blobs = {}
    members = bundle_members(path, max_bytes=max_bytes)
    with zipfile.ZipFile(path) as archive:
        for info in members:
            name = Path(info.filename).name
            if info.flag_bits & 0x1:
                errors.append((name, 1, "file", "encrypted in the .zip (a bundle .zip has no password)"))
                continue
            try:
                blobs[name] = archive.read(info)
            except ZIP_DAMAGE as exc:
                failed = "their CRC-32 checksum" if "CRC" in str(exc) else "to unpack"
                reason = f"damaged in the .zip: its data fail {failed} (make the .zip again)"
                errors.append((name, 1, "file", reason))
            except NotImplementedError:
                errors.append((name, 1, "file", "compressed in a way that cannot be read (use Deflate)"))
    return blobs


def read_csv(blob: bytes) -> tuple[pd.DataFrame | None, tuple[int, str, str] | None]:
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
            frame[column] = per_unique(frame[column], lambda values: values.str.strip(PADDING))
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


def per_unique(series: pd.Series, function) -> pd.Series:
    """Apply a string function to each distinct value once: extract columns repeat few values many times."""
    codes, uniques = pd.factorize(series, sort=False)
    mapped = function(pd.Series(uniques, dtype=object))
    return pd.Series(mapped.to_numpy()[codes] if len(uniques) else [], index=series.index, dtype=mapped.dtype)
