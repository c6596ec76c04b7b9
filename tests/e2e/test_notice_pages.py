"""Issue notices in a real browser: a contract manager writes an urgent notice, sees it SENT on its page,
and it is in the SMTP server's mailbox with the Message-ID the page shows."""

import os

import pytest
from playwright.sync_api import expect

from regimes.models import IssueNotice
from tests.regimes import notice_support as support
from tests.transactional import restore_seeded_rows  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("FLIGHTPATH_SCREENSHOTS", "")  # a folder: save the pages' screenshots there


def test_an_urgent_notice_written_in_the_browser_is_sent_once(login, live_server, smtp):
    world = support.build("E2E-N")
    page = login(world.manager.user.username)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/regimes/contracts/E2E-N/notices/")
    page.get_by_role("link", name="Write a notice").click()
    page.get_by_label("Summary of the issue").fill("A participant's evidence was lost")
    page.get_by_label("Urgency").select_option("URGENT")
    page.get_by_label("Remedial action taken or under way").fill(support.FIELDS["remedial_action"])
    page.get_by_label("Steps to avoid a repetition").fill(support.FIELDS["avoid_repetition"])
    page.get_by_label("People told").fill(support.FIELDS["people_told"])
    page.get_by_label("Other recipients").fill("ops@example.org")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/issue-notice-form.png", full_page=True)
    page.get_by_role("button", name="Save the notice").click()
    expect(page.locator("#notice-state")).to_have_attribute("data-state", "SENT", timeout=20_000)
    notice = IssueNotice.objects.select_related("message").get()
    expect(page.get_by_text(notice.message.message_id)).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/issue-notice.png", full_page=True)
    [message] = smtp.messages
    assert message["Message-ID"] == notice.message.message_id
    assert smtp.envelopes == [[*sorted(s.user.email for s in world.dwp), "ops@example.org"]]
