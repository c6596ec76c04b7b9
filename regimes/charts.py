"""The flight path chart: projected against actual job starts and job outcomes by month, summed over the
groups (selectors.plans.totals_by_month), through participants.charts. Presentation only."""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.safestring import SafeString

from participants.charts import SERIES_COLOURS, chart_json


def flight_path(rows: list[dict]) -> SafeString:
    months = [f"{row['month']:%Y-%m}" for row in rows]
    fig = go.Figure()
    for measure, label, colour in (("job_outcomes", "Job outcomes", 0), ("job_starts", "Job entries", 2)):
        fig.add_bar(
            x=months,
            y=[row["actual"][measure] if row["actual"] else None for row in rows],
            name=f"{label} (actual)",
            marker_color=SERIES_COLOURS[colour],
        )
        fig.add_scatter(
            x=months,
            y=[row["projected"][measure] for row in rows],
            name=f"{label} (flight path)",
            mode="lines+markers",
            line={"color": SERIES_COLOURS[colour + 1], "width": 2, "dash": "dash"},
        )
    fig.update_layout(yaxis_title="In month, all groups", xaxis={"type": "category"}, barmode="group")
    return chart_json(fig)
