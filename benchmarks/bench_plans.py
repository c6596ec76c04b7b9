"""Provider action plan and CPR benchmark (issue 11, part two): the demo bundle (demo.generator) with
`referrals` referrals in its WP contract, imported with the product's import (benchmarks.data) and
recomputed once (the nightly job's snapshots); then a plan with a full six-month flight path over the data's
last months (every group), two CPRs with carried action points. Measured with the Django test client
(in-process, so the time is the server's; the pages' query bounds are in tests/regimes):

- the plan page (actions, flight path against actuals, chart): median ms (< 300);
- the CPR page with its carried points: median ms (< 300);
- the daily obligations job over every contract: seconds (< 5).

Run alone: DATABASE_URL=postgres://postgres@127.0.0.1:5432/fp_plans_bench python -m benchmarks.bench_plans
"""

from __future__ import annotations

import statistics
import time

from benchmarks.data import TODAY, WP, load_demo

TARGETS = {
    "plan_page_median_ms": (300, "ms"),
    "cpr_page_median_ms": (300, "ms"),
    "obligations_job_seconds": (5, "s"),
}
REPEATS = 15
POINTS = 30  # open action points raised at the earlier CPR, carried to the later one


def _timed(client, url: str) -> float:
    """The median server time of REPEATS requests, after a warm-up one."""
    response = client.get(url)  # warm caches (templates, URL resolver)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def run(referrals: int = 100_000) -> dict:
    from django.test import Client

    from participants.models import Contract
    from performance.services import recompute_contract
    from regimes.services import plans, releases, reviews
    from tests.factories import UserFactory

    figures: dict = {"referrals": referrals}
    loaded = load_demo(referrals=referrals, contract=WP, source="plans benchmark")
    figures["import_seconds"] = loaded.import_seconds
    contract = Contract.objects.select_related("programme").get(ref=WP)
    started = time.perf_counter()
    recompute_contract(contract_id=contract.pk)
    figures["recompute_seconds"] = round(time.perf_counter() - started, 1)

    first_month = releases.add_months(releases.first_of(TODAY), -3)
    plan = plans.create_plan(contract=contract, by=None, title="Benchmark plan", first_month=first_month)
    for n in range(5):
        plans.add_action(
            plan=plan,
            what=f"Action {n}",
            measure="m",
            owner="o",
            start_date=first_month,
            due_date=releases.add_months(first_month, 3),
            uplift={"PG1": n},
        )
    plans.save_flight_path(
        plan=plan,
        cells={
            (g, m): {"referrals": 50, "job_starts": 10, "job_outcomes": 5}
            for m in plans.flight_path_months(plan)
            for g in contract.programme.groups
        },
    )
    earlier = reviews.save_cpr(
        contract=contract,
        by=None,
        month=first_month,
        meeting_on=releases.add_months(first_month, 1),
        agenda="a",
        attendees="",
        assessment="",
    )
    later = reviews.save_cpr(
        contract=contract,
        by=None,
        month=releases.add_months(first_month, 1),
        meeting_on=releases.add_months(first_month, 2),
        agenda="a",
        attendees="",
        assessment="",
    )
    for n in range(POINTS):
        reviews.add_action_point(cpr=earlier, what=f"Point {n}", owner="o", due_date=first_month)

    started = time.perf_counter()
    releases.refresh_all(today=TODAY)
    figures["obligations_job_seconds"] = round(time.perf_counter() - started, 2)

    client = Client(SERVER_NAME="localhost")
    client.force_login(UserFactory(username="bench.plans", is_superuser=True, is_staff=True))
    base = f"/regimes/contracts/{contract.ref}"
    figures["plan_page_median_ms"] = _timed(client, f"{base}/plans/{plan.pk}/")
    figures["cpr_page_median_ms"] = _timed(client, f"{base}/cprs/{later.pk}/")
    return figures


if __name__ == "__main__":
    import sys

    import django

    django.setup()
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
