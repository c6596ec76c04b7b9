"""Performance benchmark (performance brief): one WP contract with `referrals` referrals (~3.3 events each)
over three years in PostgreSQL, bulk-loaded with COPY from a deterministic generator, then

- a full recompute of the contract (every month, period and group, cohorts, assessments, projection and
  recommendations, snapshots written): target < 60 s, peak memory of that process < 4 GiB;
- an incremental recompute after one more day's events are imported (months = that month): < 10 s;
- the performance API served from snapshots: < 200 ms (median; max reported too).

The recomputes run in a child process each (`python -m benchmarks.bench_performance --recompute ID
[MONTH]`), so their peak RSS is their own, not the generator's.
Run alone: DATABASE_URL=postgres://postgres@127.0.0.1:5432/fp_performance_bench
python -m benchmarks.bench_performance [referrals]
"""

from __future__ import annotations

import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = "BENCH-PERF"
PRIME = "BENCHP-PRIME"
FIRST_DAY, LAST_DAY = np.datetime64("2023-01-03"), np.datetime64("2025-12-30")
GROUPS = ["PG1", "PG2", "PG3", "PG4", "PG5", "PG6A", "PG6B", "PG7", "PG8", "PG9"]
GROUP_SHARES = [0.22, 0.30, 0.04, 0.04, 0.04, 0.18, 0.06, 0.04, 0.04, 0.04]

TARGETS = {
    "full_recompute_seconds": (60, "s"),
    "full_recompute_peak_rss_mib": (4096, "MiB"),
    "incremental_recompute_seconds": (10, "s"),
    "api_performance_snapshot.median_ms": (200, "ms"),
}


