"""Figures of the contract performance page (DOMAIN.md 5-8): plotly figures built from the rows of
performance.selectors.pages, returned as the JSON that includes/plotly_chart.html draws (participants.charts).
Presentation only: every number drawn is a figure the page's tables show too."""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.safestring import SafeString

from participants.charts import RAG_COLOURS, SERIES_COLOURS, chart_json
from participants.journey import rounded

# Cohort curves drawn: one every CHART_COHORT_STEP months back from the latest, CHART_COHORTS of them (recent
# cohorts of different ages); the cohort table lists them all.
CHART_COHORTS, CHART_COHORT_STEP = 6, 3


def actual_vs_required(series: list[dict], group: str) -> SafeString:
    """In-month job outcomes (bars) against MPL required (line) by month (selectors.pages.monthly_series)."""
    months = [row["month"] for row in series]
    fig = go.Figure()
    fig.add_bar(
        x=months,
        y=[row["job_outcomes"] for row in series],
        name="Job outcomes (actual)",
        marker_color=SERIES_COLOURS[0],
    )
    fig.add_scatter(
        x=months,
        y=[rounded(row["mpl_required"]) for row in series],
        name="MPL required",
        mode="lines+markers",
        line={"color": SERIES_COLOURS[1], "width": 2},
    )
    fig.update_layout(yaxis_title=f"Outcomes in month ({group})", xaxis={"type": "category"})
    return chart_json(fig)


def cohort_curves(cohorts: list[dict], group: str) -> SafeString | None:
    """Cumulative conversion by month on programme of recent cohorts (the rows of selectors.pages.cohorts,
    oldest first) against the group's MPL profile; None without cohorts."""
    if not cohorts:
        return None
    cohorts = cohorts[::-CHART_COHORT_STEP][:CHART_COHORTS][::-1]  # back from the latest, drawn oldest first
    fig = go.Figure()
    for i, row in enumerate(cohorts):
        fig.add_scatter(
            x=list(range(1, len(row["conversion_pct"]) + 1)),
            y=[rounded(v) for v in row["conversion_pct"]],
            name=f"{row['cohort']} (n={row['size']})",
            mode="lines+markers",
            line={"color": SERIES_COLOURS[(i + 2) % len(SERIES_COLOURS)] if i else SERIES_COLOURS[0]},
        )
    longest = max(cohorts, key=lambda r: len(r["profile_pct"]))
    fig.add_scatter(
        x=list(range(1, len(longest["profile_pct"]) + 1)),
        y=[rounded(v) for v in longest["profile_pct"]],
        name=f"MPL profile ({group})",
        mode="lines",
        line={"color": "#212529", "dash": "dash", "width": 3},
    )
    fig.update_layout(
        xaxis_title="Month on programme", yaxis_title="Cumulative job outcome %", hovermode="closest"
    )
    return chart_json(fig)


def projection_ranges(rows: list[dict], quarterly_review: bool) -> SafeString | None:
    """Projected rolling-twelve outcomes as % of MPL at the next quarter ends with their 90% range, coloured
    by RAG (selectors.pages.projection); None without rows."""
    if not rows:
        return None
    fig = go.Figure()
    risk = "PIN risk" if quarterly_review else "MPL risk"
    labels = [f"{row['group']} {row['quarter_end_label']}" for row in rows]
    fig.add_scatter(
        x=labels,
        y=[row["projected_pct"] for row in rows],
        mode="markers",
        name="Projected % of MPL (90% range)",
        marker={
            "size": 12,
            "color": [RAG_COLOURS[row["rag"]] for row in rows],
        },
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [row["high_pct"] - row["projected_pct"] for row in rows],
            "arrayminus": [row["projected_pct"] - row["low_pct"] for row in rows],
            "color": "#495057",
        },
        text=[risk if row["below_mpl"] else "" for row in rows],
        textposition="top right",
    )
    fig.update_traces(mode="markers+text")
    fig.add_hline(
        y=100,
        line_dash="dash",
        line_color=RAG_COLOURS["RED"],
        annotation_text="MPL (100%)",
        annotation_position="bottom right",
    )
    fig.update_layout(
        yaxis_title="Rolling-12 job outcomes, % of MPL", xaxis={"type": "category"}, hovermode="closest"
    )
    return chart_json(fig)
