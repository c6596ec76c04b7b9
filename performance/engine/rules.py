"""What the engine is told and what it counts: the flows and periods (DOMAIN.md 6, 15.7, 15.13), the event
codes it reads, and a programme's rules and a contract's terms as plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from participants.journey import DEFAULT_YEAR_START_MONTH, RESOLUTION_CODES, report_groups

from .months import month_of

PERIODS = ("in_month", "rolling_3", "rolling_12", "quarter", "ytd", "ctd")
FLOWS = (
    "referrals",
    "starts",
    "did_not_start",
    "failed_to_attend",
    "job_starts",
    "earnings_starts",
    "job_outcomes",
    "sustainments",
    "exits",
)
# Event codes counted one per event (DOMAIN.md 15.13); the resolution codes are counted once per referral.
PER_EVENT_FLOWS = {
    "JOB_START": "job_starts",
    "EARNINGS_START": "earnings_starts",
    "SUSTAINMENT": "sustainments",
    "EXITED": "exits",
}
# Kind 1, 2, 3 in RESOLUTION_CODES order, which also breaks same-day ties (DOMAIN.md 4).
RESOLUTION_KINDS = {code: kind for kind, code in enumerate(RESOLUTION_CODES, start=1)}
RESOLUTION_FLOWS = {1: "starts", 2: "did_not_start", 3: "failed_to_attend"}
# Every event code this engine reads (selectors load only these).
CODES_READ = (*RESOLUTION_KINDS, *PER_EVENT_FLOWS, "JOB_OUTCOME", "OUTCOME_INVALIDATED")


@dataclass(frozen=True)
class ProgrammeRules:
    """What a participants.Programme row fixes (DOMAIN.md 2, 5)."""

    code: str
    groups: tuple[str, ...]
    measured_groups: tuple[str, ...]
    cohort_basis: str  # "REFERRAL" or "START"
    outcome_window_days: int | None
    has_quarterly_review: bool

    @property
    def report_groups(self) -> tuple[str, ...]:
        return report_groups(self.groups)


@dataclass(frozen=True)
class ContractTerms:
    start_date: date
    year_start_month: int = DEFAULT_YEAR_START_MONTH

    @property
    def start_month(self) -> int:
        return month_of(self.start_date)
