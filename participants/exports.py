"""The CSV and Excel writers every export uses (pages' `?export=`, the MI API's `?format=csv`), and the
referral columns those exports share.

Both writers take a header and rows of values in header order (`values_of` turns dicts into those) and
pass every row through `_rows`, the one place where a rule for exported cell values belongs: there every
cell a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping, Sequence

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A referral in an export: (column, Referral lookup). The columns are referrals.csv's (DATA.md), so an
# exported list reads as the bundle it came from.
REFERRAL_CSV_COLUMNS: list[tuple[str, str]] = [
    ("contract_ref", "contract__ref"),
    ("referral_ref", "ref"),
    ("participant_ref", "participant__ref"),
    ("referral_date", "referral_date"),
    ("group", "group"),
    ("delivery_org_ref", "organisation__ref"),
    ("site_ref", "site__ref"),
    ("key_worker", "key_worker__ref"),
]


def values_of(rows: Iterable[Mapping], header: Sequence[str]) -> Iterator[list]:
    """Dict rows as lists in header order (a missing key is an empty cell)."""
    return ([row.get(name) for name in header] for row in rows)


# A cell beginning with one of these is read as a formula by Excel, LibreOffice and Google Sheets (OWASP "CSV
# injection"): an imported reference "=HYPERLINK(...)" would run when a manager opens the export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    """A string that a spreadsheet would read as a formula, neutralised with a leading apostrophe so it is
    read as text. Only strings: a negative number stays a number."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _rows(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[list]:
    """The header, then every row, as both writers write them: every cell formula-safe."""
    yield [_safe(name) for name in header]
    for row in rows:
        yield [_safe(value) for value in row]


class _Echo:
    def write(self, value):
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The rows as CSV text, a line at a time (the csv module does the quoting)."""
    writer = csv.writer(_Echo())
    return (writer.writerow(row) for row in _rows(header, rows))


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """A CSV download streamed as it is written: the rows are never all held in memory."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def excel_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], *, sheet: str
) -> HttpResponse:
    """An .xlsx of one sheet in openpyxl's write-only mode (rows streamed in, never held as cells)."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    for row in _rows(header, rows):
        worksheet.append(row)
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    return response
