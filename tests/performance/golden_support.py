"""Engine inputs for the golden bundles without a database: programme rules from the shipped seed."""

from __future__ import annotations

import importlib
from datetime import date

import pandas as pd

from performance import engine
from performance.engine import ContractTerms, ProgrammeRules
from tests.golden import BundleFrames

_SEED = importlib.import_module("participants.migrations.0002_seed_programmes")


def rules_for(code: str) -> ProgrammeRules:
    row = next(p for p in _SEED.PROGRAMMES if p["code"] == code)
    return ProgrammeRules(
        code=row["code"],
        groups=tuple(row["groups"]),
        measured_groups=tuple(row["measured_groups"]),
        cohort_basis=row["cohort_basis"],
        outcome_window_days=row["outcome_window_days"],
        has_quarterly_review=row["has_quarterly_review"],
    )


def terms_for(bundle: BundleFrames) -> ContractTerms:
    return ContractTerms(
        start_date=date.fromisoformat(bundle.contract["start_date"]),
        year_start_month=int(bundle.contract.get("year_start_month") or 4),
    )


def tie_keys(frame: pd.DataFrame) -> set[tuple[str, str, str]]:
    """(period_end, period, group) of the rows whose exact required figure is a tie at the third decimal."""
    return {
        (engine.month_label(m), p, g)
        for m, p, g, u in frame[["month", "period", "group", "required_units"]].itertuples(index=False)
        if u % 100 == 50
    }


def tie_tolerant(wanted: dict, got: dict) -> dict:
    """Where the exact required figure is a tie at the third decimal (x.xx5), the examples' generator rounded
    its binary approximation, which fell on either side; accept the other neighbour there, and only there."""
    out = dict(wanted)
    for name in ("mpl_required", "variance"):
        if abs(abs(got[name] - wanted[name]) - 0.01) < 1e-9:
            out[name] = got[name]
    return out


def cohort_profile_ties(rows: list[dict]) -> set[tuple[str, int]]:
    """(cohort, index) of unrounded profile percentages that are ties at the third decimal (exact means of
    hundredths of a percent, e.g. 4.395), where the examples fell on either side."""
    return {
        (r["cohort"], k)
        for r in rows
        for k, v in enumerate(r["profile_pct"])
        if abs(v * 100 - round(v * 100 - 0.5) - 0.5) < 1e-6
    }


def cohorts_tie_tolerant(wanted: dict, got: dict, ties: set[tuple[str, int]]) -> dict:
    """The wanted cohort response with, at tie positions only, a one-cent difference accepted."""
    got_rows = {r["cohort"]: r for r in got.get("results", [])}
    results = []
    for row in wanted["results"]:
        row = dict(row, profile_pct=list(row["profile_pct"]))
        mine = got_rows.get(row["cohort"])
        for k, value in enumerate(row["profile_pct"]):
            if (
                (row["cohort"], k) in ties
                and mine
                and k < len(mine["profile_pct"])
                and abs(abs(mine["profile_pct"][k] - value) - 0.01) < 1e-9
            ):
                row["profile_pct"][k] = mine["profile_pct"][k]
        results.append(row)
    return {**wanted, "results": results}
