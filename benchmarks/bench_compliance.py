"""Standards benchmark (compliance brief): one WHP contract with `referrals` referrals (~7.3 events each) in
PostgreSQL, then

- every standard for every group at one as-of date, loaded from the database and computed (target < 5 s);
- writing that date's snapshot (what the recompute job does per date);
- the standards API for the snapshot date (target < 200 ms) and the failures API first page (< 300 ms);
- peak memory (target < 2 GiB).

The data come from a small deterministic generator below, loaded with participants.services.import_bundle
(the recompute the import would enqueue is switched off: the benchmark times it itself).
Run on its own database:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/fp_compliance_bench python -m benchmarks.bench_compliance
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

# Issue 4: all standards x groups loaded and computed < 5 s; standards API from a snapshot < 200 ms;
# failures API first page < 300 ms; memory < 2 GiB.
TARGETS = {
    "load_and_compute_seconds": (5, "s"),
    "api_standards_snapshot.median_ms": (200, "ms"),
    "api_failures_first_page_snapshot.median_ms": (300, "ms"),
    "peak_rss_mib": (2048, "MiB"),
}
CONTRACT = "BENCH-CSS"
PRIME = "BENCHC-PRIME"
ORGS = [PRIME, "BENCHC-SUB1", "BENCHC-SUB2"]
GROUPS = ["DISABILITY", "EARLY_ENTRY", "LTU"]
FIRST_DAY, LAST_DAY = np.datetime64("2022-01-04"), np.datetime64("2024-12-31")
AS_OF = date(2024, 12, 31)

# (code, share of eligible referrals that have it, after which event, delay in calendar days low..high)
JOURNEY = [
    ("ACKNOWLEDGED", 0.97, "REFERRED", 0, 3),
    ("RESOLUTION", 0.97, "REFERRED", 1, 16),
    ("PRAP_RECORDED", 0.95, "RESOLUTION", 0, 5),
    ("ACTION_PLAN_AGREED", 0.95, "STARTED", 1, 18),
    ("ESF_FORM_SIGNED", 0.95, "STARTED", 0, 10),
    ("ESF_FORM_SENT", 0.97, "ESF_FORM_SIGNED", 1, 8),
    ("NON_COMPLIANCE", 0.2, "STARTED", 10, 120),
    ("SANCTION_DOUBT_RAISED", 0.9, "NON_COMPLIANCE", 0, 5),
    ("PSG_CHANGED", 0.5, "STARTED", 5, 90),
    ("JOB_START", 0.35, "STARTED", 30, 300),
    ("EARNINGS_START", 0.7, "JOB_START", 10, 60),
    ("JOB_OUTCOME", 0.45, "JOB_START", 60, 200),
    ("SUSTAINMENT", 0.6, "JOB_OUTCOME", 90, 180),
    ("EXITED", 0.5, "STARTED", 200, 460),
    ("EXIT_REPORT_SENT", 0.9, "EXITED", 2, 20),
]


def generate(folder: Path, referrals: int, seed: int = 20_221_231) -> int:
    """Write a WHP bundle into `folder` (DATA.md format); returns the number of event rows."""
    rng = np.random.default_rng(seed)
    n = referrals
    pd.DataFrame(
        [
            {
                "contract_ref": CONTRACT,
                "programme": "WHP",
                "name": "Standards benchmark",
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
            "kind": ["PRIME"] + ["SUBCONTRACTOR"] * 2,
            "parent_ref": [""] + [PRIME] * 2,
        }
    ).to_csv(folder / "organisations.csv", index=False)
    span = int((LAST_DAY - 20 - FIRST_DAY).astype(int))
    referral_date = FIRST_DAY + rng.integers(0, span, n).astype("timedelta64[D]")
    org = rng.integers(0, len(ORGS), n)
    site = org * 4 + rng.integers(0, 4, n)
    refs = pd.Series(np.arange(1, n + 1)).map("C{:08d}".format).to_numpy()
    pd.DataFrame(
        {
            "contract_ref": CONTRACT,
            "referral_ref": refs,
            "participant_ref": pd.Series(rng.integers(1, int(n * 0.95) + 2, n)).map("Q{:08d}".format),
            "referral_date": referral_date.astype(str),
            "group": np.array(GROUPS)[rng.integers(0, 3, n)],
            "delivery_org_ref": np.array(ORGS)[org],
            "site_ref": pd.Series(site).map("BS{:03d}".format),
            "key_worker": pd.Series(site * 12 + rng.integers(0, 12, n)).map("BKW{:04d}".format),
        }
    ).to_csv(folder / "referrals.csv", index=False)

    resolution_code = np.array(["STARTED", "DID_NOT_START", "FAILED_TO_ATTEND"])[
        rng.choice(3, n, p=[0.82, 0.11, 0.07])
    ]
    when = {"REFERRED": referral_date}
    parts = []
    for code, share, after, low, high in JOURNEY:
        base = when["STARTED"] if after == "STARTED" else when[after]
        has = ~np.isnat(base) & (rng.random(n) < share)
        day = np.where(
            has, base + rng.integers(low, high + 1, n).astype("timedelta64[D]"), np.datetime64("NaT")
        )
        day = np.where(day <= LAST_DAY, day, np.datetime64("NaT"))
        when[code] = day
        if code == "RESOLUTION":
            when["STARTED"] = np.where(resolution_code == "STARTED", day, np.datetime64("NaT"))
        rows = ~np.isnat(day)
        parts.append(
            pd.DataFrame(
                {
                    "referral_ref": refs[rows],
                    "event": resolution_code[rows] if code == "RESOLUTION" else code,
                    "event_date": day[rows].astype("datetime64[D]").astype(str),
                }
            )
        )
    events = pd.concat(parts, ignore_index=True)
    events.insert(0, "contract_ref", CONTRACT)
    events["amount"] = np.where(events["event"] == "JOB_OUTCOME", "500.00", "")
    events["detail"] = np.where(events["event"] == "PSG_CHANGED", "PREPARATION", "")
    events.to_csv(folder / "events.csv", index=False)
    return len(events)


def _timed(function, repeat: int = 1) -> tuple[object, list[float]]:
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - started)
    return value, times


def _ms(times: list[float]) -> dict:
    return {"median_ms": round(statistics.median(times) * 1000, 1), "max_ms": round(max(times) * 1000, 1)}


def run(referrals: int = 200_000) -> dict:
    """Load (once per database), compute, snapshot and ask the API; return the figures."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    from compliance import selectors, services
    from compliance.models import FailingItem
    from participants.models import Contract, JourneyEvent
    from participants.selectors import contract_frames
    from participants.services import import_bundle

    figures: dict = {"referrals": referrals}
    with tempfile.TemporaryDirectory(prefix="bench-compliance-") as tmp:
        folder = Path(tmp)
        figures["events_generated"] = generate(folder, referrals)
        with override_settings(FLIGHTPATH_RECOMPUTE_TASKS=[]):
            _, took = _timed(lambda: import_bundle(path=folder, source="compliance benchmark"))
        figures["import_seconds"] = round(took[0], 1)
    contract = Contract.objects.select_related("programme").get(ref=CONTRACT)
    figures["events_held"] = JourneyEvent.objects.filter(contract=contract).count()
    standards = selectors.contract_standards(contract)

    frames, load = _timed(lambda: contract_frames(contract.pk))
    result, compute = _timed(
        lambda: selectors.compute_for_contract(contract, as_of=AS_OF, standards=standards, frames=frames)
    )
    figures["load_frames_seconds"] = round(load[0], 2)
    figures["compute_all_standards_all_groups_seconds"] = round(compute[0], 2)
    figures["load_and_compute_seconds"] = round(load[0] + compute[0], 2)
    figures["standards_x_groups"] = len(result.figures)
    _, write = _timed(lambda: services.write_snapshot(contract=contract, standards=standards, result=result))
    figures["write_snapshot_seconds"] = round(write[0], 2)
    figures["failing_items_written"] = FailingItem.objects.filter(
        snapshot__contract=contract, snapshot__as_of=AS_OF
    ).count()

    user, _ = get_user_model().objects.get_or_create(
        username="bench-compliance", defaults={"is_superuser": True}
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    base = f"/api/v1/contracts/{CONTRACT}/standards/"
    as_of = AS_OF.isoformat()

    def get(url: str, params: dict) -> None:
        response = client.get(url, params)
        assert response.status_code == 200, response.content[:300]

    get(base, {"as_of": as_of})  # warm up (session, caches)
    _, took = _timed(lambda: get(base, {"as_of": as_of}), repeat=20)
    figures["api_standards_snapshot"] = _ms(took)
    _, took = _timed(lambda: get(base, {"as_of": as_of, "group": "LTU"}), repeat=20)
    figures["api_standards_snapshot_group"] = _ms(took)
    _, took = _timed(lambda: get(f"{base}CSS1a/failures/", {"as_of": as_of}), repeat=20)
    figures["api_failures_first_page_snapshot"] = _ms(took)
    _, took = _timed(
        lambda: get(f"{base}CSS1a/failures/", {"as_of": as_of, "group": "LTU", "page": 10}), repeat=10
    )
    figures["api_failures_page_10_group_snapshot"] = _ms(took)

    def csv_all() -> int:
        response = client.get(f"{base}CSS1a/failures/", {"as_of": as_of, "format": "csv"})
        return sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1

    rows, took = _timed(csv_all)
    figures["api_failures_csv_all_rows"] = {"rows": rows, "seconds": round(took[0], 2)}
    _, took = _timed(lambda: get(base, {"as_of": "2024-12-30"}), repeat=2)
    figures["api_standards_on_demand"] = _ms(took)
    figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000))
