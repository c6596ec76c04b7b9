"""Standards benchmark (compliance brief): the demo bundle (demo.generator) with `referrals` referrals in
its WHP contract (~7.7 events each, two years ending on benchmarks.data.TODAY) in PostgreSQL, then

- every standard for every group at one as-of date (the data's last day), loaded from the database and
  computed (target < 5 s);
- writing that date's snapshot (what the recompute job does per date);
- the standards API for the snapshot date (target < 200 ms) and the failures API first page (< 300 ms);
- peak memory (target < 2 GiB).

The data are loaded with imports.services.import_bundle (benchmarks.data; the recompute the import
would enqueue is switched off: the benchmark times it itself).
Run on its own database:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/fp_compliance_bench python -m benchmarks.bench_compliance
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.data import TODAY, WHP, load_demo, peak_rss_mib

# Issue 4: all standards x groups loaded and computed < 5 s; standards API from a snapshot < 200 ms;
# failures API first page < 300 ms; memory < 2 GiB.
TARGETS = {
    "load_and_compute_seconds": (5, "s"),
    "api_standards_snapshot.median_ms": (200, "ms"),
    "api_failures_first_page_snapshot.median_ms": (300, "ms"),
    "peak_rss_mib": (2048, "MiB"),
}
AS_OF = TODAY  # the data's last day
GROUP = "DISABILITY"  # the WHP contract's largest group (three referrals in four)
PAGE_SIZE = 100  # the API's default (DATA.md "MI API v1")


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
    """Load the demo bundle, compute, snapshot and ask the API; return the figures."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from compliance.models import FailingItem
    from compliance.selectors import standards as selectors
    from compliance.services import snapshots as services
    from participants.models import Contract, JourneyEvent
    from participants.selectors import contract_frames

    figures: dict = {"referrals": referrals}
    loaded = load_demo(referrals=referrals, contract=WHP, source="compliance benchmark")
    figures["events_generated"] = loaded.events
    figures["generate_seconds"] = loaded.generate_seconds
    figures["import_seconds"] = round(loaded.import_seconds, 1)
    contract = Contract.objects.select_related("programme").get(ref=WHP)
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
    base = f"/api/v1/contracts/{WHP}/standards/"
    as_of = AS_OF.isoformat()

    def get(url: str, params: dict) -> None:
        response = client.get(url, params)
        assert response.status_code == 200, response.content[:300]

    get(base, {"as_of": as_of})  # warm up (session, caches)
    _, took = _timed(lambda: get(base, {"as_of": as_of}), repeat=20)
    figures["api_standards_snapshot"] = _ms(took)
    _, took = _timed(lambda: get(base, {"as_of": as_of, "group": GROUP}), repeat=20)
    figures["api_standards_snapshot_group"] = _ms(took)
    failures = f"{base}CSS1a/failures/"
    _, took = _timed(lambda: get(failures, {"as_of": as_of}), repeat=20)
    figures["api_failures_first_page_snapshot"] = _ms(took)
    count = client.get(failures, {"as_of": as_of, "group": GROUP}).json()["count"]
    page = max(1, min(10, -(-count // PAGE_SIZE)))  # page 10 at full size, the last page of a small run
    _, took = _timed(lambda: get(failures, {"as_of": as_of, "group": GROUP, "page": page}), repeat=10)
    figures["api_failures_page_10_group_snapshot"] = {**_ms(took), "page": page}

    def csv_all() -> int:
        response = client.get(failures, {"as_of": as_of, "format": "csv"})
        return sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1

    rows, took = _timed(csv_all)
    figures["api_failures_csv_all_rows"] = {"rows": rows, "seconds": round(took[0], 2)}
    day_before = (AS_OF - timedelta(days=1)).isoformat()  # no snapshot: computed on demand
    _, took = _timed(lambda: get(base, {"as_of": day_before}), repeat=2)
    figures["api_standards_on_demand"] = _ms(took)

    # The nightly job's whole run (informational): every month end of the contract and the latest day,
    # loaded once, computed and written with their failing items, recorded as a JobRun.
    counts, took = _timed(lambda: services.recompute_contract_snapshots(contract_id=contract.pk))
    figures["nightly_recompute"] = {**counts, "seconds": round(took[0], 1)}
    figures["peak_rss_mib"] = peak_rss_mib()
    return figures


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000))
