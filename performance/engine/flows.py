"""Flows and performance against MPL (DOMAIN.md 6, 7, 15.7, 15.10, 15.13): months x groups matrices built in
one pass over the facts, from which every period's figure is a difference of cumulative sums.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from participants.journey import ALL

from .facts import Facts, cohort_basis_month
from .months import NO_MONTH
from .profiles import UNITS, Targets, profile_points
from .rules import FLOWS, PERIODS, RESOLUTION_FLOWS, ContractTerms, ProgrammeRules


@dataclass
class Monthly:
    """groups x months x flows counts and groups x months MPL-required outcomes, months m0 .. m0+T-1.

    `groups` are the programme's own groups followed by any other group the data holds; ALL is their sum.
    """

    m0: int
    groups: list[str]
    flows: np.ndarray  # int64 [G, T, F]
    required: np.ndarray  # int64 [G, T], in UNITS
    outcomes: np.ndarray  # int64 [G, T]: first job outcomes (gross), by outcome month
    invalid_outcomes: np.ndarray  # int64 [G, T]: those of invalidated referrals
    cohort_sizes: np.ndarray  # int64 [G, T]: cohort sizes by cohort-basis month

    @property
    def months(self) -> int:
        return self.flows.shape[1]

    def index(self, month: np.ndarray | int) -> np.ndarray:
        return np.asarray(month) - self.m0


def monthly(
    facts: Facts,
    rules: ProgrammeRules,
    terms: ContractTerms,
    profiles: pd.DataFrame | None,
    through_month: int,
) -> Monthly:
    own = [g for g in rules.groups if g != ALL] or list(rules.groups)
    groups = own + sorted(set(facts.group_names) - set(own))
    # each referral's row in `groups`, through the factorized codes (no loop per referral)
    g_of = (
        np.array([groups.index(g) for g in facts.group_names], dtype=np.int64)[facts.group_code]
        if facts.size
        else np.zeros(0, np.int64)
    )
    data_months = [facts.referral_month[facts.referral_month != NO_MONTH]]
    m0 = min([terms.start_month] + [int(m.min()) for m in data_months if len(m)])
    m0 = min(m0, through_month) - 11  # room for a rolling twelve months before the first month
    T = max(through_month - m0 + 1, 1)
    G, F = len(groups), len(FLOWS)

    def counts(
        gidx: np.ndarray, months: np.ndarray, fidx: np.ndarray | int = 0, width: int = 1
    ) -> np.ndarray:
        ok = (months != NO_MONTH) & (months >= m0) & (months < m0 + T)
        fidx = np.broadcast_to(fidx, months.shape)
        flat = (gidx[ok] * T + (months[ok] - m0)) * width + fidx[ok]
        return (
            np.bincount(flat, minlength=G * T * width).reshape(G, T, width)
            if width > 1
            else np.bincount(flat, minlength=G * T).reshape(G, T)
        )

    flows = np.zeros((G, T, F), np.int64)
    flows[:, :, FLOWS.index("referrals")] = counts(g_of, facts.referral_month)
    for kind, name in RESOLUTION_FLOWS.items():
        sel = facts.resolution == kind
        flows[:, :, FLOWS.index(name)] = counts(g_of[sel], facts.resolution_month[sel])
    outcome_month = facts.outcome_month
    outcomes = counts(g_of, outcome_month)
    flows[:, :, FLOWS.index("job_outcomes")] = outcomes
    if len(facts.event_flow):
        flows += counts(g_of[facts.event_referral], facts.event_month, facts.event_flow, F)
    invalid_outcomes = counts(g_of[facts.invalidated], outcome_month[facts.invalidated])
    sizes = counts(g_of, cohort_basis_month(facts, rules))

    # MPL required (DOMAIN.md 7): expected(m) = sum_c size(c) x (P(k) - P(k-1)), k = m - c + 1: a convolution.
    required = np.zeros((G, T), np.int64)
    for i, g in enumerate(groups):
        if sizes[i].any():
            step = np.diff(profile_points(profiles, g, T), prepend=0)
            required[i] = np.convolve(sizes[i], step)[:T]
    return Monthly(
        m0=m0,
        groups=groups,
        flows=flows,
        required=required,
        outcomes=outcomes,
        invalid_outcomes=invalid_outcomes,
        cohort_sizes=sizes,
    )


# --------------------------------------------------------------------------------------------------------
# Periods and performance against MPL
# --------------------------------------------------------------------------------------------------------


def period_bounds(months: np.ndarray, period: str, terms: ContractTerms) -> tuple[np.ndarray, np.ndarray]:
    """(first month, last month) of `period` ending with each month M (DOMAIN.md 15.7)."""
    months = np.asarray(months, dtype=np.int64)
    into_year = (months % 12 - (terms.year_start_month - 1)) % 12
    starts = {
        "in_month": months,
        "rolling_3": months - 2,
        "rolling_12": months - 11,
        "quarter": months - into_year % 3,
        "ytd": np.maximum(months - into_year, terms.start_month),
        "ctd": np.full_like(months, terms.start_month),
    }
    if period not in starts:
        raise ValueError(period)
    return starts[period], months


def performance_table(
    facts: Facts,
    rules: ProgrammeRules,
    terms: ContractTerms,
    profiles: pd.DataFrame | None,
    targets: pd.DataFrame | None,
    months: list[int] | np.ndarray,
    periods: tuple[str, ...] = PERIODS,
    groups: tuple[str, ...] | None = None,
    table: Monthly | None = None,
) -> pd.DataFrame:
    """One row per (month M, period, group) for the months given: flows, mpl_required, variance, pct_of_mpl
    (NaN when required is 0). Groups default to ALL and every programme group."""
    months = np.asarray(sorted(set(int(m) for m in months)), dtype=np.int64)
    if len(months) and months.min() < terms.start_month:
        raise ValueError("month before the contract start")
    table = table or monthly(
        facts, rules, terms, profiles, int(months.max()) if len(months) else terms.start_month
    )
    groups = groups or rules.report_groups
    notified = Targets.from_frame(targets)
    cum_flows = np.concatenate(
        [np.zeros((len(table.groups), 1, len(FLOWS)), np.int64), table.flows.cumsum(axis=1)], axis=1
    )
    cum_req = np.concatenate(
        [np.zeros((len(table.groups), 1), np.int64), table.required.cumsum(axis=1)], axis=1
    )
    parts = []
    for period in periods:
        first, last = period_bounds(months, period, terms)
        a = np.clip(table.index(first), 0, table.months)
        b = np.clip(table.index(last) + 1, 0, table.months)
        flows = cum_flows[:, b, :] - cum_flows[:, a, :]  # [G, n, F]
        required = cum_req[:, b] - cum_req[:, a]  # [G, n]
        own = {g: i for i, g in enumerate(table.groups)}
        # A notified figure replaces a group's derived one on an exact (group, period) match (15.10).
        overridden = required.copy()
        for g, i in own.items():
            hit = notified.lookup(g, first, last)
            overridden[i] = np.where(hit < 0, overridden[i], hit)
        programme_rows = [own[g] for g in rules.groups if g in own]
        for g in groups:
            if g == ALL:
                g_flows = flows.sum(axis=0)
                g_req = (
                    overridden[programme_rows].sum(axis=0)
                    if programme_rows
                    else np.zeros(len(months), np.int64)
                )
                hit = notified.lookup(ALL, first, last) if ALL not in own else np.full(len(months), -1)
                g_req = np.where(hit < 0, g_req, hit)
            elif g in own:
                g_flows, g_req = flows[own[g]], overridden[own[g]]
            else:
                g_flows, g_req = (
                    np.zeros((len(months), len(FLOWS)), np.int64),
                    np.zeros(len(months), np.int64),
                )
            frame = pd.DataFrame(g_flows, columns=list(FLOWS))
            frame.insert(0, "month", months)
            frame.insert(1, "period", period)
            frame.insert(2, "group", g)
            frame.insert(3, "first_month", first)
            frame.insert(4, "last_month", last)
            frame["required_units"] = g_req
            parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    out["mpl_required"] = out["required_units"] / UNITS
    out["variance"] = (out["job_outcomes"] * UNITS - out["required_units"]) / UNITS
    with np.errstate(divide="ignore", invalid="ignore"):
        out["pct_of_mpl"] = np.where(
            out["mpl_required"] != 0, out["job_outcomes"] / out["mpl_required"] * 100.0, np.nan
        )
    return out
