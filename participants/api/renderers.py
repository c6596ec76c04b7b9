"""`?format=csv` on MI API lists: every row (no paging), streamed."""

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer


class _Echo:
    def write(self, value):
        return value


def _lines(header: list[str], rows: Iterable[Sequence]) -> Iterator[str]:
    writer = csv.writer(_Echo())  # the csv module does the quoting
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def csv_lines(rows: Iterable[dict], header: list[str]) -> Iterator[str]:
    """CSV lines, header first, for an iterable of dicts."""
    return _lines(header, ([row.get(name) for name in header] for row in rows))


def stream_csv(filename: str, header: list[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """Stream rows (sequences in header order) as a CSV download without holding them in memory."""
    response = StreamingHttpResponse(_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def streaming_csv_response(rows: Iterable[dict], header: list[str], filename: str) -> StreamingHttpResponse:
    """stream_csv for dicts."""
    return stream_csv(filename, header, ([row.get(name) for name in header] for row in rows))


class CSVRenderer(BaseRenderer):
    """Declares `?format=csv` to DRF and the schema; renders single objects (errors are JSON:
    participants.api.views.JSONErrorsMixin)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data.get("results", [data]) if isinstance(data, dict) else list(data or [])
        rows = [row if isinstance(row, dict) else {"detail": row} for row in rows]
        header = list(rows[0].keys()) if rows else []
        return "".join(csv_lines(rows, header))
