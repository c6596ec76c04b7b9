"""The regime pages: the regime page and its decision form (rule errors shown, what was typed kept),
dismissing, what's due per person and per contract, the calendar feed (parsed back) and the daily email."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from participants.models import OutboxMessage
from regimes.models import Recommendation
from regimes.services.decisions import record_decision
from regimes.services.digest import send_whats_due_emails
from regimes.services.feeds import feed_of

from .helpers import world


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pin(w, on=dt.date(2025, 5, 6)):
    return record_decision(
        contract=w.contract,
        user=w.dwp,
        kind="ISSUE_PIN",
        reason="Failed review",
        decided_on=on,
        group="PG1",
        quarter_end=dt.date(2025, 3, 1),
    )


@pytest.mark.django_db
def test_the_regime_page_shows_a_refused_decision_with_its_rule_and_keeps_the_form(
    django_assert_max_num_queries,
):
    w = world()
    _pin(w)
    client = client_for(w.dwp)
    with django_assert_max_num_queries(25):
        page = client.get(f"/regimes/contracts/{w.contract.ref}/")
    assert (
        page.status_code == 200 and b"Record a decision" in page.content and b"Failed review" in page.content
    )
    refused = client.post(
        f"/regimes/contracts/{w.contract.ref}/decisions/",
        {
            "decision": "ISSUE_PIN",
            "group": "PG1",
            "quarter_end": "2025-06",
            "decided_on": "2025-09-30",
            "reason": "Again",
        },
    )
    assert refused.status_code == 409 and b"17.4" in refused.content and b'value="2025-06"' in refused.content
    bad = client.post(
        f"/regimes/contracts/{w.contract.ref}/decisions/", {"decision": "ISSUE_PIN", "reason": ""}
    )
    assert bad.status_code == 400 and b"Reason" in bad.content
    assert client_for(w.key_worker).get(f"/regimes/contracts/{w.contract.ref}/").status_code == 200
    assert (
        b"Record a decision"
        not in client_for(w.key_worker).get(f"/regimes/contracts/{w.contract.ref}/").content
    )


@pytest.mark.django_db
def test_dismissing_needs_a_reason_and_is_kept():
    w = world()
    rec = Recommendation.objects.create(
        contract=w.contract, key="PIN_RISK:PG1:2025-06", kind="PIN_RISK", group="PG1", message="PG1 at risk"
    )
    client = client_for(w.dwp)
    url = f"/regimes/contracts/{w.contract.ref}/recommendations/dismiss/"
    assert client.post(url, {"recommendation": rec.pk, "reason": ""}).status_code == 400
    assert client.post(url, {"recommendation": rec.pk, "reason": "Known data lag"}).status_code == 302
    rec.refresh_from_db()
    assert rec.status == "DISMISSED" and rec.decided_by == w.dwp


@pytest.mark.django_db
def test_whats_due_lists_the_owners_obligations_overdue_and_filtered(django_assert_max_num_queries):
    w = world()
    _pin(w)
    client = client_for(w.manager)
    with django_assert_max_num_queries(15):
        mine = client.get("/regimes/due/")
    assert (
        mine.status_code == 200 and b"Provider action plan due" in mine.content and b"Overdue" in mine.content
    )
    assert b"<td>PIN remedy period ends</td>" not in mine.content  # DWP's milestone, the DWP contact's
    contract_page = client.get(f"/regimes/contracts/{w.contract.ref}/due/?status=OVERDUE")
    assert b"<td>PIN remedy period ends</td>" in contract_page.content
    done = client.get(f"/regimes/contracts/{w.contract.ref}/due/?status=DONE")
    assert b"Nothing matches" in done.content
    timeline = client.get(f"/regimes/contracts/{w.contract.ref}/timeline/?kind=DECISION")
    assert b"Issue PIN" in timeline.content and b"Provider action plan due (PIN" not in timeline.content
    assert (
        client.get(
            f"/regimes/contracts/{w.contract.ref}/timeline/?since=2025-06-01&until=2025-01-01"
        ).status_code
        == 400
    )


@pytest.mark.django_db
def test_the_calendar_feed_needs_only_its_token_parses_and_rotates():
    w = world()
    _pin(w)
    token = feed_of(user=w.manager).token
    response = Client().get(f"/regimes/feed/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1 and events[0].decoded("dtstart") == dt.date(2025, 5, 13)
    assert "Provider action plan due" in str(events[0]["summary"]) and str(events[0]["uid"]).startswith(
        "obligation-"
    )
    client_for(w.manager).post("/regimes/due/feed/rotate/")
    assert Client().get(f"/regimes/feed/{token}.ics").status_code == 404


@pytest.mark.django_db
def test_the_security_page_rotates_the_feed_and_comes_back():
    w = world()
    token = feed_of(user=w.manager).token
    client = client_for(w.manager)
    page = client.get(reverse("security"))
    assert (
        b"Make a new calendar address" in page.content
        and reverse("regimes:feed-rotate").encode() in page.content
    )
    response = client.post(reverse("regimes:feed-rotate"), {"back": "security"})
    assert response.status_code == 302 and response["Location"] == reverse("security")
    assert feed_of(user=w.manager).token != token
    assert client.post(reverse("regimes:feed-rotate"))["Location"] == reverse("regimes:due-mine")


@pytest.mark.django_db
def test_the_daily_email_goes_once_per_owner_and_day_through_the_outbox(smtp):
    w = world()
    _pin(w)
    assert send_whats_due_emails(today=dt.date(2025, 6, 2)) == 2  # the contract manager and the DWP contact
    assert send_whats_due_emails(today=dt.date(2025, 6, 2)) == 0
    by = smtp.by_recipient()
    assert "OVERDUE" in by["cm@example.org"].get_body().get_content()
    assert OutboxMessage.objects.filter(kind="regimes.whats_due").count() == 2
