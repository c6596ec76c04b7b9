"""The performance engine: flows, MPL required outcomes, cohorts, WP quarterly reviews and the early-warning
projection (DOMAIN.md 5-8 and 15 items 7-16, 18, 21).

Pure functions of the frames of `participants.selectors` (referrals, events) and of plain configuration
(`ProgrammeRules`, `ContractTerms`, profile / round / target frames); no Django, no I/O. Everything is
vectorised over numpy arrays: one pass over the events builds per-referral facts, then months x groups
matrices from which every period is a difference of cumulative sums.

Months are integers: months since 1970-01 (numpy's datetime64[M]). Figures are returned unrounded, as frames
and lists of plain rows; readers round with `rounded` at output (DOMAIN.md 15.16) and every comparison (met,
below MPL) is unrounded. What the MI API returns is shaped in performance/api/records.py, not here.

One module per concern, listed below. The rest of the product uses the names this package re-exports
(`from performance import engine; engine.x`) and the drilldown as `performance.engine.drilldown`:

    months      month indexes, labels, the last ended month, quarter ends
    rules       flows, periods, the codes read, ProgrammeRules / ContractTerms, output rounding
    facts       per-referral facts from the referral and event frames; cohort months
    profiles    MPL profiles and notified targets
    flows       the months x groups matrices and performance against MPL for any period
    cohorts     cohort sizes and conversion against the profile
    assessment  the WP formal quarterly review and the validation round it uses
    projection  the early-warning projection at the next quarter ends
    units       one period's figures for every site, organisation, key worker or DDA at once
    drilldown   the referrals behind a figure, selected as the figure is counted
"""

from .assessment import assessment_table, invalid_rate, validation_round_used
from .cohorts import cohort_table
from .facts import Facts, default_as_of, referral_facts
from .flows import monthly, performance_table, period_bounds
from .months import (
    is_quarter_end,
    last_ended_month,
    month_first_day,
    month_label,
    month_last_day,
    month_of,
    parse_month,
    quarter_ends_between,
)
from .profiles import profile_points
from .projection import projection_table
from .rules import CODES_READ, FLOWS, PERIODS, ContractTerms, ProgrammeRules
from .units import unit_table

__all__ = [
    "CODES_READ",
    "FLOWS",
    "PERIODS",
    "ContractTerms",
    "Facts",
    "ProgrammeRules",
    "assessment_table",
    "cohort_table",
    "default_as_of",
    "invalid_rate",
    "is_quarter_end",
    "last_ended_month",
    "month_first_day",
    "month_label",
    "month_last_day",
    "month_of",
    "monthly",
    "parse_month",
    "performance_table",
    "period_bounds",
    "profile_points",
    "projection_table",
    "quarter_ends_between",
    "referral_facts",
    "unit_table",
    "validation_round_used",
]
