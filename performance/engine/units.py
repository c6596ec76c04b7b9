"""Figures by unit (issue 12): one period's flows and indicative MPL required outcomes for every unit (site,
delivering organisation, key worker, Devolution Deal Area) at once, from the per-referral facts and each
referral's unit code; no loop per unit or referral.

A unit's MPL required outcomes are derived as the contract's are (DOMAIN.md 7), from the unit's own
referrals' cohorts and the group profiles: summed over the period's months the convolution telescopes to
P(last - c + 1) - P(first - c) per referral of cohort month c, so the units' figures add up to the
contract's derived figure. DWP-notified targets are contract figures and never apply to a unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from participants.journey import ALL

from .facts import Facts, cohort_basis_month
from .flows import period_bounds
from .months import NO_MONTH
from .profiles import UNITS, profile_points
from .rules import FLOWS, RESOLUTION_FLOWS, ContractTerms, ProgrammeRules


def unit_table(
    facts: Facts,
    units: np.ndarray,
    rules: ProgrammeRules,
    terms: ContractTerms,
    profiles: pd.DataFrame | None,
    *,
    month: int,
    period: str,
    group: str,
) -> pd.DataFrame:
    """One row per unit code present in `units` (int64, one per referral of `facts`): `unit`, every flow of
    FLOWS in the period ending `month`, mpl_required, variance and pct_of_mpl (NaN where required is 0), for
    `group` (ALL: every referral, MPL of the programme's groups)."""
    first_arr, last_arr = period_bounds(np.array([month]), period, terms)
    first, last = int(first_arr[0]), int(last_arr[0])
    chosen = facts.in_group(group)
    units = np.asarray(units, dtype=np.int64)
    present = np.unique(units[chosen])
    code = np.searchsorted(present, units)  # each referral's row (meaningful where chosen)
    U = len(present)

    def count(mask: np.ndarray, months: np.ndarray, rows: np.ndarray = code) -> np.ndarray:
        inside = mask & (months != NO_MONTH) & (months >= first) & (months <= last)
        return np.bincount(rows[inside], minlength=U)

    out = {name: np.zeros(U, np.int64) for name in FLOWS}
    out["referrals"] = count(chosen, facts.referral_month)
    for kind, name in RESOLUTION_FLOWS.items():
        out[name] = count(chosen & (facts.resolution == kind), facts.resolution_month)
    out["job_outcomes"] = count(chosen, facts.outcome_month)
    if len(facts.event_flow):
        ev_chosen = chosen[facts.event_referral]
        ev_rows = code[facts.event_referral]
        for f in np.unique(facts.event_flow):  # the few per-event flows
            out[FLOWS[f]] = count(ev_chosen & (facts.event_flow == f), facts.event_month, ev_rows)

    # Required: per referral P(last - c + 1) - P(first - c) of its group's profile, in UNITS.
    basis = cohort_basis_month(facts, rules)
    measured = chosen & (basis != NO_MONTH) & (basis <= last)
    if group == ALL:
        measured &= np.isin(facts.group, [g for g in rules.groups if g != ALL])
    required = np.zeros(U, np.int64)
    if measured.any():
        c = basis[measured]
        length = int(last - c.min() + 1)
        curves = np.stack(
            [np.concatenate([[0], profile_points(profiles, name, length)]) for name in facts.group_names]
        )  # [groups held, length + 1]: P(0) = 0, P(1..length)
        g = facts.group_code[measured]
        upper = curves[g, last - c + 1]
        lower = curves[g, np.clip(first - c, 0, None)]
        required = np.bincount(code[measured], weights=upper - lower, minlength=U).round().astype(np.int64)
    frame = pd.DataFrame({"unit": present, **out})
    frame["mpl_required"] = required / UNITS
    frame["variance"] = (frame["job_outcomes"] * UNITS - required) / UNITS
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["pct_of_mpl"] = np.where(
            required != 0, frame["job_outcomes"] / frame["mpl_required"] * 100.0, np.nan
        )
    frame["first_month"], frame["last_month"] = first, last
    return frame
