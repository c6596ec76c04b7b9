"""Key workers' workspace benchmark (issue 6): a database of `referrals` referrals (one participant each,
~1.3 journey events, one appointment, half with an action plan), and a key worker with a 150-referral
caseload recorded through the real services (appointments, FTAs and follow-ups, plans, reviews, PSG moves,
jobs, notes). Measured with the Django test client (in-process, so the time is the server's):

- the caseload page: queries (target <= 15) and median server time (target < 300 ms);
- the participant page likewise (<= 15 queries, < 300 ms);
- each page's median CPU time in this process and the load average, because wall-clock time on a shared
  2-core machine mostly measures the other processes.

Bulk data go in with PostgreSQL COPY. Run on its own database:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/fp_workspace_bench python -m benchmarks.bench_workspace
"""

from __future__ import annotations

import datetime as dt
import io
import os
import statistics
import sys
import time
from decimal import Decimal

import numpy as np
import pandas as pd

TARGETS = {
    "caseload_queries": (15, "queries"),
    "caseload_median_ms": (300, "ms"),
    "participant_queries": (15, "queries"),
    "participant_median_ms": (300, "ms"),
}
CONTRACT = "BENCH-WS"
PRIME = "BENCHW-PRIME"
CASELOAD = 150
REPEATS = 15
GROUPS = np.array(["DISABILITY", "EARLY_ENTRY", "LTU"])


def _copy(table: str, frame: pd.DataFrame) -> None:
    """Append a frame to a table with COPY (the bulk path; no per-row INSERT)."""
    from django.db import connection

    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
    buffer.seek(0)
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
            while block := buffer.read(1 << 20):
                copy.write(block)


def _reset_sequence(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )


