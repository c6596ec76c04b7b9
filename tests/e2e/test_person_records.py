"""The person in a real browser (issue 13): find a participant by part of their name, accent-free, from the
caseload's search box; edit the name and see the page lead with it; reveal the NI number."""

import re

import pytest
from playwright.sync_api import expect

from tests.participants.workspace_support import build_desk

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_search_by_name_then_edit_the_name(login, live_server):
    desk = build_desk()
    participant = desk.referral.participant
    participant.first_name, participant.last_name, participant.nino = "José", "Núñez", "QQ123456C"
    participant.save()
    page = login("kim")
    page.goto(f"{live_server.url}/caseload/")
    page.get_by_label("Search").fill("nunez")
    page.get_by_label("Search").press("Enter")
    page.wait_for_load_state()
    link = page.get_by_role("link", name="José Núñez")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", name="José Núñez", level=1)).to_be_visible()
    expect(page.get_by_text("QQ •• •• •• C")).to_be_visible()
    page.get_by_role("link", name="Show the National Insurance number").click()
    expect(page.get_by_text("QQ 12 34 56 C")).to_be_visible()

    page.get_by_role("link", name="Edit name and contact details").click()
    page.get_by_label("Preferred name").fill("Pepe")
    page.get_by_label("National Insurance number").fill("QQ12")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text(re.compile("not a National Insurance number"))).to_be_visible()
    expect(page.get_by_label("Preferred name")).to_have_value("Pepe")  # kept what was typed
    page.get_by_label("National Insurance number").fill("QQ 12 34 56 C")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("heading", name="Pepe Núñez", level=1)).to_be_visible()
    expect(page.get_by_text("José Núñez · Participant")).to_be_visible()
