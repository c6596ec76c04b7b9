"""The KPI targets grid in a real browser (issue 12): a contract manager types a target, copies the previous
month forward into the blank cells, is told of a cell that is not a number with what was typed kept, and
saves; the page passes axe-core."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from participants.models import KpiTarget, RecomputeRequest
from performance.models import KpiRating
from tests.performance.kpi_support import make_world, target

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_enter_a_target_copy_the_previous_month_forward_and_save(login, live_server, settings):
    settings.FLIGHTPATH_RECOMPUTE_TASKS = []
    world = make_world()
    target(world, "STAFF", "KW-A", "JOB_STARTS", "2025-05", 1)
    target(world, "STAFF", "KW-B", "JOB_STARTS", "2025-05", 2)
    target(world, "STAFF", "KW-B", "STARTS", "2025-05", 6)

    page = login("cara")
    page.goto(f"{live_server.url}/performance/contracts/K-1/kpis/")
    page.get_by_role("link", name="Set KPI targets").click()
    page.get_by_label("Month", exact=True).fill("2025-06")
    page.get_by_label("Site", exact=True).select_option(label="Leeds")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#grid-title")).to_have_text("Staff targets for June 2025")
    assert serious_violations(page) == []

    page.get_by_label("Ben Key: Starts").fill("4")  # typed: copying forward leaves it
    page.get_by_label("Tess Lead: Complaints").fill("two")
    page.get_by_role("button", name="Copy the previous month forward").click()
    expect(page.locator("#copy-result")).to_contain_text("2 blank cells filled from May 2025")
    expect(page.get_by_label("Anna Key: Job starts")).to_have_value("1")
    expect(page.get_by_label("Ben Key: Job starts")).to_have_value("2")
    expect(page.get_by_label("Ben Key: Starts")).to_have_value("4")
    assert not KpiTarget.objects.filter(month=dt.date(2025, 6, 1)).exists()  # shown, not saved

    page.get_by_role("button", name="Save targets").first.click()
    errors = page.locator("#grid-errors")
    expect(errors).to_contain_text("Nothing was saved: 1 cell is not a target.")
    expect(errors).to_contain_text("Tess Lead (TL), Complaints: not a number")
    expect(page.get_by_label("Tess Lead: Complaints")).to_have_value("two")
    expect(page.get_by_label("Anna Key: Job starts")).to_have_value("1")  # the copied value kept too
    assert serious_violations(page) == []
    assert not KpiTarget.objects.filter(month=dt.date(2025, 6, 1)).exists()

    errors.get_by_role("link", name="Tess Lead (TL), Complaints").click()  # to the cell
    expect(page.get_by_label("Tess Lead: Complaints")).to_be_in_viewport()
    page.get_by_label("Tess Lead: Complaints").fill("")
    page.get_by_role("button", name="Save targets").first.click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Targets for June 2025 saved: 3 set, 0 changed, 0 cleared."
    )
    expect(page.get_by_label("Ben Key: Starts")).to_have_value("4")

    june = {(t.ref, t.kpi): t.target for t in KpiTarget.objects.filter(month=dt.date(2025, 6, 1))}
    assert june == {
        ("KW-A", "JOB_STARTS"): Decimal("1.00"),
        ("KW-B", "JOB_STARTS"): Decimal("2.00"),
        ("KW-B", "STARTS"): Decimal("4.00"),
    }
    # The recompute ran in-process once the save committed (tests send tasks eagerly, as `make run`).
    assert not RecomputeRequest.objects.exists()
    assert KpiRating.objects.filter(level="STAFF", ref="KW-B", quarter_end=dt.date(2025, 6, 1)).exists()
