"""The contract timeline (issue 11): every decision, recommendation, obligation, action plan, CPR, deep dive
and notice of a contract, in date order. Each concern's selector module gives its part as a function
`timeline_entries(contract) -> Iterable[Entry]` listed in SOURCES; the page merges and filters them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    on: dt.date  # when it happened (or is due, for an obligation)
    kind: str  # the filter it falls under: DECISION, RECOMMENDATION, OBLIGATION, ACTION_PLAN, CPR, ...
    title: str  # one line: "PIN issued on PG1"
    url: str = ""  # its page, when it has one
    detail: str = ""  # a second line: the reason, the status
    actor: str = ""  # who did it, when someone did


# "module.path:function" of every part of the timeline; each concern adds its own line.
SOURCES: list[str] = ["regimes.selectors.measures:timeline_entries"]
