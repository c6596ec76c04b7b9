"""Which referrals stand behind a figure (DOMAIN.md 6, 5; 15.13): the members of a flow count and of a cohort.

Pure functions of the engine's per-referral `Facts` (no Django). They select with the same facts and the same
period bounds the engine counts with (`referral_facts`, `period_bounds`, `cohort_basis_month`,
`cohort_outcome_month`, `validated_months_for`); tests/performance/test_pages_drilldown.py checks that every
measure's member count equals the engine's figure on the golden bundles.
"""

from __future__ import annotations

import numpy as np

from participants.journey import ALL

from .assessment import validated_months_for
from .facts import Facts, cohort_basis_month, cohort_outcome_month
from .flows import period_bounds
from .months import NO_MONTH
from .rules import FLOWS, RESOLUTION_FLOWS, ContractTerms, ProgrammeRules

# Flows counted once per referral by its single resolution event (DOMAIN.md 4, 15.13), from the engine's map.
_RESOLUTION_KIND = {name: kind for kind, name in RESOLUTION_FLOWS.items()}
COHORT_MEASURES = ("cohort", "cohort_outcomes")
# The two parts of a WP quarterly review's outcomes (DOMAIN.md 8): the validated months' outcomes net of
# invalidation, and the later months' gross outcomes that the invalid rate is applied to.
ASSESSMENT_MEASURES = ("validated_outcomes", "extrapolation_base")
MEASURES = (*FLOWS, *COHORT_MEASURES, *ASSESSMENT_MEASURES)


def _group_mask(facts: Facts, group: str) -> np.ndarray:
    """ALL is every referral held (performance_table sums every group's row for ALL, DOMAIN.md 15.10)."""
    return np.ones(facts.size, bool) if group == ALL else facts.in_group(group)


def flow_members(
    facts: Facts, terms: ContractTerms, *, measure: str, group: str, month: int, period: str
) -> np.ndarray:
    """Positions (into the referrals frame) of the referrals behind a flow figure of `group` for `period`
    ending with `month`: one entry per count, so a referral with two SUSTAINMENTs in the period appears twice
    (per-event flows, DOMAIN.md 15.13); len() of the result is the figure."""
    if measure not in FLOWS:
        raise ValueError(measure)
    first, last = (int(b[0]) for b in period_bounds(np.array([month]), period, terms))
    members = _group_mask(facts, group)

    def inside(months: np.ndarray) -> np.ndarray:
        return (months >= first) & (months <= last)  # the engine's "no month" is below every bound

    if measure == "referrals":
        return np.flatnonzero(members & inside(facts.referral_month))
    if measure in _RESOLUTION_KIND:
        return np.flatnonzero(
            members & (facts.resolution == _RESOLUTION_KIND[measure]) & inside(facts.resolution_month)
        )
    if measure == "job_outcomes":  # first job outcomes, gross of invalidation
        return np.flatnonzero(members & inside(facts.outcome_month))
    counted = (facts.event_flow == FLOWS.index(measure)) & inside(facts.event_month)
    positions = facts.event_referral[counted]
    return np.sort(positions[members[positions]], kind="stable")


def cohort_members(
    facts: Facts,
    rules: ProgrammeRules,
    *,
    group: str,
    cohort_month: int,
    last_month: int,
    converted: bool = False,
) -> np.ndarray:
    """Positions of a cohort's referrals (cohort month by the programme's basis, DOMAIN.md 5), or with
    `converted` those whose counted first outcome is in a month up to `last_month` (the cohort's latest
    conversion figure, DOMAIN.md 15.11). A cohort after `last_month` is not reported: no members."""
    if cohort_month > last_month:
        return np.zeros(0, np.int64)
    chosen = facts.in_group(group) & (cohort_basis_month(facts, rules) == cohort_month)
    if converted:
        outcome = cohort_outcome_month(facts, rules)
        chosen &= (outcome != NO_MONTH) & (outcome <= last_month)
    return np.flatnonzero(chosen)


def assessment_members(
    facts: Facts, *, measure: str, group: str, quarter_end: int, final: bool = False
) -> np.ndarray:
    """Positions of the referrals behind a quarterly review's outcomes at `quarter_end` (DOMAIN.md 8, 15.14):
    `validated_outcomes`, first job outcomes in the validated months of the twelve ending Q whose referral
    is not invalidated; `extrapolation_base`, first job outcomes (gross) in the months after them, which
    the assessment multiplies by (1 - invalid rate)."""
    if measure not in ASSESSMENT_MEASURES:
        raise ValueError(measure)
    window_start = quarter_end - 11
    split = window_start + validated_months_for(quarter_end, final)
    outcome = facts.outcome_month
    members = _group_mask(facts, group)
    if measure == "validated_outcomes":
        return np.flatnonzero(members & (outcome >= window_start) & (outcome < split) & ~facts.invalidated)
    return np.flatnonzero(members & (outcome >= split) & (outcome <= quarter_end))
