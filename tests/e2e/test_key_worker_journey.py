"""A key worker logs in, finds a participant on their caseload and opens the journey timeline."""

import re

import pytest
from playwright.sync_api import expect

from tests.scoping import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_key_worker_finds_participant_and_opens_timeline(login, live_server):
    world = build_world()
    page = login("alice")
    page.get_by_role("link", name="My caseload").click()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(page.get_by_role("cell", name="RA-OTHER")).to_have_count(0)  # not on her caseload

    page.get_by_label("Search").fill(world.alice_referral.participant.ref)
    page.get_by_role("button", name="Filter").click()
    # The caseload leads with the person; the referral's reference is beneath the name.
    page.get_by_role("row", name=re.compile("RA-ALICE")).get_by_role("link").first.click()

    expect(page).to_have_url(re.compile(rf"/participants/{world.alice_referral.participant_id}/$"))
    timeline = page.get_by_role("list", name="Journey timeline of referral RA-ALICE")
    expect(timeline.get_by_role("listitem")).to_have_count(2)
    expect(timeline).to_contain_text("Referred")
    expect(timeline).to_contain_text("Started")
