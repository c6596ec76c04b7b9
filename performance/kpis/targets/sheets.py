"""The targets spreadsheet: an upload (.csv or .xlsx) read into kpi_targets.csv's frame of strings, and the
download written in the same columns (participants.exports' writers, formula-safe).

A read frame is what the bundle's reading gives a CSV file (participants.imports.reading): every value a
string, stripped, "" for empty, blank rows dropped, and a `line` each, the row number the spreadsheet shows
(the header is row 1), so errors name the row a user finds.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from datetime import date

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from participants.errors import FlightpathError
from participants.exports import csv_response, excel_response
from participants.imports.reading import PADDING
from participants.imports.reading import read_csv as read_csv_blob  # the bundle's CSV reading
from participants.models import Contract

from .services import COLUMNS

MAX_BYTES = 20 * 1024 * 1024  # a contract's 5,000 staff x 10 KPIs is 50,000 rows, about 3 MB of CSV
# Rows an upload may hold: 100,000 new targets take about 12 s (docs/decisions.md); more belong in a bundle.
MAX_ROWS = 100_000
FIELD = "spreadsheet"


def read_sheet(upload) -> pd.DataFrame:
    """The uploaded file (a Django UploadedFile) as a frame of strings with a `line` each; FlightpathError
    (field "spreadsheet") for a file that is not a readable .csv or .xlsx."""
    name = upload.name or ""
    if upload.size > MAX_BYTES:
        raise FlightpathError(f"{name}: larger than {MAX_BYTES // 2**20} MB.", field=FIELD)
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix not in ("csv", "xlsx"):
        raise FlightpathError(f"{name}: expected a .csv or .xlsx file.", field=FIELD)
    blob = upload.read()
    if suffix == "xlsx":
        frame = _read_xlsx(blob, name)
    else:
        frame, problem = read_csv_blob(blob)
        if problem:
            line, _, reason = problem
            raise FlightpathError(f"{name}, row {line}: {reason}.", field=FIELD)
    if len(frame) > MAX_ROWS:
        raise FlightpathError(
            f"{name}: {len(frame):,} rows, more than {MAX_ROWS:,}: upload fewer months at a time, or import "
            "them as an import bundle's kpi_targets.csv.",
            field=FIELD,
        )
    return frame


def _read_xlsx(blob: bytes, name: str) -> pd.DataFrame:
    """The first sheet's rows: each cell as the text a CSV would hold (a whole number without ".0"; a date
    in the month column, which Excel makes of a typed "2025-04", as its month when it is a first day)."""
    try:
        workbook = load_workbook(io.BytesIO(blob), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FlightpathError(f"{name}: not a readable .xlsx file.", field=FIELD) from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [_text(value, "") for value in next(rows, ())]
        while header and header[-1] == "":
            header.pop()
        if not header:
            raise FlightpathError(
                f"{name}: the first sheet is empty (a header row is required).", field=FIELD
            )
        if repeated := sorted({column for column in header if header.count(column) > 1}):
            raise FlightpathError(f"{name}: column {repeated[0]!r} appears twice in the header.", field=FIELD)
        records = []
        for line, values in enumerate(rows, start=2):
            cells = list(values[: len(header)]) + [None] * max(0, len(header) - len(values))
            texts = [_text(value, column) for value, column in zip(cells, header, strict=True)]
            if any(texts):
                records.append([*texts, line])
    finally:
        workbook.close()
    return pd.DataFrame(records, columns=[*header, "line"]).astype({"line": "int64"})


def _text(value, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, date):  # a datetime too
        day = value.date() if isinstance(value, dt.datetime) else value
        return f"{day:%Y-%m}" if column == "month" and day.day == 1 else day.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip(PADDING)


def download(contract: Contract, level: str, month: date, rows: Iterable[list], *, kind: str):
    """The page's targets as a .csv or .xlsx in kpi_targets.csv's columns."""
    filename = f"{contract.ref}-kpi-targets-{level.lower()}-{month:%Y-%m}.{kind}"
    if kind == "xlsx":
        return excel_response(filename, COLUMNS, rows, sheet="kpi_targets")
    return csv_response(filename, COLUMNS, rows)
