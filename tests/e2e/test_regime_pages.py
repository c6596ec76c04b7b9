"""The regime workflow in a real browser: a DWP contact confirms a PIN candidate on the regime page (the
decision form pre-filled), and the action plan it owes appears on the contract manager's what's due."""

import re

import pytest
from playwright.sync_api import expect

from regimes.services import recommendations
from tests.regimes.helpers import world
from tests.regimes.test_recommendations import _failed_review, _latest_projection

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_dwp_contact_confirms_a_pin_candidate_and_the_action_plan_is_due_for_the_contract_manager(
    login, live_server
):
    w = world()
    _failed_review(w)
    _latest_projection(w)
    recommendations.refresh(contract=w.contract)

    page = login(w.dwp.username)
    page.goto(f"{live_server.url}/regimes/contracts/{w.contract.ref}/")
    recs = page.get_by_role("region", name="Recommendations")
    expect(recs).to_contain_text("PG1 failed the March 2025 review at 89% of MPL: PIN candidate")
    recs.get_by_role("link", name="Confirm").click()
    form = page.get_by_role("region", name="Record a decision")
    expect(form.get_by_label("Decision")).to_have_value("ISSUE_PIN")
    expect(form.get_by_label("Group (PIN)")).to_have_value("PG1")
    expect(form.get_by_label("Quarter end reviewed (PIN)")).to_have_value("2025-03")
    form.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert").first).to_contain_text("Recorded: Issue PIN")
    expect(page.get_by_role("region", name="State")).to_contain_text("PG1")
    expect(page.get_by_role("region", name="Decision history")).to_contain_text("Issue PIN · PIN")
    expect(page.get_by_role("region", name="Recommendations")).to_contain_text("0 open")
    page.get_by_role("button", name="Log out").click()

    page = login(w.manager.username)
    page.get_by_role("link", name="What's due").first.click()
    expect(page.get_by_role("heading", name="What's due: yours")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Provider action plan due"))
    expect(row).to_contain_text(w.contract.ref)
    expect(row).to_contain_text(re.compile("PIN \\d+"))
