"""Engine inputs for the golden bundles without a database: programme rules from the shipped seed."""

from __future__ import annotations

import importlib
from datetime import date

from performance.engine import ContractTerms, ProgrammeRules
from tests.golden import BundleFrames

_SEED = importlib.import_module("participants.migrations.0002_seed_programmes")


def rules_for(code: str) -> ProgrammeRules:
    row = next(p for p in _SEED.PROGRAMMES if p["code"] == code)
    return ProgrammeRules(code=row["code"], groups=tuple(row["groups"]),
                          measured_groups=tuple(row["measured_groups"]), cohort_basis=row["cohort_basis"],
                          outcome_window_days=row["outcome_window_days"],
                          has_quarterly_review=row["has_quarterly_review"])


def terms_for(bundle: BundleFrames) -> ContractTerms:
    return ContractTerms(start_date=date.fromisoformat(bundle.contract["start_date"]),
                         year_start_month=int(bundle.contract.get("year_start_month") or 4))