def _copy(cursor, table: str, columns: list[str], frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
    buffer.seek(0)
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
        while block := buffer.read(1 << 20):
            copy.write(block)


def _ids(cursor, sql: str) -> pd.DataFrame:
    buffer = io.BytesIO()
    with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    return pd.read_csv(buffer, names=["id", "ref"], header=None, dtype={"id": "int64", "ref": str})


def journeys(referral_days: np.ndarray, rng: np.random.Generator, last_day: np.datetime64) -> pd.DataFrame:
    """Events (position, code, date) of WP journeys for the given referral dates, vectorised."""
    n = len(referral_days)
    none = np.datetime64("NaT")
    parts = []

    def add(code: str, has: np.ndarray, day: np.ndarray) -> np.ndarray:
        day = np.where(has, day, none)
        day = np.where(day <= last_day, day, none)
        rows = ~np.isnat(day)
        parts.append(pd.DataFrame({"pos": np.flatnonzero(rows), "code": code, "day": day[rows]}))
        return day

    def after(base: np.ndarray, low: int, high: int) -> np.ndarray:
        return base + rng.integers(low, high + 1, n).astype("timedelta64[D]")

    add("ACKNOWLEDGED", rng.random(n) < 0.98, after(referral_days, 0, 3))
    kind = rng.choice(4, n, p=[0.78, 0.09, 0.08, 0.05])  # STARTED, DNS, FTA, unresolved
    resolved = after(referral_days, 1, 25)
    started = add("STARTED", kind == 0, resolved)
    add("DID_NOT_START", kind == 1, resolved)
    add("FAILED_TO_ATTEND", kind == 2, resolved)
    has_start = ~np.isnat(started)
    add("ACTION_PLAN_AGREED", has_start & (rng.random(n) < 0.9), after(started, 1, 20))
    job = add("JOB_START", has_start & (rng.random(n) < 0.32), after(started, 20, 500))
    has_job = ~np.isnat(job)
    add("EARNINGS_START", has_job & (rng.random(n) < 0.6), after(job, 5, 40))
    outcome = add("JOB_OUTCOME", has_job & (rng.random(n) < 0.55), after(job, 90, 200))
    has_outcome = ~np.isnat(outcome)
    add("OUTCOME_INVALIDATED", has_outcome & (rng.random(n) < 0.07), after(outcome, 60, 300))
    sustained = has_outcome & (rng.random(n) < 0.6)
    add("SUSTAINMENT", sustained, after(outcome, 28, 31))
    add("SUSTAINMENT", sustained & (rng.random(n) < 0.7), after(outcome, 60, 62))
    add("EXITED", has_start & (rng.random(n) < 0.5), after(started, 300, 730))
    return pd.concat(parts, ignore_index=True)


def load(referrals: int, seed: int = 20_230_103) -> dict:
    """Create the contract and COPY `referrals` referrals with their events; returns ids and counts."""
    from django.db import connection

    from participants.models import Contract, Organisation, Programme

    rng = np.random.default_rng(seed)
    prime, _ = Organisation.objects.get_or_create(
        ref=PRIME, defaults={"name": "Benchmark Prime Ltd", "kind": Organisation.Kind.PRIME}
    )
    contract = Contract.objects.create(
        ref=CONTRACT,
        programme=Programme.objects.get(code="WP"),
        name="Performance benchmark",
        prime=prime,
        cpa="CPA1",
        nation="ENG",
        start_date="2023-01-01",
        end_date="2027-03-31",
    )
    n = referrals
    span = int((LAST_DAY - FIRST_DAY).astype(int))
    referral_days = np.sort(FIRST_DAY + rng.integers(0, span, n).astype("timedelta64[D]"))
    refs = pd.Series(np.arange(1, n + 1)).map("B{:08d}".format)
    groups = np.array(GROUPS)[rng.choice(len(GROUPS), n, p=GROUP_SHARES)]
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        _copy(
            cursor,
            "participants_participant",
            ["prime_id", "ref", "gender", "disability", "ethnicity", "postcode_district"],
            pd.DataFrame(
                {
                    "prime_id": prime.pk,
                    "ref": refs.str.replace("B", "P"),
                    "gender": "",
                    "disability": "",
                    "ethnicity": "",
                    "postcode_district": "",
                }
            ),
        )
        participants = _ids(
            cursor, f"SELECT id, ref FROM participants_participant WHERE prime_id = {prime.pk}"
        )
        participant_id = participants.set_index("ref")["id"].reindex(refs.str.replace("B", "P")).to_numpy()
        _copy(
            cursor,
            "participants_referral",
            ["contract_id", "ref", "participant_id", "referral_date", "group", "organisation_id", "dda"],
            pd.DataFrame(
                {
                    "contract_id": contract.pk,
                    "ref": refs,
                    "participant_id": participant_id,
                    "referral_date": referral_days.astype(str),
                    "group": groups,
                    "organisation_id": prime.pk,
                    "dda": "",
                }
            ),
        )
        ids = _ids(cursor, f"SELECT id, ref FROM participants_referral WHERE contract_id = {contract.pk}")
        referral_id = ids.set_index("ref")["id"].reindex(refs).to_numpy()
        events = journeys(referral_days, rng, LAST_DAY)
        _copy(
            cursor,
            "participants_journeyevent",
            ["contract_id", "referral_id", "code", "event_date", "detail", "source"],
            pd.DataFrame(
                {
                    "contract_id": contract.pk,
                    "referral_id": referral_id[events["pos"].to_numpy()],
                    "code": events["code"],
                    "event_date": events["day"].astype(str),
                    "detail": "",
                    "source": "IMPORT",
                }
            ),
        )
        cursor.execute("ANALYZE participants_referral; ANALYZE participants_journeyevent")
    _load_profiles(contract)
    return {
        "contract_id": contract.pk,
        "referral_ids": referral_id,
        "referral_days": referral_days,
        "events": len(events),
    }


def _load_profiles(contract) -> None:
    """MPL profiles for the measured groups (a WP-like curve, DOMAIN.md 16), validation rounds."""
    from participants.models import MplProfile, ValidationRound

    curve = np.round(26.7 * (1 - np.exp(-np.arange(1, 25) / 9.0)), 2)
    MplProfile.objects.bulk_create(
        [
            MplProfile(contract=contract, group=g, month=k + 1, cumulative_pct=float(p))
            for g in ("PG1", "PG2", "PG6A")
            for k, p in enumerate(curve)
        ]
    )
    ValidationRound.objects.bulk_create(
        [
            ValidationRound(
                contract=contract,
                round=i + 1,
                period_start=f"{y}-{m:02d}-01",
                period_end=f"{y}-{m + 5:02d}-{30 if m + 5 == 6 else 31}",
                invalid_pct=6.5 + i / 2,
                status="FINAL",
            )
            for i, (y, m) in enumerate([(2023, 1), (2023, 7), (2024, 1), (2024, 7), (2025, 1)])
        ]
    )


def import_one_day(contract_id: int, referral_ids: np.ndarray, referral_days: np.ndarray) -> tuple[int, str]:
    """One more working day's events (the day after the data's last day) for open journeys, by COPY as
    the import's bulk path would write them; returns (events, month touched)."""
    from django.db import connection

    day = LAST_DAY + 1
    rng = np.random.default_rng(7)
    recent = np.flatnonzero((referral_days > day - 400) & (referral_days < day))
    chosen = np.sort(rng.choice(recent, size=min(5000, len(recent)), replace=False))
    codes = np.array(["JOB_START", "SUSTAINMENT", "EARNINGS_START", "EXITED", "JOB_OUTCOME"])[
        rng.integers(0, 5, len(chosen))
    ]
    frame = pd.DataFrame(
        {
            "contract_id": contract_id,
            "referral_id": referral_ids[chosen],
            "code": codes,
            "event_date": str(day),
            "detail": "",
            "source": "IMPORT",
        }
    )
    with connection.cursor() as django_cursor:
        _copy(
            django_cursor.cursor,
            "participants_journeyevent",
            ["contract_id", "referral_id", "code", "event_date", "detail", "source"],
            frame,
        )
    return len(frame), str(day)[:7]


def _recompute_in_child(contract_id: int, month: str | None = None) -> dict:
    command = [sys.executable, "-m", "benchmarks.bench_performance", "--recompute", str(contract_id)]
    if month:
        command.append(month)
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env=os.environ.copy(), check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"recompute failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _recompute_here(contract_id: int, month: str | None) -> dict:
    """The child's work: the recompute exactly as the Celery task runs it (JobRun recorded)."""
    from performance.tasks import recompute_contract

    started = time.perf_counter()
    result = recompute_contract(contract_id, [month] if month else None)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        **result,
    }


