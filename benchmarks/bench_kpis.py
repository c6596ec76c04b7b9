"""KPI benchmark (issue 12): the demo bundle's WP contract with `referrals` referrals over three years, its
key workers spread over 5,000 staff, and a target for every staff member, site, organisation and the contract
for four KPIs in each of the last twelve months; then

- KPI actuals and quarterly ratings for every unit, recomputed and stored (performance.kpis.services,
  as the Celery task runs it): target < 10 s; its own peak memory (`recompute_peak_rss_mib`: the process's
  high-water mark set back to what the load left resident just before; `peak_rss_mib` is the whole run's,
  the load's bundle included);
- the KPI API (`/api/v1/contracts/{ref}/kpis/`, a page of STAFF ratings and the CONTRACT row): < 200 ms.

Run alone (DATABASE_URL a scratch database): python -m benchmarks.bench_kpis [referrals]
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from benchmarks.bench_performance import _timed_gets
from benchmarks.data import WP, bundle_folder, demo_bundle, import_folder, peak_rss_mib

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2025, 12, 31)
STAFF = 5_000
KPIS = ("STARTS", "JOB_STARTS", "JOB_OUTCOMES", "SUSTAINMENTS")

TARGETS = {
    "recompute_seconds": (10, "s"),
    "api_kpis.median_ms": (200, "ms"),
}


def _targets(contract) -> int:
    from participants.models import KpiTarget, Organisation, Site, Staff

    months = [date(2025, m, 1) for m in range(1, 13)]
    units = [
        ("STAFF", ref)
        for ref in Staff.objects.filter(ref__startswith="BENCH-KW-").values_list("ref", flat=True)
    ]
    units += [("SITE", ref) for ref in Site.objects.values_list("ref", flat=True)]
    units += [("ORGANISATION", ref) for ref in Organisation.objects.values_list("ref", flat=True)]
    units += [("CONTRACT", "")]
    rows = [
        KpiTarget(contract=contract, level=level, ref=ref, kpi=kpi, month=month, target=Decimal(1 + n % 3))
        for n, (level, ref) in enumerate(units)
        for kpi in KPIS
        for month in months
    ]
    KpiTarget.objects.bulk_create(rows, batch_size=10_000)
    return len(rows)


def _reset_peak_rss() -> float | None:
    """Set this process's peak resident memory (VmHWM) back to what it holds now (Linux: clear_refs 5), so
    that a later peak_rss_mib() is the peak of what follows; returns the resident MiB then (None where the
    kernel does not allow it: the peak then stays the whole run's)."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return None
    return peak_rss_mib()


def run(referrals: int = 1_000_000) -> dict:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from participants.models import Contract
    from performance.kpis import services
    from performance.models import KpiRating

    figures: dict = {"referrals": referrals, "staff": STAFF}
    bundle = demo_bundle(referrals=referrals, contract=WP, today=TODAY, years=3)
    frame = bundle["referrals.csv"]
    frame["key_worker"] = [f"BENCH-KW-{n % STAFF:04d}" for n in range(len(frame))]
    figures["events"] = len(bundle["events.csv"])
    started = time.perf_counter()
    with bundle_folder(bundle) as folder:
        del bundle, frame
        import_folder(folder, source="kpi benchmark")
    figures["load_seconds"] = round(time.perf_counter() - started, 1)
    contract = Contract.objects.get(ref=WP)
    figures["targets"] = _targets(contract)

    load_peak = peak_rss_mib()
    resident = _reset_peak_rss()
    figures["recompute_load_average_1m"] = round(os.getloadavg()[0], 2)
    started = time.perf_counter()
    figures["ratings_written"] = services.recompute_ratings(contract_id=contract.pk)
    figures["recompute_seconds"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    services.recompute_ratings(contract_id=contract.pk)  # again: every rating held, none changed
    figures["recompute_again_seconds"] = round(time.perf_counter() - started, 2)
    peak = peak_rss_mib()
    figures["peak_rss_mib"] = max(load_peak, peak)
    if resident is not None:
        figures["recompute_peak_rss_mib"], figures["resident_before_recompute_mib"] = peak, resident
    figures["ratings_by_rag"] = dict(
        KpiRating.objects.filter(contract=contract).order_by().values_list("rag").annotate(n=Count("*"))
    )

    user, _ = get_user_model().objects.get_or_create(username="bench-kpis", defaults={"is_superuser": True})
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    url = f"/api/v1/contracts/{WP}/kpis/"
    queries = [
        {"quarter_end": quarter, "level": level, "page": page}
        for quarter in ("2025-06", "2025-09")
        for level, page in (("STAFF", 1), ("STAFF", 25), ("CONTRACT", 1), ("SITE", 1))
    ]
    figures["api_kpis"] = _timed_gets(client, url, queries)
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    return figures


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), indent=1))
