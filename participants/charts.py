"""Charts for pages: plotly figures built in Python, drawn by the vendored plotly.js (never a CDN).

Views build a `plotly.graph_objects.Figure` and pass `chart_json(fig)` to the template, which includes
`includes/plotly_chart.html` with `chart_id`, `chart_json` and a text `chart_label` for screen readers.
"""

import plotly.graph_objects as go
import plotly.io as pio
from django.utils.safestring import SafeString, mark_safe

# As django's json_script: a figure's strings can never close the <script> element they sit in.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

RAG_COLOURS = {"GREEN": "#146c43", "AMBER": "#9a5b00", "RED": "#b02a37", "GREY": "#5c636a"}
SERIES_COLOURS = ["#0d6efd", "#b02a37", "#146c43", "#9a5b00", "#6f42c1", "#5c636a"]


def styled(fig: go.Figure, *, height: int = 320) -> go.Figure:
    """The house style: white background, readable fonts, legend above, tight margins."""
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 50, "r": 20, "t": 30, "b": 40},
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        colorway=SERIES_COLOURS,
        hovermode="x unified",
    )
    return fig


def chart_json(fig: go.Figure) -> SafeString:
    """The figure as JSON for `Plotly.newPlot`, escaped for embedding in a <script> element."""
    return mark_safe(pio.to_json(styled(fig), validate=False).translate(_SCRIPT_ESCAPES))
