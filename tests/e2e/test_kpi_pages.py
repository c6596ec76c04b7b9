"""KPI ratings and PIPs in a real browser (DOMAIN.md 17.15): a contract manager raises a PIP from a RED
rating, adds a SMART action, and the pages pass axe-core."""

import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from participants.models import Team
from performance.kpis import services
from performance.models import Pip
from tests.performance.kpi_support import make_world, target

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("FLIGHTPATH_SCREENSHOTS", "")  # a folder: save the pages' screenshots there


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_raise_a_pip_from_a_red_rating(login, live_server):
    world = make_world()
    target(world, "STAFF", "KW-B", "JOB_STARTS", "2025-06", 2)  # one job start: missed
    target(world, "STAFF", "KW-B", "JOB_STARTS", "2025-07", 1)  # none: missed again, RED
    services.recompute_ratings(contract_id=world.contract.pk)

    page = login("cara")
    page.goto(f"{live_server.url}/performance/contracts/K-1/kpis/?quarter=2025-09")
    row = page.locator("#ratings tbody tr", has_text="Ben Key")
    expect(row.locator("td").nth(2).locator(".kpi-red")).to_have_text("Red")
    expect(row.locator(".kpi-amber")).to_have_text("Amber")  # the trend shows June's amber
    assert serious_violations(page) == []
    row.get_by_role("link", name="Ben Key").click()

    expect(page.locator("#kpi-table")).to_contain_text("Missed")
    page.get_by_role("button", name="Raise the PIP").click()

    expect(page.locator("#pip-title")).to_contain_text("Ben Key")
    expect(page.locator("#pip-reason")).to_contain_text("JOB_STARTS: 0 against a target of 1")
    form = page.get_by_role("form", name="Add a SMART action")
    form.get_by_role("textbox", name="Action").fill("Shadow a senior key worker")
    form.get_by_role("textbox", name="Measure").fill("Two job starts in October")
    form.get_by_label("Owner").select_option(label="Tess Lead")
    form.get_by_label("Due date").fill("2025-10-31")
    form.get_by_role("button", name="Add action").click()
    expect(page.locator("#pip-actions")).to_contain_text("Shadow a senior key worker")
    assert serious_violations(page) == []

    pip = Pip.objects.get()
    assert (pip.ref, pip.rating.rag, pip.opened_by) == ("KW-B", "RED", world.contract_manager.user)
    page.goto(f"{live_server.url}/performance/contracts/K-1/kpis/ratings/{pip.rating_id}/")
    expect(page.get_by_text(re.compile("Raised by"))).to_be_visible()


def test_raise_a_team_pip_by_hand(login, live_server):
    world = make_world()
    team = Team.objects.create(name="Employment team", site=world.site)

    page = login("tess")  # the Leeds team leader
    page.goto(f"{live_server.url}/performance/contracts/K-1/pips/")
    form = page.locator("#raise-pip")
    form.get_by_role("button", name="Raise the PIP").click()  # nothing chosen: refused, nothing written
    expect(page.locator("#raise-pip")).to_contain_text("This field is required")
    form.get_by_label("Unit").select_option(label="Employment team (Leeds)")
    form.get_by_label("Reason").fill("Starts behind plan since the summer")
    form.get_by_label("Opened on").fill("2025-07-02")
    assert serious_violations(page) == []
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/pip-raise.png", full_page=True)
    form.get_by_role("button", name="Raise the PIP").click()

    expect(page.locator("#pip-title")).to_contain_text("Employment team (Leeds)")
    pip = Pip.objects.get()
    assert (pip.level, pip.ref, pip.opened_by) == ("TEAM", str(team.pk), world.manager.user)