def run(referrals: int = 1_000_000) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from participants.models import Contract

    figures: dict = {"referrals": referrals}
    started = time.perf_counter()
    if Contract.objects.filter(ref=CONTRACT).exists():
        raise RuntimeError("run on a fresh database (python -m benchmarks.run performance)")
    loaded = load(referrals)
    figures["events_loaded"] = loaded["events"]
    figures["load_seconds"] = round(time.perf_counter() - started, 1)
    full = _recompute_in_child(loaded["contract_id"])
    figures["full_recompute_seconds"] = full["seconds"]
    figures["full_recompute_peak_rss_mib"] = full["peak_rss_mib"]
    figures["snapshots_written"] = {
        "performance": full["performance_rows"],
        "cohorts": full["cohort_rows"],
        "assessments": full["assessment_rows"],
        "recommendations": full["recommendations"],
    }
    added, month = import_one_day(loaded["contract_id"], loaded["referral_ids"], loaded["referral_days"])
    figures["incremental_events"] = added
    incremental = _recompute_in_child(loaded["contract_id"], month)
    figures["incremental_recompute_seconds"] = incremental["seconds"]
    figures["incremental_performance_rows"] = incremental["performance_rows"]

    user, _ = get_user_model().objects.get_or_create(
        username="bench-performance", defaults={"is_superuser": True}
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    url = f"/api/v1/contracts/{CONTRACT}/performance/"
    params = [
        {"month": f"2025-{m:02d}", "period": p, "group": g}
        for m in (3, 6, 9, 12)
        for p in ("rolling_12", "ytd", "in_month")
        for g in ("ALL", "PG1")
    ]
    assert client.get(url, params[0]).status_code == 200
    took = []
    for query in params:
        t0 = time.perf_counter()
        response = client.get(url, query)
        took.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.content[:300]
    figures["api_performance_snapshot"] = {
        "median_ms": round(statistics.median(took) * 1000, 1),
        "max_ms": round(max(took) * 1000, 1),
    }
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    return figures


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    if len(sys.argv) > 2 and sys.argv[1] == "--recompute":
        print(json.dumps(_recompute_here(int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)))
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), indent=1))
