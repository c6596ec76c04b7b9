"""The KPI definitions page in a real browser (issue 12): a contract manager reaches it from the KPI
ratings, is refused a KPI whose direction disagrees (the field named, what was typed kept), corrects it,
retires a KPI, and the ratings follow; the page passes axe-core."""

import os

import pytest
from playwright.sync_api import expect

from performance.kpis import services
from performance.models import KpiDefinition, KpiRating
from tests.performance.kpi_support import make_world, target

from .test_kpi_pages import serious_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("FLIGHTPATH_SCREENSHOTS", "")  # a folder: save the pages' screenshots there


def test_edit_the_primes_kpi_definitions(login, live_server):
    world = make_world()
    target(world, "SITE", "S1", "STARTS", "2025-04", 2)  # two starts at Leeds: GREEN
    target(world, "STAFF", "KW-A", "JOB_STARTS", "2025-04", 1)
    services.recompute_ratings(contract_id=world.contract.pk)
    assert KpiRating.objects.filter(level="SITE", ref="S1").exists()

    page = login("cara")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/performance/contracts/K-1/kpis/?quarter=2025-06")
    page.get_by_role("link", name="Prime Ltd's KPI definitions").click()
    expect(page.locator("#shared-note")).to_contain_text("shared by all its contracts")
    expect(page.locator("#kpi-definitions")).to_contain_text("Peer support group progress")
    assert serious_violations(page) == []

    form = page.get_by_role("form", name="Add a KPI")
    form.get_by_label("Name").fill("Complaints handled")
    form.get_by_label("Role").select_option(label="Engagement officer")
    form.get_by_label("Computed from").select_option(label="Complaints")
    form.get_by_label("Direction").select_option(label="Minimum (at least the target)")
    form.get_by_role("button", name="Add the KPI").click()
    refused = page.locator("#id_direction_error")
    expect(refused).to_contain_text("Complaints is a maximum in the prime's other active KPIs")
    expect(form.get_by_label("Name")).to_have_value("Complaints handled")  # kept as typed
    expect(form.get_by_label("Role")).to_have_value("ENGAGEMENT_OFFICER")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/kpi-definitions-refused.png", full_page=True)
    assert serious_violations(page) == []
    form.get_by_label("Direction").select_option(label="Maximum (at most the target)")
    form.get_by_role("button", name="Add the KPI").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Saved \u201cComplaints handled\u201d (Engagement officer)"
    )
    expect(page.locator("#kpi-definitions tbody", has_text="Engagement officer")).to_contain_text(
        "Complaints handled"
    )

    # Retire Starts: no role's KPI reads it any more, so Leeds (only a STARTS target) is not rated.
    for role in ("Engagement officer", "Subcontractor"):
        page.get_by_role("link", name=f"Edit {role}: Starts", exact=True).click()
        edit = page.get_by_role("form", name="Edit the KPI")
        edit.get_by_label("Active (judged in the ratings)").uncheck()
        if SHOTS and role == "Subcontractor":
            page.screenshot(path=f"{SHOTS}/kpi-definition-edit.png", full_page=True)
        edit.get_by_role("button", name="Save the KPI").click()
        expect(page.get_by_role("alert")).to_contain_text(f"Saved \u201cStarts\u201d ({role})")
    retired = page.get_by_role("link", name="Edit Subcontractor: Starts", exact=True)
    row = page.locator("#kpi-definitions tr").filter(has=retired)
    expect(row).to_contain_text("Inactive")
    expect(page.locator("#kpi-definition-history")).to_contain_text("Active: yes \u2192 no")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/kpi-definitions.png", full_page=True)
    assert serious_violations(page) == []

    starts = KpiDefinition.objects.filter(prime=world.prime, source="STARTS")
    assert not starts.filter(active=True).exists()
    # The recompute queued by each change has run (eager in the tests): Leeds has no rating left.
    assert not KpiRating.objects.filter(level="SITE", ref="S1").exists()
    assert KpiRating.objects.filter(level="STAFF", ref="KW-A").exists()
