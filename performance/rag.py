"""RAG status of performance against MPL (DOMAIN.md 7, 14): the one place the rule lives; the contract page,
the reports and the dashboards all call `mpl_rag`. Pure: no Django.

The amber margin is configuration: the setting FLIGHTPATH_MPL_AMBER_MARGIN_PCT (default 5 percentage points
below MPL), passed in by callers, never a literal here.
"""

from __future__ import annotations

import math

GREEN, AMBER, RED, GREY, TO_DATE = "GREEN", "AMBER", "RED", "GREY", "TO_DATE"
CSS_CLASSES = {
    GREEN: "rag rag-green",
    AMBER: "rag rag-amber",
    RED: "rag rag-red",
    GREY: "rag rag-grey",
    TO_DATE: "rag rag-grey",
}
LABELS = {
    GREEN: "At or above MPL",
    AMBER: "Just below MPL",
    RED: "Below MPL",
    GREY: "No MPL figure",
    TO_DATE: "Month in progress: rated when it ends",
}


def mpl_rag(pct_of_mpl: float | None, *, amber_margin: float, complete: bool = True) -> str:
    """GREEN at or above MPL (percent >= 100); AMBER within `amber_margin` percentage points below it
    (100 - margin <= percent < 100); RED below that; GREY when there is no figure (required 0, DOMAIN.md
    15.9). Compares the unrounded percentage (DOMAIN.md 15.16). A period ending in a month still in
    progress (`complete` False) is short by construction: below MPL it is TO_DATE, never amber or red."""
    if amber_margin < 0:
        raise ValueError("amber_margin must not be negative")
    if pct_of_mpl is None or math.isnan(float(pct_of_mpl)):
        return GREY
    if pct_of_mpl >= 100.0:
        return GREEN
    if not complete:
        return TO_DATE
    if pct_of_mpl >= 100.0 - amber_margin:
        return AMBER
    return RED