def build(referrals: int, seed: int = 20_250_601) -> dict:
    """Bulk-load the database (once per database) and return the ids the measurements need."""
    from django.db import connection, transaction

    from participants.models import Contract, Organisation, Programme, Referral, Role, Site, Staff
    from tests.factories import UserFactory

    if Contract.objects.filter(ref=CONTRACT).exists():
        staff = Staff.objects.get(ref="BENCH-KW-TARGET")
        return {"staff": staff, "seconds": 0.0}
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    n = referrals
    with transaction.atomic():
        prime = Organisation.objects.create(ref=PRIME, name="Benchmark Prime", kind=Organisation.Kind.PRIME)
        contract = Contract.objects.create(
            ref=CONTRACT,
            programme=Programme.objects.get(code="WHP"),
            name="Workspace benchmark",
            prime=prime,
            cpa="CPA1",
            nation="ENG",
            start_date=dt.date(2022, 1, 1),
            end_date=dt.date(2027, 3, 31),
        )
        contract.delivery_organisations.add(prime)
        site = Site.objects.create(ref="BENCHW-S1", name="Benchmark centre", organisation=prime)
        key_workers = -(-n // CASELOAD)
        Staff.objects.bulk_create(
            [
                Staff(
                    ref=f"BENCH-KW{i:05d}", name=f"Key worker {i}", organisation=prime, role=Role.KEY_WORKER
                )
                for i in range(key_workers - 1)
            ],
            batch_size=5000,
        )
        user = UserFactory(username="bench-kw", first_name="Bench", email="bench-kw@example.org")
        target = Staff.objects.create(
            ref="BENCH-KW-TARGET", name="Bench Target", user=user, organisation=prime, role=Role.KEY_WORKER
        )
        staff_ids = np.array(
            list(Staff.objects.filter(organisation=prime).exclude(pk=target.pk).values_list("pk", flat=True))
        )

        with connection.cursor() as cursor:  # generated rows are consistent: skip per-row FK trigger checks
            cursor.execute("SET LOCAL session_replication_role = replica")
        ids = np.arange(1, n + 1)
        _copy(
            "participants_participant",
            pd.DataFrame(
                {
                    "id": ids,
                    "prime_id": prime.pk,
                    "ref": pd.Series(ids).map("BP{:08d}".format),
                    "date_of_birth": (
                        np.datetime64("1965-01-01") + rng.integers(0, 35 * 365, n).astype("timedelta64[D]")
                    ).astype(str),
                    "gender": np.array(["F", "M"])[rng.integers(0, 2, n)],
                    "disability": "N",
                    "ethnicity": "",
                    "postcode_district": "M1",
                }
            ),
        )
        referral_date = np.datetime64("2022-01-03") + rng.integers(0, 3 * 365, n).astype("timedelta64[D]")
        key_worker = np.repeat(staff_ids, CASELOAD)[: n - CASELOAD]
        key_worker = np.concatenate([key_worker, np.full(CASELOAD, target.pk)])
        rng.shuffle(key_worker)
        _copy(
            "participants_referral",
            pd.DataFrame(
                {
                    "id": ids,
                    "contract_id": contract.pk,
                    "ref": pd.Series(ids).map("BR{:08d}".format),
                    "participant_id": ids,
                    "referral_date": referral_date.astype(str),
                    "group": GROUPS[rng.integers(0, 3, n)],
                    "organisation_id": prime.pk,
                    "site_id": site.pk,
                    "key_worker_id": key_worker,
                    "dda": "",
                }
            ),
        )
        started_mask = rng.random(n) < 0.85
        psg_mask = started_mask & (rng.random(n) < 0.5)
        events = pd.concat(
            [
                pd.DataFrame(
                    {
                        "referral_id": ids[started_mask],
                        "code": "STARTED",
                        "event_date": (referral_date[started_mask] + 7).astype(str),
                    }
                ),
                pd.DataFrame(
                    {
                        "referral_id": ids[psg_mask],
                        "code": "PSG_CHANGED",
                        "event_date": (referral_date[psg_mask] + 30).astype(str),
                        "detail": np.array(["CONTEMPLATION", "PREPARATION"])[
                            rng.integers(0, 2, psg_mask.sum())
                        ],
                    }
                ),
            ]
        )
        events["contract_id"], events["source"], events["amount"] = contract.pk, "IMPORT", None
        events["detail"] = events["detail"].fillna("")
        _copy("participants_journeyevent", events)
        starts_at = pd.to_datetime(referral_date + 14).tz_localize("UTC") + pd.Timedelta(hours=10)
        _copy(
            "participants_appointment",
            pd.DataFrame(
                {
                    "referral_id": ids,
                    "kind": "ONE_TO_ONE",
                    "starts_at": starts_at.astype(str),
                    "location": "Centre",
                    "status": "ATTENDED",
                    "fta_reason": "",
                    "note": "",
                }
            ),
        )
        plan_mask = started_mask & (rng.random(n) < 0.6) & (key_worker != target.pk)
        agreed = referral_date[plan_mask] + 20
        _copy(
            "participants_actionplan",
            pd.DataFrame(
                {
                    "id": ids[plan_mask],
                    "referral_id": ids[plan_mask],
                    "version": 1,
                    "agreed_on": agreed.astype(str),
                    "next_review_due": (agreed + 30).astype(str),
                    "updated_at": "2025-01-01 00:00:00+00",
                }
            ),
        )
        for table in ("participants_participant", "participants_referral", "participants_actionplan"):
            _reset_sequence(table)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _record_target_caseload(target, Referral.objects.filter(key_worker=target).order_by("pk"), rng)
    return {"staff": target, "seconds": time.perf_counter() - started}


def _record_target_caseload(target, referrals, rng) -> None:
    """Give the measured caseload what a real one has, through the services (history rows included)."""
    from django.utils import timezone

    from participants import services_workspace as services
    from participants.errors import FlightpathError
    from participants.models import Appointment

    user = target.user
    now = timezone.now()
    today = timezone.localdate()
    for index, referral in enumerate(referrals):
        booked = [
            services.book_appointment(
                referral=referral,
                kind=Appointment.Kind.ONE_TO_ONE,
                starts_at=now - dt.timedelta(days=days),
                user=user,
            )
            for days in (20, 6)
        ]
        services.book_appointment(
            referral=referral,
            kind=Appointment.Kind.ONE_TO_ONE,
            starts_at=now + dt.timedelta(days=int(rng.integers(1, 20))),
            user=user,
        )
        services.record_attendance(appointment=booked[0], attended=True, user=user)
        if index % 4 == 0:
            services.record_attendance(appointment=booked[1], attended=False, fta_reason="FORGOT", user=user)
        try:
            agreed = max(referral.referral_date + dt.timedelta(days=20), today - dt.timedelta(days=60))
            goals = [
                {
                    "key": "",
                    "goal": f"Goal {g}",
                    "measure": "Measured weekly",
                    "owner": "Participant",
                    "due_date": (today + dt.timedelta(days=30 * g)).isoformat(),
                    "status": "IN_PROGRESS",
                }
                for g in range(1, 4)
            ]
            services.save_action_plan(
                referral=referral, expected_version=0, goals=goals, agreed_on=None, user=user
            )
            plan = services.save_action_plan(
                referral=referral, expected_version=1, goals=goals, agreed_on=agreed, user=user
            )
            if index % 3:
                services.record_review(
                    plan=plan, reviewed_on=agreed + dt.timedelta(days=25), note="On track", user=user
                )
            services.move_psg(
                referral=referral,
                group="CANDIDATE_POOL",
                moved_on=today - dt.timedelta(days=3),
                note="Job ready",
                user=user,
            )
            if index % 5 == 0:
                job = services.record_job_start(
                    referral=referral,
                    employer="Acme Ltd",
                    hours_per_week=Decimal("20"),
                    start_date=today - dt.timedelta(days=2),
                    self_employed=False,
                    user=user,
                )
                services.record_in_work_contact(
                    referral=referral,
                    job=job,
                    contact_date=today,
                    method="PHONE",
                    note="Going well",
                    user=user,
                )
            services.add_note(referral=referral, text="Discussed travel to interviews", user=user)
        except FlightpathError:
            continue  # e.g. a referral dated after the plan date: a real caseload has a few of those


def _measure(client, url: str) -> tuple[int, list[float], list[float]]:
    """(queries, wall-clock ms, this process's CPU ms) of REPEATS requests. CPU time excludes waiting for
    PostgreSQL and for other processes: on a shared, busy machine it shows the page's own work."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches (templates, URL resolver)
    times, cpu, queries = [], [], 0
    for _ in range(REPEATS):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return queries, times, cpu


def run(referrals: int = 1_000_000) -> dict:
    from django.test import Client

    from participants.models import Appointment, JourneyEvent, Referral

    built = build(referrals)
    staff = built["staff"]
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff.user)
    caseload_queries, caseload_times, caseload_cpu = _measure(client, "/caseload/")
    participant = (
        Referral.objects.filter(key_worker=staff, jobs__isnull=False)
        .order_by("pk")
        .values_list("participant_id", flat=True)
        .first()
    )
    page = f"/participants/{participant}/"
    participant_queries, participant_times, participant_cpu = _measure(client, page)
    return {
        "referrals": Referral.objects.count(),
        "events": JourneyEvent.objects.count(),
        "appointments": Appointment.objects.count(),
        "caseload_size": Referral.objects.filter(key_worker=staff).count(),
        "build_seconds": round(built["seconds"], 1),
        "caseload_queries": caseload_queries,
        "caseload_median_ms": round(statistics.median(caseload_times), 1),
        "caseload_max_ms": round(max(caseload_times), 1),
        "caseload_median_cpu_ms": round(statistics.median(caseload_cpu), 1),
        "participant_queries": participant_queries,
        "participant_median_ms": round(statistics.median(participant_times), 1),
        "participant_max_ms": round(max(participant_times), 1),
        "participant_median_cpu_ms": round(statistics.median(participant_cpu), 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    for figure, value in run(size).items():
        limit = TARGETS.get(figure)
        print(f"{figure}: {value}" + (f" (target <= {limit[0]} {limit[1]})" if limit else ""))
