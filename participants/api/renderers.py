"""`?format=csv` on MI API lists: every row (no paging), streamed."""

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer


class _Echo:
    def write(self, value):
        return value


def csv_lines(rows: Iterable[dict], header: list[str]) -> Iterator[str]:
    """CSV lines, header first, for an iterable of dicts; the csv module does the quoting."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([row.get(name) for name in header])


def streaming_csv_response(rows: Iterable[dict], header: list[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(rows, header), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CSVRenderer(BaseRenderer):
    """Declares `?format=csv` to DRF and the schema; renders non-list bodies (errors, single objects)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data.get("results", [data]) if isinstance(data, dict) else list(data or [])
        rows = [row if isinstance(row, dict) else {"detail": row} for row in rows]
        header = list(rows[0].keys()) if rows else []
        return "".join(csv_lines(rows, header))
