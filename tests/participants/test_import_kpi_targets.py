"""kpi_targets.csv in the bundle (DATA.md; DOMAIN.md 17.13): its errors as file:line: field: reason, the whole
bundle rejected, and an idempotent upsert keyed by everything but the target."""

from __future__ import annotations

from datetime import date

import pytest

from participants.imports.checks import BundleRejected
from participants.imports.services import import_bundle
from participants.models import KpiTarget

from .import_support import small

HEADER = "contract_ref,level,ref,kpi,month,target\n"
GOOD = (
    "T-1,STAFF,KW1,JOB_STARTS,2025-04,3\n"
    "T-1,SITE,S2,STARTS,2025-05,10.5\n"
    "T-1,ORGANISATION,T-SUB,JOB_OUTCOMES,2025-06,2\n"
    "T-1,CONTRACT,,COMPLAINTS,2025-04,4\n"
)


@pytest.fixture(autouse=True)
def _no_recompute(settings):
    settings.FLIGHTPATH_RECOMPUTE_TASKS = []


def test_bad_rows_are_each_reported_and_nothing_is_written(db, tmp_path):
    folder = small(
        tmp_path,
        **{
            "kpi_targets.csv": HEADER
            + "T-1,TEAM,KW1,JOB_STARTS,2025-04,3\n"
            + "T-1,STAFF,KW1,SMILES,2025-04,3\n"
            + "T-1,STAFF,,JOB_STARTS,2025-04,3\n"
            + "T-1,CONTRACT,X,JOB_STARTS,2025-04,3\n"
            + "T-1,STAFF,KW1,JOB_STARTS,2025-13,3\n"
            + "T-1,STAFF,KW1,JOB_STARTS,2025-05,-1\n"
            + "NOPE,STAFF,KW1,JOB_STARTS,2025-05,1\n"
            + "T-1,SITE,S1,STARTS,2025-05,1\n"
            + "T-1,SITE,S1,STARTS,2025-05,2\n"
        },
    )
    with pytest.raises(BundleRejected) as caught:
        import_bundle(path=folder)
    errors = caught.value.errors
    assert errors == [
        "kpi_targets.csv:2: level: unknown level "
        "(expected one of CONTRACT, ORGANISATION, SITE, STAFF): 'TEAM'",
        "kpi_targets.csv:3: kpi: unknown KPI (expected one of AP_REVIEWS_ON_TIME, COMPLAINTS, "
        "EARNINGS_STARTS, ELIGIBILITY_CHECKS, JOB_OUTCOMES, JOB_STARTS, PLACEMENTS_SOURCED, PSG_PROGRESS, "
        "STARTS, SUSTAINMENTS): 'SMILES'",
        "kpi_targets.csv:4: ref: required for a STAFF, SITE or ORGANISATION target",
        "kpi_targets.csv:5: ref: must be empty for a CONTRACT target",
        "kpi_targets.csv:6: month: not a month (expected YYYY-MM): '2025-13'",
        "kpi_targets.csv:7: target: must be at least 0: '-1'",
        "kpi_targets.csv:8: contract_ref: unknown contract: 'NOPE'",
        "kpi_targets.csv:10: month: duplicate key, first given on line 9",
    ]
    assert not KpiTarget.objects.exists()


def test_targets_upsert_idempotently(db, tmp_path):
    first = import_bundle(path=small(tmp_path / "a", **{"kpi_targets.csv": HEADER + GOOD}))
    assert first.counts["kpi_targets.csv"] == {"added": 4, "updated": 0, "unchanged": 0}
    again = import_bundle(path=small(tmp_path / "b", **{"kpi_targets.csv": HEADER + GOOD}))
    assert again.counts["kpi_targets.csv"] == {"added": 0, "updated": 0, "unchanged": 4}
    changed = import_bundle(
        path=small(
            tmp_path / "c",
            **{"kpi_targets.csv": HEADER + GOOD.replace("JOB_STARTS,2025-04,3", "JOB_STARTS,2025-04,5")},
        )
    )
    assert changed.counts["kpi_targets.csv"] == {"added": 0, "updated": 1, "unchanged": 3}
    staff = KpiTarget.objects.get(level="STAFF")
    assert (staff.ref, staff.kpi, staff.month, float(staff.target)) == (
        "KW1",
        "JOB_STARTS",
        date(2025, 4, 1),
        5.0,
    )
    assert KpiTarget.objects.get(level="CONTRACT").ref == ""
