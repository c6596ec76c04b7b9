"""Provider action plans and CPRs in a real browser (DOMAIN.md 17.8-9): the contract manager submits a plan,
the DWP contact rejects it (the rejection letter), the meeting is recorded and the plan resubmitted, then
approved (the acceptance letter); a CPR's open action point carried to the next CPR."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from regimes.services import plans as plan_services
from regimes.services import reviews as review_services
from tests.regimes.support import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
D = dt.date


@pytest.fixture
def world():
    return build_world()


def download_is_pdf(page, link_name: str) -> None:
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_submit_reject_resubmit_and_approve_a_plan_with_its_letters(world, login, live_server, browser):
    plan = plan_services.create_plan(
        contract=world.contract, by=world.contract_manager.user, title="Lift PG1", first_month=D(2025, 3, 1)
    )
    page = login("cora")
    page.goto(f"{live_server.url}/contracts/CP-1/")
    page.get_by_role("link", name="Plans and reviews").click()
    page.get_by_role("link", name="v1").click()
    expect(page.locator("#plan-status")).to_have_text("Draft")

    page.get_by_role("link", name="Add a SMART action").click()
    page.get_by_label("Action", exact=True).fill("Employer engagement team for PG1")
    page.get_by_label("Measure").fill("20 PG1 vacancies a month")
    page.get_by_label("Owner").fill("Head of delivery")
    page.get_by_label("Start date").fill("2025-03-03")
    page.get_by_label("Due date").fill("2025-05-30")
    page.get_by_label("Predicted uplift PG1").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="PG1 +3")).to_be_visible()

    page.get_by_role("link", name="Edit the flight path").click()
    page.get_by_label("Job outcomes PG1 Mar 2025").fill("8")
    page.get_by_role("button", name="Save flight path").click()
    expect(page.get_by_text("Flight path saved.")).to_be_visible()
    page.get_by_role("button", name="Submit to DWP").click()
    expect(page.locator("#plan-status")).to_have_text("Submitted")

    dwp = browser.new_context().new_page()
    dwp.goto(f"{live_server.url}/accounts/login/")
    dwp.get_by_label("Username").fill("dora")
    dwp.get_by_label("Password").fill("pass")
    dwp.get_by_role("button", name="Log in").click()
    dwp.goto(f"{live_server.url}/regimes/contracts/CP-1/plans/{plan.pk}/")
    dwp.get_by_role("link", name="Approve or reject").click()
    dwp.get_by_label("Decision").select_option("reject")
    dwp.get_by_role("button", name="Save").click()
    expect(dwp.get_by_text("Reason: a rejection gives its reason")).to_be_visible()
    dwp.get_by_label("Reason").fill("No PG1 caseload actions")
    dwp.get_by_role("button", name="Save").click()
    expect(dwp.locator("#plan-status")).to_have_text("Rejected")
    download_is_pdf(dwp, "Rejection letter (PDF)")

    page.reload()
    page.get_by_role("link", name="Record the meeting").click()
    page.get_by_label("What was agreed").fill("Add weekly PG1 caseload reviews")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Resubmit to DWP").click()
    expect(page.locator("#plan-status")).to_have_text("Resubmitted")

    dwp.reload()
    dwp.get_by_role("link", name="Approve or reject").click()
    dwp.get_by_label("Decision").select_option("approve")
    dwp.get_by_role("button", name="Save").click()
    expect(dwp.locator("#plan-status")).to_have_text("Approved")
    download_is_pdf(dwp, "Acceptance letter (PDF)")
    expect(dwp.locator("#flight-path-chart .main-svg").first).to_be_attached()


def test_an_open_action_point_is_carried_to_the_next_cpr(world, login, live_server):
    jan = review_services.save_cpr(
        contract=world.contract,
        by=None,
        month=D(2026, 1, 1),
        meeting_on=D(2026, 1, 28),
        agenda="MPL",
        attendees="",
        assessment="",
    )
    page = login("dora")
    page.goto(f"{live_server.url}/regimes/contracts/CP-1/cprs/{jan.pk}/")
    page.get_by_role("link", name="Add an action point").click()
    page.get_by_label("Action point").fill("Send the PG1 vacancy pipeline")
    page.get_by_label("Owner").fill("Pam")
    page.get_by_label("Due date").fill("2026-02-13")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#raised-points")).to_contain_text("Send the PG1 vacancy pipeline")

    page.goto(f"{live_server.url}/regimes/contracts/CP-1/plans/")
    page.get_by_role("link", name="Plan a CPR").click()
    page.get_by_label("Dashboard month reviewed").fill("2026-02")
    page.get_by_label("Meeting on").fill("2026-02-25")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="CPR of the February 2026 dashboard")).to_be_visible()
    carried = page.locator("#carried-points")
    expect(carried).to_contain_text("Send the PG1 vacancy pipeline")
    expect(carried).to_contain_text("CPR Jan 2026")
    carried.get_by_role("button", name=re.compile("Mark done")).click()
    expect(page.locator("#carried-points")).to_contain_text("Done")
    expect(page.get_by_role("heading", name="CPR of the February 2026 dashboard")).to_be_visible()
