"""The outbox every email goes through (participants.mail; DOMAIN.md 17.11), against a real SMTP server
(aiosmtpd): each message once, with the Message-ID fixed when it was queued; a refusal retried after its
backoff; a send its sender did not live to record is left for a person; the caller's transaction decides."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from participants import mail, tasks
from participants.models import OutboxMessage
from tests import factories as f
from tests.mailserver import free_port
from tests.transactional import restore_seeded_rows  # noqa: F401

pytestmark = pytest.mark.django_db

State = OutboxMessage.State


def queue(key: str, to: str, **kw) -> bool:
    subject = kw.pop("subject", f"About {key}")
    return mail.queue(key=key, to=[to], subject=subject, text=f"Body of {key}", **kw)


def test_a_queued_message_is_sent_once_with_its_message_id_and_the_servers_reply(smtp):
    assert queue("tests:1", "ann@example.org", html="<p>Body</p>")
    row = OutboxMessage.objects.get(key="tests:1")
    assert row.state == State.QUEUED
    assert row.message_id.startswith("<") and row.message_id.endswith("@localhost>")
    assert mail.send_pending() == 1
    [message] = smtp.messages
    assert message["Message-ID"] == row.message_id and message["To"] == "ann@example.org"
    assert message.get_body(("plain",)).get_content().strip() == "Body of tests:1"
    assert message.get_body(("html",)).get_content().strip() == "<p>Body</p>"
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_reply) == (State.SENT, 1, "250 2.0.0 Ok: queued as F00D")
    assert row.sent_at is not None
    assert mail.send_pending() == 0 and len(smtp.messages) == 1


def test_a_second_queue_with_the_same_key_does_nothing(smtp):
    assert queue("tests:same", "ann@example.org", subject="First")
    assert not queue("tests:same", "ann@example.org", subject="Second")
    again = mail.Outgoing(key="tests:same", to=["x@example.org"], subject="Third", text="")
    assert mail.queue_many(messages=[again]) == 0
    mail.send_pending()
    assert [m["Subject"] for m in smtp.messages] == ["First"]


def test_a_message_queued_in_a_rolled_back_transaction_is_never_sent(smtp):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue("tests:gone", "ann@example.org")
        raise RuntimeError("what the email tells of never happened")
    assert not OutboxMessage.objects.exists()
    assert mail.send_pending() == 0 and smtp.messages == []


def test_the_send_task_runs_once_the_transaction_commits(smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            queue("tests:after-commit", "ann@example.org")
        assert smtp.messages == []  # not before the commit
    assert smtp.recipients() == ["ann@example.org"]
    assert OutboxMessage.objects.get().state == State.SENT


@pytest.mark.parametrize("stage", ["refuse_rcpt", "refuse_data"])
def test_a_refused_message_goes_back_to_the_queue_and_is_sent_after_its_backoff(smtp, stage):
    getattr(smtp, stage)["bob@example.org"] = ["451 4.3.0 Try again later"]
    queue("tests:a", "ann@example.org")
    queue("tests:b", "bob@example.org")
    queue("tests:c", "cat@example.org")
    now = timezone.now()
    assert mail.send_pending(now=now) == 2  # the refusal does not hold up the rest
    bob = OutboxMessage.objects.get(key="tests:b")
    assert (bob.state, bob.attempts) == (State.QUEUED, 1)
    assert bob.last_reply.endswith("451 4.3.0 Try again later")
    assert bob.next_attempt_at == now + timedelta(seconds=60)
    assert mail.send_pending(now=now + timedelta(seconds=59)) == 0  # not before its backoff
    assert mail.send_pending(now=now + timedelta(seconds=60)) == 1
    assert smtp.recipients() == ["ann@example.org", "bob@example.org", "cat@example.org"]
    bob.refresh_from_db()
    assert (bob.state, bob.attempts) == (State.SENT, 2)
    assert smtp.by_recipient()["bob@example.org"]["Message-ID"] == bob.message_id


def test_the_backoff_doubles_and_the_message_fails_once_the_attempts_are_spent(smtp, settings):
    settings.FLIGHTPATH_MAIL_MAX_ATTEMPTS = 3
    smtp.refuse_rcpt["bob@example.org"] = ["550 5.1.1 No such user"] * 4
    queue("tests:b", "bob@example.org")
    now = timezone.now()
    mail.send_pending(now=now)
    assert OutboxMessage.objects.get().next_attempt_at == now + timedelta(seconds=60)
    mail.send_pending(now=now + timedelta(seconds=60))
    assert OutboxMessage.objects.get().next_attempt_at == now + timedelta(seconds=60 + 120)
    mail.send_pending(now=now + timedelta(seconds=180))
    bob = OutboxMessage.objects.get()
    assert (bob.state, bob.attempts) == (State.FAILED, 3)
    assert bob.last_reply == "bob@example.org: 550 5.1.1 No such user (given up after 3 attempts)"
    assert mail.send_pending(now=now + timedelta(days=1)) == 0
    assert len(smtp.refuse_rcpt["bob@example.org"]) == 1 and smtp.messages == []  # no fourth try


def test_no_server_listening_keeps_the_messages_queued(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there
    queue("tests:a", "ann@example.org")
    queue("tests:b", "bob@example.org")
    assert mail.send_pending() == 0
    rows = {row.key: row for row in OutboxMessage.objects.all()}
    assert {row.state for row in rows.values()} == {State.QUEUED}
    assert "ConnectionRefusedError" in rows["tests:a"].last_reply and rows["tests:a"].attempts == 1
    assert rows["tests:b"].attempts == 0  # not tried against a closed door


def test_a_message_left_sending_by_a_dead_sender_is_unknown_until_a_person_queues_it_again(smtp, settings):
    queue("tests:lost", "ann@example.org")
    claimed = timezone.now() - timedelta(seconds=settings.FLIGHTPATH_MAIL_LEASE_SECONDS + 1)
    OutboxMessage.objects.update(state=State.SENDING, claimed_at=claimed, attempts=1)
    assert mail.send_pending() == 0
    lost = OutboxMessage.objects.get()
    assert lost.state == State.UNKNOWN and "check whether it arrived" in lost.last_reply
    assert mail.send_pending() == 0 and smtp.messages == []  # never resent by itself
    assert mail.requeue(messages=OutboxMessage.objects.all()) == 1
    assert mail.send_pending() == 1
    assert smtp.messages[0]["Message-ID"] == lost.message_id


def test_a_message_sending_within_its_lease_is_left_alone(smtp):
    queue("tests:busy", "ann@example.org")
    OutboxMessage.objects.update(state=State.SENDING, claimed_at=timezone.now(), attempts=1)
    assert mail.send_pending() == 0
    assert OutboxMessage.objects.get().state == State.SENDING and smtp.messages == []


def test_a_message_to_a_login_made_inactive_before_the_send_is_not_sent(smtp):
    user = f.UserFactory(email="leaver@example.org")
    queue("tests:leaver", user.email, user=user)
    user.is_active = False
    user.save()
    assert mail.send_pending() == 0 and smtp.messages == []
    row = OutboxMessage.objects.get()
    assert row.state == State.FAILED and row.last_reply == "not sent: the recipient's login is inactive"


def test_the_send_task_is_scheduled_every_minute_and_sends_what_is_left(smtp):
    task = PeriodicTask.objects.get(task=mail.SEND_TASK)
    assert task.enabled and (task.interval.every, task.interval.period) == (1, "minutes")
    queue("tests:left", "ann@example.org")
    assert tasks.send_outbox.delay().get() == 1
    assert smtp.recipients() == ["ann@example.org"]


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_message_once(smtp):
    # Rows as queue() writes them, without its after-commit send (which would send them all at once here).
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            key=f"tests:{i}",
            to=[f"person{i}@example.org"],
            subject="Hello",
            text="Body",
            from_email="flightpath@localhost",
            message_id=f"<{i}.tests@localhost>",
        )
        for i in range(30)
    )
    counts: list[int] = []

    def sender():
        try:
            counts.append(mail.send_pending())
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == 30 and len(smtp.messages) == 30
    assert smtp.recipients() == sorted(f"person{i}@example.org" for i in range(30))
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {State.SENT}
