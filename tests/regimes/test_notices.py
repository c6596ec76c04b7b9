"""Issue notices (DOMAIN.md 12, 17.10-17.11) against a real SMTP server (aiosmtpd): each kind arrives once
at every DWP contact of the contract with the Message-ID recorded; NORMAL ones wait for the daily schedule,
which sends nothing twice; a server that is down loses nothing; the obligation is owed until sent."""

from __future__ import annotations

import datetime as dt
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from participants import mail
from participants.errors import FlightpathError
from participants.models import OutboxMessage
from regimes.models import IssueNotice, Obligation
from regimes.selectors import timeline
from regimes.selectors.notices import timeline_entries
from regimes.services import notices
from tests.mailserver import free_port
from tests.regimes import notice_support as support
from tests.transactional import restore_seeded_rows  # noqa: F401

pytestmark = pytest.mark.django_db
State = IssueNotice.State
SCHEDULE = "regimes: queue due issue notices"


@pytest.fixture
def world(db):
    return support.build()


def write(world, urgency: str, **extra) -> IssueNotice:
    return notices.write_notice(
        contract=world.contract, user=world.manager.user, fields=support.fields(urgency, **extra)
    )


def dwp_addresses(world) -> list[str]:
    return sorted(s.user.email for s in world.dwp)


@pytest.mark.parametrize("urgency", ["URGENT", "RED_FLAG"])
def test_an_urgent_notice_arrives_at_once_and_once_at_every_dwp_contact(
    world, smtp, urgency, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = write(world, urgency, extra_recipients=["ops@example.org"])
    notice.refresh_from_db()
    [message] = smtp.messages
    assert smtp.envelopes == [[*dwp_addresses(world), "ops@example.org"]]  # not the leaver, not other's
    assert message["Message-ID"] == notice.message.message_id
    assert notice.state == State.SENT and notice.message.attempts == 1
    assert notice.message.last_reply == "250 2.0.0 Ok: queued as F00D" and notice.message.sent_at
    urgency_tag = notice.get_urgency_display().upper()
    assert message["Subject"].strip() == f"[{urgency_tag}] Brightwork Employment, NOT-1: {notice.summary}"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Brightwork Employment" in body and "NOT-1" in body
        assert support.FIELDS["remedial_action"] in body
        assert f"http://testserver.example/regimes/contracts/NOT-1/notices/{notice.pk}/" in body
    obligation = Obligation.objects.get(key=notice.obligation_key)
    assert (obligation.kind, obligation.status, obligation.due_date) == (
        "NOTICE_DUE",
        "DONE",
        timezone.localdate(),
    )
    assert mail.send_pending() == 0 and len(smtp.messages) == 1
    call_command("run_scheduled", SCHEDULE)
    assert len(smtp.messages) == 1


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver.example"


def test_a_normal_notice_is_due_in_working_days_and_sent_once_by_the_schedule(
    world, smtp, django_capture_on_commit_callbacks
):
    # Monday 22 December 2025: five working days on, past Christmas and Boxing Day, is Wednesday the 31st.
    with django_capture_on_commit_callbacks(execute=True):
        notice = notices.write_notice(
            contract=world.contract,
            user=world.performance.user,
            fields=support.fields("NORMAL"),
            today=dt.date(2025, 12, 22),
        )
    assert notice.due_by == dt.date(2025, 12, 31) and notice.state == State.DRAFT
    obligation = Obligation.objects.get(key=notice.obligation_key)
    assert (obligation.status, obligation.due_date) == ("OPEN", notice.due_by)
    assert obligation.source == f"Notice {notice.pk}"
    assert smtp.messages == [] and mail.send_pending() == 0
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduled", SCHEDULE)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduled", SCHEDULE)  # a second run: nothing more
    notice.refresh_from_db()
    assert notice.state == State.SENT
    assert [m["Message-ID"] for m in smtp.messages] == [notice.message.message_id]
    assert smtp.envelopes == [dwp_addresses(world)]
    obligation.refresh_from_db()
    assert obligation.status == "DONE"


def test_the_working_days_are_a_setting(world, settings):
    settings.FLIGHTPATH_NOTICE_WORKING_DAYS = 2
    friday = dt.date(2025, 6, 6)
    notice = notices.write_notice(
        contract=world.contract, user=world.manager.user, fields=support.fields("NORMAL"), today=friday
    )
    assert notice.due_by == dt.date(2025, 6, 10)


