"""Regimes benchmark (issue 11): the demo bundle (demo.generator) with `referrals` referrals in its WP
contract over three years, imported with the product's import (benchmarks.data), recomputed by performance
as the recompute task does; then a regime history recorded through the services (an EPR and a PIN, with their
obligations owed to a benchmark contract manager) and, measured:

- the recommendations refresh that follows the recompute (regimes.services.recommendations.refresh; it reads
  only the snapshot tables, so it should not grow with referrals): median of REPEATS, target < 2 s;
- the regime page and the contract manager's what's-due page, median server time with the Django test client
  (in-process): target < 300 ms each; their query counts reported.

Run alone: DATABASE_URL=postgres://postgres@127.0.0.1:5432/fp_regimes_bench python -m benchmarks.bench_regimes
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time

from benchmarks.data import WP, load_demo

TARGETS = {
    "refresh_recommendations.median_s": (2, "s"),
    "regime_page.median_ms": (300, "ms"),
    "whats_due_page.median_ms": (300, "ms"),
}
TODAY = dt.date(2025, 12, 30)
REPEATS = 5


def _timed(call, repeats: int) -> dict:
    took = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        took.append(time.perf_counter() - t0)
    return {"median_s": round(statistics.median(took), 3), "max_s": round(max(took), 3)}


def _page(client, url: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    took = []
    for _ in range(REPEATS * 2):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            response = client.get(url)
            took.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.content[:300]
    return {"median_ms": round(statistics.median(took) * 1000, 1), "queries": len(queries)}


def run(referrals: int = 1_000_000) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from participants.models import Contract, Role, Staff
    from participants.roles import group_for
    from performance.services import recompute_contract
    from regimes.services import recommendations
    from regimes.services.decisions import record_decision

    if Contract.objects.filter(ref=WP).exists():
        raise RuntimeError("run on a fresh database (python -m benchmarks.run regimes)")
    loaded = load_demo(referrals=referrals, contract=WP, source="regimes benchmark", today=TODAY, years=3)
    figures: dict = {"referrals": loaded.referrals, "events": loaded.events}
    contract = Contract.objects.select_related("programme").get(ref=WP)
    started = time.perf_counter()
    recompute_contract(contract_id=contract.pk)
    figures["recompute_seconds"] = round(time.perf_counter() - started, 1)

    users = get_user_model().objects
    dwp = users.create(username="bench-dwp", first_name="Bench", last_name="DWP")
    Staff.objects.create(ref="bench-dwp", user=dwp, role=Role.DWP_CONTACT)
    dwp.groups.add(group_for(Role.DWP_CONTACT))
    contract.dwp_contacts.add(dwp)
    manager = users.create(username="bench-cm", first_name="Bench", last_name="Manager")
    Staff.objects.create(
        ref="bench-cm", user=manager, role=Role.CONTRACT_MANAGER, organisation=contract.prime
    )
    manager.groups.add(group_for(Role.CONTRACT_MANAGER))
    record_decision(
        contract=contract, user=dwp, kind="ALLOCATE_EPR", reason="bench", decided_on=dt.date(2025, 7, 1)
    )
    record_decision(
        contract=contract,
        user=dwp,
        kind="ISSUE_PIN",
        reason="bench",
        decided_on=dt.date(2025, 11, 3),
        group=contract.programme.measured_groups[0],
        quarter_end=dt.date(2025, 9, 1),
    )
    figures["refresh_recommendations"] = _timed(lambda: recommendations.refresh(contract=contract), REPEATS)
    figures["recommendations"] = contract.regime_recommendations.count()

    client = Client(SERVER_NAME="localhost")
    client.force_login(dwp)
    figures["regime_page"] = _page(client, f"/regimes/contracts/{WP}/")
    client.force_login(manager)
    figures["whats_due_page"] = _page(client, "/regimes/due/")
    figures["contract_whats_due_page"] = _page(client, f"/regimes/contracts/{WP}/due/")
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    return figures


if __name__ == "__main__":
    import json

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), indent=1))
