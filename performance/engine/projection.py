"""Early warning: projected rolling-twelve outcomes at the next quarter ends (docs/projection.md)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd

from participants.journey import ALL

from .facts import Facts, cohort_basis_month
from .flows import monthly, performance_table
from .months import NO_MONTH, is_quarter_end, last_ended_month
from .profiles import profile_curve
from .rules import ContractTerms, ProgrammeRules

Z_90 = 1.6448536269514722  # two-sided 90% normal quantile for the range


def projection_table(
    facts: Facts,
    rules: ProgrammeRules,
    terms: ContractTerms,
    profiles: pd.DataFrame | None,
    targets: pd.DataFrame | None,
    as_of: date,
    horizon: int = 2,
) -> pd.DataFrame:
    """For each measured group, the rolling-twelve job outcomes projected at the next `horizon` quarter ends
    after the last month ended by `as_of` L (docs/projection.md):

    - outcomes already in: first job outcomes dated in window months <= L (DOMAIN.md 15.13);
    - expected outcomes of open cohorts: every cohort (referral month for WP/CAP, start month for WHP) up to
      L converts in each future month m at the group's *observed* conversion hazard for its month on
      programme k = m - c + 1: h(k) = outcomes in month k of the cohorts that have completed month k divided
      by those cohorts' sizes (pooled over all cohorts). Months on programme no cohort has completed yet take
      the profile's step P(k) - P(k-1). Cohorts after L are not counted (nobody referred yet);
    - range: the future part treated as Poisson, expected +- 1.645 sqrt(expected) (90%), floored at 0;
    - required: the rolling-twelve MPL required at that quarter end (notified targets included) from the same
      profile arithmetic as the performance figures.

    Returns quarter_end, group, actual, expected, projected, low, high, mpl_required, projected_pct,
    low_pct, high_pct (pct NaN when required is 0), below_mpl (projected < required, unrounded).
    """
    columns = [
        "quarter_end",
        "group",
        "actual",
        "expected",
        "projected",
        "low",
        "high",
        "mpl_required",
        "projected_pct",
        "low_pct",
        "high_pct",
        "below_mpl",
    ]
    last = last_ended_month(as_of)
    future_qs = [m for m in range(last + 1, last + 13) if is_quarter_end(m)][:horizon]
    if not future_qs:
        return pd.DataFrame(columns=columns)
    table = monthly(facts, rules, terms, profiles, max(future_qs))
    required = performance_table(
        facts,
        rules,
        terms,
        profiles,
        targets,
        future_qs,
        ("rolling_12",),
        tuple(rules.measured_groups),
        table=table,
    ).set_index(["group", "month"])
    basis = cohort_basis_month(facts, rules)
    outcome = facts.outcome_month  # gross first outcomes, as the MPL actuals (15.13)
    own = {g: i for i, g in enumerate(table.groups)}
    rows = []
    for g in rules.measured_groups:
        chosen = facts.in_group(g) & (basis != NO_MONTH) & (basis <= last)
        sizes_idx = table.index(np.arange(table.m0, last + 1))
        sizes = (table.cohort_sizes.sum(axis=0) if g == ALL else table.cohort_sizes[own[g]])[sizes_idx]
        hazard = _observed_hazard(
            basis[chosen],
            outcome[chosen],
            last,
            table.m0,
            sizes,
            profile_curve(profiles, g, 12 + len(sizes) + 12),
        )
        gross = table.outcomes.sum(axis=0) if g == ALL else table.outcomes[own[g]]
        for q in future_qs:
            window = np.arange(q - 11, q + 1)
            past = window[window <= last]
            actual = float(
                gross[np.clip(table.index(past), 0, table.months - 1)][table.index(past) >= 0].sum()
            )
            expected = 0.0
            for m in window[window > last]:  # at most 12 future months
                k = m - np.arange(table.m0, last + 1)  # months on programme - 1, per cohort month
                expected += float((sizes * hazard[k]).sum())
            spread = Z_90 * math.sqrt(expected)
            need = float(required.loc[(g, q), "mpl_required"])
            projected, low, high = (
                actual + expected,
                actual + max(expected - spread, 0.0),
                actual + expected + spread,
            )
            rows.append(
                {
                    "quarter_end": q,
                    "group": g,
                    "actual": actual,
                    "expected": expected,
                    "projected": projected,
                    "low": low,
                    "high": high,
                    "mpl_required": need,
                    "projected_pct": projected / need * 100.0 if need else math.nan,
                    "low_pct": low / need * 100.0 if need else math.nan,
                    "high_pct": high / need * 100.0 if need else math.nan,
                    "below_mpl": bool(projected < need),
                }
            )
    return pd.DataFrame(rows, columns=columns)


def _observed_hazard(
    basis: np.ndarray, outcome: np.ndarray, last: int, m0: int, sizes: np.ndarray, profile: np.ndarray
) -> np.ndarray:
    """h[k] (k = months on programme - 1): pooled observed share converting in month k+1, for cohorts that
    have completed that month by `last`; the profile's step where no cohort has."""
    K = len(profile)
    step = np.diff(profile, prepend=0.0)
    has = (outcome != NO_MONTH) & (outcome <= last)
    k = np.minimum(np.maximum(outcome[has] - basis[has], 0), K - 1)
    hits = np.bincount(k, minlength=K).astype(float)
    # Cohort month c has completed months on programme 1 .. last - c + 1: exposure at k is the total size
    # of the cohorts with last - c >= k.
    age = last - np.arange(m0, last + 1)
    exposure = np.bincount(np.clip(age, 0, K - 1), weights=sizes.astype(float), minlength=K)[::-1].cumsum()[
        ::-1
    ]
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(exposure > 0, hits / exposure, step)
    return hazard
