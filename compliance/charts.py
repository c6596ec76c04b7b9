"""Figures of the compliance pages: the standards trend (DOMAIN.md 9), built from the rows of
compliance.selectors.pages and returned as the JSON that includes/plotly_chart.html draws
(participants.charts). Presentation only: every value drawn is a figure the standards page shows too."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from django.utils.safestring import SafeString

from participants.charts import SERIES_COLOURS, chart_json
from participants.journey import rounded

from .engine import BACKLOG_MAX
from .selectors.pages import StandardRow


def _count_step(values: pd.Series) -> int:
    """Whole-number ticks on the count axis: about five of them, never a fraction of a referral."""
    largest = pd.to_numeric(values, errors="coerce").max()
    return 1 if pd.isna(largest) else max(1, math.ceil(largest / 5))


def standards_trend(trend: pd.DataFrame, rows: list[StandardRow]) -> SafeString | None:
    """One line per standard over the month ends (selectors.pages.standards_trend); the count standards
    (backlog maximum) of the page's `rows` on the right axis. None without a trend."""
    if trend.empty:
        return None
    counts = {r.figures.code for r in rows if r.figures.measure == BACKLOG_MAX}
    fig = go.Figure()
    months = [d.strftime("%b %Y") for d in sorted(trend["month_end"].unique())]
    for i, (code, points) in enumerate(trend.groupby("code", sort=False)):
        count = code in counts
        fig.add_trace(
            go.Scatter(
                x=[d.strftime("%b %Y") for d in points["month_end"]],
                y=[rounded(v) for v in points["value"]],
                name=code,
                mode="lines+markers",
                yaxis="y2" if count else "y",
                line={
                    "color": SERIES_COLOURS[i % len(SERIES_COLOURS)],
                    "dash": "dot" if count else ("solid" if i < len(SERIES_COLOURS) else "dash"),
                },
            )
        )
    fig.update_layout(
        yaxis={"title": "% met, or backlog %", "rangemode": "tozero"},
        yaxis2={
            "title": "Referrals over limit",
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "tickformat": "d",
            "dtick": _count_step(trend.loc[trend["code"].isin(counts), "value"]),
            "showgrid": False,
        },
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": months},
    )
    return chart_json(fig)
