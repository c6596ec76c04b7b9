"""Import benchmark (DATA.md "Speed"): the demo bundle (demo.generator) with `referrals` referrals in its
WHP contract (~7.7 events each: 200,000 referrals give the issue's ~1.5M events), imported into the current
database with participants.imports.services.import_bundle, then imported again unchanged.

Targets: 200,000 referrals / ~1.5M events in under 60 s, a no-change re-import under 30 s, peak RSS < 2 GiB.
Run on its own database: DATABASE_URL=postgres://.../fp_import_bench python -m benchmarks.bench_import
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from benchmarks.data import WHP, bundle_folder, demo_bundle, import_folder, peak_rss_mib

TARGETS = {"first_import_seconds": (60, "s"), "reimport_seconds": (30, "s"), "peak_rss_mib": (2048, "MiB")}


def run(referrals: int = 200_000) -> dict:
    """Generate, import, import again; return the figures."""
    started = time.perf_counter()
    bundle = demo_bundle(referrals=referrals, contract=WHP)
    generate_seconds = time.perf_counter() - started
    events = len(bundle["events.csv"])
    with bundle_folder(bundle) as folder:
        del bundle  # the import reads the files: the frames need not stay in memory
        started = time.perf_counter()
        first = import_folder(folder, source="benchmark")
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = import_folder(folder, source="benchmark (again)")
        again_seconds = time.perf_counter() - started
    return {
        "referrals": referrals,
        "events": events,
        "generate_seconds": round(generate_seconds, 2),
        "first_import_seconds": round(first_seconds, 2),
        "reimport_seconds": round(again_seconds, 2),
        "peak_rss_mib": peak_rss_mib(),
        "first_counts": {name: counts["added"] for name, counts in first.counts.items()},
        "reimport_changed": sum(c["added"] + c["updated"] for c in again.counts.values()),
    }


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000))
