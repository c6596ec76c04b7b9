"""Cohorts (DOMAIN.md 5, 15.8, 15.11): each cohort month's size and conversion by month on programme against
the MPL profile."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from participants.journey import ALL

from .facts import Facts, cohort_basis_month, cohort_outcome_month
from .months import NO_MONTH, last_ended_month, month_label
from .profiles import profile_points
from .rules import ProgrammeRules


def cohort_table(
    facts: Facts, rules: ProgrammeRules, profiles: pd.DataFrame | None, group: str, as_of: date
) -> list[dict]:
    """The cohorts of `group` (or ALL) up to the last month ended on or before `as_of`: cohort month, size,
    conversion by month on programme and the profile, both as unrounded percentages."""
    last = last_ended_month(as_of)
    basis = cohort_basis_month(facts, rules)
    outcome = cohort_outcome_month(facts, rules)
    chosen = facts.in_group(group) & (basis != NO_MONTH) & (basis <= last)
    if not chosen.any():
        return []
    basis, outcome, codes = basis[chosen], outcome[chosen], facts.group_code[chosen]
    c0 = int(basis.min())
    C = last - c0 + 1
    ci = basis - c0
    sizes = np.bincount(ci, minlength=C)
    has = (outcome != NO_MONTH) & (outcome <= last)
    k = np.maximum(
        outcome[has] - basis[has], 0
    )  # months on programme - 1 (an outcome before the basis: month 1)
    hits = np.bincount(ci[has] * C + k, minlength=C * C).reshape(C, C).cumsum(axis=1)
    # Profile: the group's own, or for ALL the size-weighted mean of the groups' profiles (15.11).
    # Integer numerators (sizes x hundredths of a percent), one division: the float nearest the exact mean.
    if group == ALL:
        weighted = np.zeros((C, C), np.int64)
        for code in np.unique(codes):  # the programme's few groups
            g_sizes = np.bincount(ci[codes == code], minlength=C)
            weighted += g_sizes[:, None] * profile_points(profiles, facts.group_names[code], C)[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            profile = weighted / (sizes[:, None] * 100)
    else:
        profile = np.broadcast_to(profile_points(profiles, group, C) / 100, (C, C))
    rows = []
    for c in np.flatnonzero(sizes):  # one row per non-empty cohort month (a handful), not per referral
        n = C - c
        rows.append(
            {
                "cohort": month_label(c0 + c),
                "size": int(sizes[c]),
                "conversion_pct": (hits[c, :n] * 100.0 / sizes[c]).tolist(),
                "profile_pct": profile[c, :n].tolist(),
            }
        )
    return rows
