"""The contract performance page in a real browser: open it from the contract, change group and period,
click a figure and see the referrals behind it; no serious or critical accessibility violations (axe-core)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from participants.imports.services import import_bundle
from tests.factories import UserFactory
from tests.golden import FIXTURES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} at {[node['target'] for node in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def golden_page(login):
    import_bundle(path=FIXTURES / "wp-england")  # commits: the recompute job writes the snapshots
    UserFactory(username="perf-lead", is_superuser=True, is_staff=True)
    return login("perf-lead")


def test_change_group_and_period_then_open_the_referrals_behind_a_figure(golden_page, live_server):
    page = golden_page
    page.goto(f"{live_server.url}/contracts/ORC-12/")
    page.get_by_role("link", name="Performance", exact=True).click()
    expect(page.get_by_role("heading", name="ORC-12 · Performance")).to_be_visible()
    expect(page.locator("#actual-chart .main-svg").first).to_be_visible(
        timeout=30_000
    )  # plotly drew the chart

    page.get_by_label("Group", exact=True).select_option("PG1")
    page.get_by_label("Period", exact=True).select_option("quarter")
    page.get_by_role("button", name="Show").click()
    expect(
        page.get_by_role("heading", name=re.compile(r"^PG1: contract-year quarter to date"))
    ).to_be_visible()

    flows = page.get_by_role("table", name=re.compile("Flows, outcomes and performance against MPL by group"))
    pg1 = flows.get_by_role("row", name=re.compile(r"^PG1"))
    link = pg1.get_by_role("link", name=re.compile(r"job_outcomes for PG1"))
    figure = int(link.inner_text())
    link.click()

    expect(
        page.get_by_role("heading", name=re.compile(r"^Job outcomes: PG1, contract-year quarter"))
    ).to_be_visible()
    expect(page.locator("#figure-summary")).to_contain_text(f"{figure} counted")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(min(figure, 50))
    expect(rows.first).to_contain_text("PG1")


def test_the_performance_page_and_drilldown_have_no_serious_accessibility_violations(
    golden_page, live_server
):
    page = golden_page
    for width in (1280, 800):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/performance/contracts/ORC-12/?group=PG2")
        expect(page.locator("#cohort-chart .main-svg").first).to_be_visible(timeout=30_000)
        assert serious_violations(page) == [], width
    page.goto(f"{live_server.url}/performance/contracts/ORC-12/referrals/?measure=starts&period=rolling_12")
    assert serious_violations(page) == []


def test_choose_a_site_and_see_the_figures_change_and_the_by_unit_table(golden_page, live_server):
    page = golden_page
    page.goto(f"{live_server.url}/performance/contracts/ORC-12/?month=2024-03&period=ctd")
    summary = page.locator("#summary-heading")
    expect(page.get_by_test_id("slice-shown")).to_contain_text("Showing: Whole contract")
    flows = page.get_by_role("table", name=re.compile("Flows, outcomes and performance against MPL by group"))
    whole = int(flows.get_by_role("row", name=re.compile(r"^All groups")).locator("td").first.inner_text())
    units = page.get_by_test_id("units-table")
    expect(units).to_be_visible(timeout=30_000)  # htmx loaded the by-unit table, by organisation
    expect(units.locator("tbody tr")).to_have_count(4)

    page.get_by_label("Site", exact=True).select_option("ORC12-SUB1-S1")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("slice-shown")).to_contain_text("Site: ORC12-SUB1-S1, indicative MPL")
    expect(summary).to_contain_text("Site: ORC12-SUB1-S1")
    expect(page.get_by_label("Site", exact=True)).to_have_value("ORC12-SUB1-S1")  # the selection is kept
    sliced = int(flows.get_by_role("row", name=re.compile(r"^All groups")).locator("td").first.inner_text())
    assert 0 < sliced < whole
    expect(page.get_by_test_id("units-table").locator("tbody tr")).to_have_count(1)

    page.get_by_role("link", name="Whole contract").click()
    page.get_by_role("link", name="Key worker", exact=True).click()  # htmx: the table by key worker
    expect(page.get_by_role("heading", name=re.compile(r"^By key worker"))).to_be_visible()
    assert serious_violations(page) == []
