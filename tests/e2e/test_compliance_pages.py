"""Compliance pages in a real browser: from the standards page to the failing items behind a figure, filter
and export; the due-soon panel on the caseload page; accessibility (axe-core) at two widths."""

import csv
import datetime as dt
import importlib
import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.compliance.pages_support import build_pages_world, snapshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    # A transactional test runs after flushes: put the shipped standards back (their migration's own seed).
    importlib.import_module("compliance.migrations.0002_seed_standards").seed(apps, None)
    world = build_pages_world()
    snapshot(world.contract, dt.date(2025, 1, 31))
    return world


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} at {[node['target'] for node in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_standards_to_failing_items_filter_and_export(world, login, live_server):
    page = login("carol")
    page.goto(f"{live_server.url}/contracts/CP-1/")
    # The overview's standards panel arrives with htmx.
    panel = page.get_by_role("region", name="Customer service standards")
    expect(panel.get_by_role("link", name="CSS2")).to_be_visible()
    expect(panel).to_contain_text("not met")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Standards", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Customer service standards"))).to_be_visible()
    css2 = page.get_by_role("row", name=re.compile("^CSS2"))
    expect(css2.locator(".rag")).to_have_text("Not met")
    expect(css2.locator(".rag")).to_have_class(re.compile("rag-red"))
    expect(page.locator("#standards-trend .main-svg").first).to_be_attached()
    assert serious_violations(page) == []

    css2.get_by_role("link", name="20%").click()
    expect(page.get_by_role("heading", name="CSS2 failing items")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("4 failing items")
    page.get_by_label("Key worker").select_option(label="Dave Key")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status")).to_have_text("1 failing item")
    expect(page.get_by_role("table")).to_contain_text("R-DAVE-1")
    assert serious_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert [r["referral_ref"] for r in rows] == ["R-DAVE-1"]
    with page.expect_download() as download:
        page.get_by_role("button", name="Export Excel").click()
    with open(download.value.path(), "rb") as xlsx:
        sheet = load_workbook(xlsx).active
    assert [row[0] for row in sheet.values] == ["referral_ref", "R-DAVE-1"]


@pytest.mark.parametrize("width", [1280, 800])
def test_due_soon_page_and_assurance_page_have_no_serious_axe_violations(world, login, live_server, width):
    page = login("carol")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/compliance/due-soon/?today=2025-01-14&group_by=key_worker_name")
    expect(page.get_by_role("heading", name="Alice Key")).to_be_visible()
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/compliance/contracts/CP-1/assurance/")
    assert serious_violations(page) == []


def test_caseload_panel_loads_the_key_workers_due_soon_items(world, login, live_server):
    page = login("alice")
    page.goto(f"{live_server.url}/caseload/")
    panel = page.get_by_role("complementary", name="Standards deadlines due soon")
    expect(panel).to_contain_text("R-ALICE-1")
    expect(panel).not_to_contain_text("R-DAVE-1")
    panel.get_by_role("link", name="Open the due-soon worklist").click()
    expect(page.get_by_role("heading", name="Due soon")).to_be_visible()


def test_a_contract_manager_adds_a_tender_standard_in_the_browser(world, login, live_server):
    page = login("carol")
    page.goto(f"{live_server.url}/compliance/contracts/CP-1/standards/")
    page.get_by_role("link", name="Add a tender standard").click()
    expect(page.get_by_role("heading", name=re.compile("Add a tender standard"))).to_be_visible()
    page.get_by_role("link", name="Start from CSS2").click()
    expect(page.get_by_label("Code")).to_have_value("CSS2")
    assert serious_violations(page) == []

    # A percentage target over 100: refused on its field, what was typed kept.
    page.get_by_label("Code").fill("TS1")
    page.get_by_label("Name").fill("Acknowledged the next working day")
    page.get_by_label("Limit (working days)").fill("1")
    page.get_by_label("Target").fill("150")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Target: a percentage target is at most 100.")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Acknowledged the next working day")
    expect(page.get_by_label("ACKNOWLEDGED")).to_be_checked()

    page.get_by_label("Target").fill("90")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved TS1.")).to_be_visible()
    ts1 = page.get_by_role("row", name=re.compile("^TS1"))
    expect(ts1).to_contain_text("tender")
    expect(ts1).to_contain_text("1 wd")
    expect(ts1.locator(".rag")).to_have_text("Not met")
