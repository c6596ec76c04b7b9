"""Import benchmark (DATA.md "Speed"): a generated bundle of `referrals` referrals with ~7.5 events each,
imported into the current database, then imported again unchanged.

Targets: 200,000 referrals / 1.5M events in under 60 s, a no-change re-import under 30 s, peak RSS < 2 GiB.
Run on its own database: DATABASE_URL=postgres://.../fp_import_bench python -m benchmarks.bench_import
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TARGETS = {"first_import_seconds": (60, "s"), "reimport_seconds": (30, "s"), "peak_rss_mib": (2048, "MiB")}
CONTRACT = "BENCH-1"
PRIME = "BENCH-PRIME"
ORGS = [PRIME, "BENCH-SUB1", "BENCH-SUB2", "BENCH-SUB3"]
GROUPS = ["DISABILITY", "EARLY_ENTRY", "LTU"]
# Journey slots in date order; a referral has the first k of them, k uniform in 5..10 (mean 7.5).
SLOTS = [
    ("ACKNOWLEDGED", 1),
    ("STARTED", 8),
    ("PRAP_RECORDED", 10),
    ("ACTION_PLAN_AGREED", 15),
    ("ESF_FORM_SIGNED", 16),
    ("ESF_FORM_SENT", 19),
    ("JOB_START", 120),
    ("EARNINGS_START", 150),
    ("JOB_OUTCOME", 200),
    ("SUSTAINMENT", 260),
]


def generate(folder: Path, referrals: int, seed: int = 20_250_101) -> int:
    """Write a WHP bundle into `folder`; returns the number of event rows. Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    n = referrals
    pd.DataFrame(
        [
            {
                "contract_ref": CONTRACT,
                "programme": "WHP",
                "name": "Benchmark contract",
                "prime_ref": PRIME,
                "prime_name": "Benchmark Prime Ltd",
                "cpa": "CPA1",
                "nation": "ENG",
                "start_date": "2022-01-01",
                "end_date": "2027-03-31",
                "year_start_month": 4,
            }
        ]
    ).to_csv(folder / "contracts.csv", index=False)
    pd.DataFrame(
        {
            "org_ref": ORGS,
            "name": [f"{o} Ltd" for o in ORGS],
            "kind": ["PRIME"] + ["SUBCONTRACTOR"] * 3,
            "parent_ref": [""] + [PRIME] * 3,
        }
    ).to_csv(folder / "organisations.csv", index=False)
    days = rng.integers(0, 3 * 365, n)
    referral_date = np.datetime64("2022-01-03") + days.astype("timedelta64[D]")
    org = rng.integers(0, len(ORGS), n)
    site = org * 5 + rng.integers(0, 5, n)
    ids = np.arange(1, n + 1)
    refs = pd.Series(ids).map("R{:08d}".format)
    pd.DataFrame(
        {
            "contract_ref": CONTRACT,
            "referral_ref": refs,
            "participant_ref": pd.Series(rng.integers(1, int(n * 0.95) + 2, n)).map("P{:08d}".format),
            "referral_date": referral_date.astype(str),
            "group": np.array(GROUPS)[rng.integers(0, 3, n)],
            "delivery_org_ref": np.array(ORGS)[org],
            "site_ref": pd.Series(site).map("S{:03d}".format),
            "key_worker": pd.Series(site * 10 + rng.integers(0, 10, n)).map("KW{:04d}".format),
            "date_of_birth": (
                np.datetime64("1960-01-01") + rng.integers(0, 40 * 365, n).astype("timedelta64[D]")
            ).astype(str),
            "gender": np.array(["F", "M"])[rng.integers(0, 2, n)],
            "disability": np.array(["Y", "N"])[rng.integers(0, 2, n)],
            "ethnicity": "WHITE",
            "postcode_district": "M1",
            "dda": np.where(rng.random(n) < 0.1, "DDA-GM", ""),
        }
    ).to_csv(folder / "referrals.csv", index=False)
    count = rng.integers(5, 11, n)
    row = np.repeat(np.arange(n), count)
    slot = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    codes = np.array([code for code, _ in SLOTS], dtype=object)[slot]
    resolution = np.array(["STARTED", "DID_NOT_START", "FAILED_TO_ATTEND"])[
        rng.choice(3, n, p=[0.85, 0.1, 0.05])
    ][row]
    codes = np.where(slot == 1, resolution, codes)
    offsets = np.array([offset for _, offset in SLOTS])[slot]
    pd.DataFrame(
        {
            "contract_ref": CONTRACT,
            "referral_ref": refs.to_numpy()[row],
            "event": codes,
            "event_date": (referral_date[row] + offsets.astype("timedelta64[D]")).astype(str),
            "amount": np.where(codes == "JOB_OUTCOME", "500.00", ""),
            "detail": "",
        }
    ).to_csv(folder / "events.csv", index=False)
    return len(row)


def run(referrals: int = 200_000) -> dict:
    """Generate, import, import again; return the figures."""
    from participants.services import import_bundle

    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        folder = Path(tmp)
        events = generate(folder, referrals)
        started = time.perf_counter()
        first = import_bundle(path=folder, source="benchmark")
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = import_bundle(path=folder, source="benchmark (again)")
        again_seconds = time.perf_counter() - started
    return {
        "referrals": referrals,
        "events": events,
        "first_import_seconds": round(first_seconds, 2),
        "reimport_seconds": round(again_seconds, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "first_counts": {name: counts["added"] for name, counts in first.counts.items()},
        "reimport_changed": sum(c["added"] + c["updated"] for c in again.counts.values()),
    }


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000))
