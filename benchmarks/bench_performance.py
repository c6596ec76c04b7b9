"""Performance benchmark (performance brief): the demo bundle (demo.generator) with `referrals` referrals
in its WP contract over three years (issue 5: 1,000,000 referrals and their events over three years; ~6.9
events each), with its MPL profiles, validation rounds and DWP targets, imported with
participants.imports.services.import_bundle (benchmarks.data), all but the events of the data's last day; then

- a full recompute of the contract (every month, period and group, cohorts, assessments and the projection,
  snapshots written; the recommendations are the regimes benchmark's): target < 60 s, peak memory of that
  process < 4 GiB;
- an incremental recompute after the last day's events are imported (a second, small bundle through the
  same import; months = the months the import reports touched): < 10 s;
- the performance API served from snapshots: < 200 ms (median; max reported too);
- the performance API filtered by a site (issue 12: computed on demand from that site's referrals alone,
  no snapshot): < 200 ms median as the snapshot API, reported with its slowest answer and that site's share
  of the referrals.

The recomputes run in a child process each (`python -m benchmarks.bench_performance --recompute ID
[MONTH...]`), so their peak RSS is their own, not the generator's or the import's.
Run alone: DATABASE_URL=postgres://postgres@127.0.0.1:5432/fp_performance_bench
python -m benchmarks.bench_performance [referrals]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd

from benchmarks.data import WP, bundle_folder, demo_bundle, import_folder, peak_rss_mib

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2025, 12, 30)  # the data's last day, a working day: its events are the incremental import
YEARS = 3

TARGETS = {
    "full_recompute_seconds": (60, "s"),
    "full_recompute_peak_rss_mib": (4096, "MiB"),
    "incremental_recompute_seconds": (10, "s"),
    "api_performance_snapshot.median_ms": (200, "ms"),
    "api_performance_site.median_ms": (200, "ms"),
}


Bundle = dict[str, pd.DataFrame]


def split_last_day(bundle: Bundle) -> tuple[Bundle, Bundle]:
    """(the bundle without the events dated TODAY, a bundle of just those events and their referrals'
    rows, unchanged): the second is one more day's PRaP extract for an incremental import."""
    events = bundle["events.csv"]
    last_day = (events["event_date"] == TODAY.isoformat()).to_numpy()
    referrals = bundle["referrals.csv"]
    touched = referrals["referral_ref"].isin(events.loc[last_day, "referral_ref"].astype(str)).to_numpy()
    day = {
        "referrals.csv": referrals[touched].reset_index(drop=True),
        "events.csv": events[last_day].reset_index(drop=True),
    }
    return {**bundle, "events.csv": events[~last_day].reset_index(drop=True)}, day


def _recompute_in_child(contract_id: int, months: list[str] | None = None) -> dict:
    command = [sys.executable, "-m", "benchmarks.bench_performance", "--recompute", str(contract_id)]
    command += months or []
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env=os.environ.copy(), check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"recompute failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _recompute_here(contract_id: int, months: list[str] | None) -> dict:
    """The child's work: the recompute exactly as the Celery task runs it (JobRun recorded)."""
    from performance.tasks import recompute_contract

    started = time.perf_counter()
    result = recompute_contract(contract_id, months or None)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mib": peak_rss_mib(),
        **result,
    }


def _timed_gets(client, url: str, queries: list[dict]) -> dict:
    """Median and slowest server time of GET url?query for each query (each must answer 200)."""
    took = []
    for query in queries:
        t0 = time.perf_counter()
        response = client.get(url, query)
        took.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.content[:300]
    return {"median_ms": round(statistics.median(took) * 1000, 1), "max_ms": round(max(took) * 1000, 1)}


def run(referrals: int = 1_000_000) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from participants.models import Contract

    figures: dict = {"referrals": referrals}
    if Contract.objects.filter(ref=WP).exists():
        raise RuntimeError("run on a fresh database (python -m benchmarks.run performance)")
    started = time.perf_counter()
    bundle, last_day = split_last_day(demo_bundle(referrals=referrals, contract=WP, today=TODAY, years=YEARS))
    generated = time.perf_counter() - started
    figures["events_generated"] = len(bundle["events.csv"]) + len(last_day["events.csv"])
    figures["generate_seconds"] = round(generated, 2)
    started = time.perf_counter()
    with bundle_folder(bundle) as folder:
        del bundle  # the import reads the files: the frames need not stay in memory
        import_folder(folder, source="performance benchmark")
    figures["load_seconds"] = round(time.perf_counter() - started, 1)  # writing the CSV files and importing
    contract_id = Contract.objects.get(ref=WP).pk
    full = _recompute_in_child(contract_id)
    figures["full_recompute_seconds"] = full["seconds"]
    figures["full_recompute_peak_rss_mib"] = full["peak_rss_mib"]
    figures["snapshots_written"] = {
        "performance": full["performance_rows"],
        "cohorts": full["cohort_rows"],
        "assessments": full["assessment_rows"],
    }
    with bundle_folder(last_day) as folder:
        started = time.perf_counter()
        imported = import_folder(folder, source="performance benchmark (last day)")
    figures["incremental_import_seconds"] = round(time.perf_counter() - started, 2)
    figures["incremental_events"] = imported.counts["events.csv"]["added"]
    months = imported.months.get(contract_id)
    figures["incremental_months"] = len(months) if months is not None else "all"
    incremental = _recompute_in_child(contract_id, months)
    figures["incremental_recompute_seconds"] = incremental["seconds"]
    figures["incremental_performance_rows"] = incremental["performance_rows"]

    user, _ = get_user_model().objects.get_or_create(
        username="bench-performance", defaults={"is_superuser": True}
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    url = f"/api/v1/contracts/{WP}/performance/"
    params = [
        {"month": f"2025-{m:02d}", "period": p, "group": g}
        for m in (3, 6, 9, 12)
        for p in ("rolling_12", "ytd", "in_month")
        for g in ("ALL", "PG1")
    ]
    assert client.get(url, params[0]).status_code == 200
    figures["api_performance_snapshot"] = _timed_gets(client, url, params)
    # Filtered by the subcontractor's site (the smaller one): on demand, the slice's referrals only.
    from participants.models import Referral, Site

    site = Site.objects.filter(referrals__contract_id=contract_id).order_by("ref").distinct().last()
    share = Referral.objects.filter(contract_id=contract_id, site=site).count() / referrals
    figures["api_performance_site_share_pct"] = round(share * 100, 1)
    figures["api_performance_site"] = _timed_gets(client, url, [{**q, "site": site.ref} for q in params[:8]])
    # The contract performance page at its defaults (latest month, rolling 12, ALL; every panel) and for one
    # group: read from the snapshots the recompute stored, no referral loaded (informational, no target).
    figures["performance_page_snapshot"] = _timed_gets(
        client, f"/performance/contracts/{WP}/", [{}, {"group": "PG1"}] * 5
    )
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    return figures


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    if len(sys.argv) > 2 and sys.argv[1] == "--recompute":
        print(json.dumps(_recompute_here(int(sys.argv[2]), sys.argv[3:])))
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), indent=1))
