"""The MI API's record shapes of the performance endpoints (DATA.md): the engine's unrounded rows (or their
snapshots, selectors.figures) as the dicts the API returns, rounded half-to-even to 2 places here with
`engine.rounded` (DOMAIN.md 15.16). The serializers declare these shapes for the schema."""

from __future__ import annotations

from participants.journey import rounded
from performance import engine


def performance_record(row: dict, contract_ref: str) -> dict:
    """One row of engine.performance_table (as a dict) in the API's shape."""
    record = {
        "contract_ref": contract_ref,
        "group": row["group"],
        "period": row["period"],
        "period_start": engine.month_label(row["first_month"]),
        "period_end": engine.month_label(row["last_month"]),
    }
    record.update({name: int(row[name]) for name in engine.FLOWS})
    record.update(
        {
            "mpl_required": rounded(row["mpl_required"]),
            "variance": rounded(row["variance"]),
            "pct_of_mpl": rounded(row["pct_of_mpl"]),
        }
    )
    return record


def cohort_records(rows: list[dict]) -> list[dict]:
    """The rows of engine.cohort_table in the API's shape."""
    return [
        {
            "cohort": r["cohort"],
            "size": r["size"],
            "conversion_pct": [rounded(x) for x in r["conversion_pct"]],
            "profile_pct": [rounded(x) for x in r["profile_pct"]],
        }
        for r in rows  # cohort months, not referrals
    ]


def assessment_record(row: dict, contract_ref: str) -> dict:
    """One row of engine.assessment_table (as a dict) in the API's shape."""
    return {
        "contract_ref": contract_ref,
        "group": row["group"],
        "quarter_end": engine.month_label(row["quarter_end"]),
        "window_start": engine.month_label(row["window_start"]),
        "validated_months": int(row["validated_months"]),
        "validated_outcomes": int(row["validated_outcomes"]),
        "extrapolated_outcomes": rounded(row["extrapolated_outcomes"]),
        "adjusted_outcomes": rounded(row["adjusted_outcomes"]),
        "invalid_pct_used": rounded(row["invalid_pct_used"]),
        "mpl_required": rounded(row["mpl_required"]),
        "met": bool(row["met"]),
    }
