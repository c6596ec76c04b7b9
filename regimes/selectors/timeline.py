"""The contract timeline (issue 11): every decision, recommendation, obligation, action plan, CPR, deep dive
and notice of a contract, in date order. Each concern's selector module gives its part as a function
`timeline_entries(contract) -> Iterable[Entry]` listed in SOURCES; the page merges and filters them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Entry:
    on: dt.date  # when it happened (or is due, for an obligation)
    kind: str  # the filter it falls under: DECISION, RECOMMENDATION, OBLIGATION, ACTION_PLAN, CPR, ...
    title: str  # one line: "PIN issued on PG1"
    url: str = ""  # its page, when it has one
    detail: str = ""  # a second line: the reason, the status
    actor: str = ""  # who did it, when someone did


# "module.path:function" of every part of the timeline; each concern adds its own line.
SOURCES: list[str] = [
    "regimes.selectors.state:timeline_entries",
    "regimes.selectors.recommendations:timeline_entries",
    "regimes.selectors.obligations:timeline_entries",
    "regimes.selectors.plans:timeline_entries",
    "regimes.selectors.reviews:timeline_entries",
    "regimes.selectors.notices:timeline_entries",
    "regimes.selectors.measures:timeline_entries",
]


def entries(
    contract, *, kind: str = "", since: dt.date | None = None, until: dt.date | None = None
) -> list[Entry]:
    """Every source's entries of the contract, newest first, filtered by kind and date (inclusive)."""
    found = [
        entry
        for source in SOURCES
        for entry in import_string(source.replace(":", "."))(contract)
        if (not kind or entry.kind == kind)
        and (since is None or entry.on >= since)
        and (until is None or entry.on <= until)
    ]
    return sorted(found, key=lambda e: e.on, reverse=True)


def kinds() -> list[str]:
    """The kinds the timeline can be filtered by: this app's, then the other concerns' as they add sources."""
    return [
        "DECISION",
        "RECOMMENDATION",
        "OBLIGATION",
        "ACTION_PLAN",
        "CPR",
        "DEEP_DIVE",
        "NOTICE",
        "SUBCONTRACTOR_MEASURE",
    ]
