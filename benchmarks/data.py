"""Benchmark data: the demo generator's bundle, loaded through the product's bulk import.

Every benchmark takes its contract, referrals, participants and journey events from
`demo.generator.generate_bundle` (the deterministic generator behind `manage.py seed_demo`), with all
its referrals in one demo contract, and loads them with `participants.imports.services.import_bundle` (what
`manage.py import_bundle` runs): the real write path, not a copy of it. The recompute an import enqueues is
switched off here (the runner does the same), so a benchmark times only what it measures.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from demo.csv_files import write_bundle
from demo.generator import generate_bundle
from demo.specs import DEFAULT_SEED, YEARS_OF_DATA

WP = "DEMO-WP-ENG"  # ~5.8 events a referral over two years, ~6.9 over three
WHP = "DEMO-WHP-SCT"  # ~7.7 events a referral over two years (DATA.md "Speed": 200,000 -> ~1.5M)
TODAY = date(2025, 12, 31)  # a fixed end date, so a run on another day generates the same data


def demo_bundle(
    *,
    referrals: int,
    contract: str,
    today: date = TODAY,
    years: int = YEARS_OF_DATA,
    seed: int = DEFAULT_SEED,
) -> dict[str, pd.DataFrame]:
    """The demo bundle with every referral in `contract`, `years` of journeys ending on `today`."""
    return generate_bundle(referrals=referrals, today=today, seed=seed, contracts=(contract,), years=years)


@contextmanager
def bundle_folder(bundle: dict[str, pd.DataFrame]) -> Iterator[Path]:
    """The bundle written as its CSV files into a temporary folder, removed afterwards. Holds no reference
    to the frames once written, so a caller may drop them before importing."""
    with tempfile.TemporaryDirectory(prefix="flightpath-bench-bundle-") as folder:
        write_bundle(bundle, Path(folder))
        del bundle
        yield Path(folder)


def import_folder(folder: Path, *, source: str):
    """Import a bundle folder with the product's import (its recompute tasks switched off)."""
    from django.test.utils import override_settings

    from participants.imports.services import import_bundle

    with override_settings(FLIGHTPATH_RECOMPUTE_TASKS=[]):
        return import_bundle(path=folder, source=source)


@dataclass(frozen=True)
class Loaded:
    referrals: int
    events: int  # event rows in the bundle imported
    generate_seconds: float
    write_seconds: float  # writing the CSV files
    import_seconds: float  # import_bundle on them
    counts: dict[str, dict[str, int]]


def load_demo(
    *, referrals: int, contract: str, source: str, today: date = TODAY, years: int = YEARS_OF_DATA
) -> Loaded:
    """Generate the one-contract demo bundle, write it and import it; what was loaded, how long each took."""
    started = time.perf_counter()
    bundle = demo_bundle(referrals=referrals, contract=contract, today=today, years=years)
    generated = time.perf_counter()
    size = {"referrals": len(bundle["referrals.csv"]), "events": len(bundle["events.csv"])}
    with bundle_folder(bundle) as folder:
        del bundle  # the import reads the files: the frames need not stay in memory
        written = time.perf_counter()
        result = import_folder(folder, source=source)
        imported = time.perf_counter()
    return Loaded(
        **size,
        generate_seconds=round(generated - started, 2),
        write_seconds=round(written - generated, 2),
        import_seconds=round(imported - written, 2),
        counts=result.counts,
    )


def peak_rss_mib() -> float:
    """This process's peak resident memory in MiB: VmHWM, which a new program starts afresh. (getrusage's
    ru_maxrss survives exec on Linux, so a child started from a large parent would report the parent's.)"""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    import resource  # not Linux: the closest figure there is

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
