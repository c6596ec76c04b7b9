"""`?format=csv` on MI API lists: every row (no paging), streamed by the views (participants.exports)."""

from rest_framework.renderers import BaseRenderer

from ..exports import csv_lines, values_of


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
        return "".join(csv_lines(header, values_of(rows, header)))