@pytest.mark.django_db(transaction=True)
def test_two_schedules_at_once_send_each_notice_once(smtp):
    world = support.build("NOT-TWO")
    drafts = [write(world, "NORMAL", summary=f"Issue {n}") for n in range(12)]
    assert mail.send_pending() == 0

    def run():
        try:
            notices.queue_due_notices()
            mail.send_pending()
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    mail.send_pending()
    assert len(smtp.messages) == 12
    assert sorted(m["Message-ID"] for m in smtp.messages) == sorted(
        OutboxMessage.objects.values_list("message_id", flat=True)
    )
    assert {IssueNotice.objects.get(pk=d.pk).state for d in drafts} == {State.SENT}
    assert not Obligation.objects.filter(status="OPEN").exists()


def test_with_the_server_down_nothing_is_lost_and_it_goes_once_when_back(
    world, smtp, settings, django_capture_on_commit_callbacks
):
    up = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        notice = write(world, "URGENT")
    notice.refresh_from_db()
    assert notice.state == State.QUEUED and notice.message.attempts == 1
    assert "ConnectionRefusedError" in notice.message.last_reply
    settings.EMAIL_PORT = up
    assert mail.send_pending() == 0  # not before its backoff
    later = timezone.now() + timedelta(seconds=settings.FLIGHTPATH_MAIL_RETRY_SECONDS)
    assert mail.send_pending(now=later) == 1 and mail.send_pending(now=later + timedelta(hours=1)) == 0
    notice.refresh_from_db()
    assert notice.state == State.SENT and notice.message.attempts == 2
    assert [m["Message-ID"] for m in smtp.messages] == [notice.message.message_id]


def test_an_unknown_notice_is_resent_by_a_person_with_its_message_id(world, smtp, settings):
    notice = write(world, "RED_FLAG")
    stale = timezone.now() - timedelta(seconds=settings.FLIGHTPATH_MAIL_LEASE_SECONDS + 1)
    OutboxMessage.objects.filter(pk=notice.message_id).update(state="SENDING", claimed_at=stale, attempts=1)
    assert mail.send_pending() == 0
    notice.refresh_from_db()
    assert notice.state == State.UNKNOWN and notice.may_resend and smtp.messages == []
    assert Obligation.objects.get(key=notice.obligation_key).status == "OPEN"  # still owed
    assert notices.resend(notice=notice) and mail.send_pending() == 1
    notice.refresh_from_db()
    assert notice.state == State.SENT and not notices.resend(notice=notice)
    assert [m["Message-ID"] for m in smtp.messages] == [notice.message.message_id]
    assert Obligation.objects.get(key=notice.obligation_key).status == "DONE"


def test_the_schedule_fulfils_the_obligation_of_a_notice_its_sender_did_not_record(world, smtp):
    notice = write(world, "URGENT")
    mail.send_pending()
    Obligation.objects.filter(key=notice.obligation_key).update(status="OPEN", done_on=None)
    notices.queue_due_notices()
    assert Obligation.objects.get(key=notice.obligation_key).status == "DONE"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"summary": "  "}, "summary"),
        ({"remedial_action": ""}, "remedial_action"),
        ({"urgency": "SOON"}, "urgency"),
        ({"extra_recipients": ["ops@example.org", "not an address"]}, "extra_recipients"),
        ({"summary": "x" * 201}, "summary"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, change, field):
    with pytest.raises(FlightpathError) as error:
        notices.write_notice(
            contract=world.contract, user=world.manager.user, fields={**support.fields("URGENT"), **change}
        )
    assert error.value.field == field
    assert not IssueNotice.objects.exists() and not Obligation.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_an_urgent_notice_with_no_one_to_send_to_is_refused(world):
    world.contract.dwp_contacts.clear()
    with pytest.raises(FlightpathError) as error:
        write(world, "URGENT")
    assert error.value.field == "extra_recipients" and not IssueNotice.objects.exists()


def test_the_timeline_shows_each_notice(world):
    assert "regimes.selectors.notices:timeline_entries" in timeline.SOURCES
    notice = write(world, "NORMAL")
    [entry] = timeline_entries(world.contract)
    assert entry.kind == "NOTICE" and entry.title == f"Normal issue notice: {notice.summary}"
    assert entry.url == f"/regimes/contracts/NOT-1/notices/{notice.pk}/"
    assert entry.detail == f"Draft, due by {notice.due_by:%d %b %Y}"
    assert entry.actor == world.manager.user.get_full_name()
