"""The daily due-soon digest: each key worker with a login and an email gets their own list (text + HTML),
over a real SMTP server (aiosmtpd); empty lists send nothing; the beat schedule is seeded by a migration."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from compliance import tasks_digest
from tests.compliance.pages_support import TODAY, build_pages_world


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's start-up check cannot use port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.fixture
def world(db):
    return build_pages_world()


def by_recipient(inbox: Inbox) -> dict[str, email.message.EmailMessage]:
    return {m["To"]: m for m in inbox.messages}


def test_each_key_worker_gets_their_own_items_as_text_and_html(world, smtp):
    sent = tasks_digest.send_due_soon_digests_for(today=TODAY, days=3)
    mail = by_recipient(smtp)
    # Alice, Dave and Eve have items; the subcontractor's referral has no key worker; managers get none.
    assert sent == 3 and set(mail) == {"alice@example.org", "dave@example.org", "eve@example.org"}
    alice = mail["alice@example.org"]
    assert alice["Subject"] == "Flightpath: 2 standards deadline(s) due soon or late"
    text = alice.get_body(("plain",)).get_content()
    html = alice.get_body(("html",)).get_content()
    assert "R-ALICE-1 (CP-1) CSS2: deadline Wed 8 Jan 2025 - LATE" in text
    assert "R-ALICE-3" in text and "R-DAVE-1" not in text and "R-OTHER-1" not in text
    assert "<td>R-ALICE-1</td>" in html and "R-DAVE-1" not in html
    link = f"{settings.SITE_URL}/compliance/due-soon/?key_worker={world.alice.pk}"
    assert link in text and f'href="{link}"' in html  # absolute links: they work from a mail client


def test_key_worker_without_items_or_email_gets_nothing(world, smtp):
    world.dave.user.email = ""
    world.dave.user.save()
    world.eve.user.is_active = False
    world.eve.user.save()
    assert tasks_digest.send_due_soon_digests_for(today=TODAY, days=3) == 1
    assert set(by_recipient(smtp)) == {"alice@example.org"}


def test_second_run_on_the_same_day_sends_nothing(world, smtp):
    assert tasks_digest.send_due_soon_digests_for(today=TODAY, days=3) == 3
    assert tasks_digest.send_due_soon_digests_for(today=TODAY, days=3) == 0
    assert len(smtp.messages) == 3


def test_digest_task_is_scheduled_daily_at_seven_london_time(db):
    task = PeriodicTask.objects.get(task="compliance.tasks_digest.send_due_soon_digests")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("7", "0", "Europe/London")


def test_task_runs_through_celery_with_todays_date(world, smtp):
    # Eager in tests (settings.test). Today the 2025 items are still open, so all of them are late.
    assert tasks_digest.send_due_soon_digests.delay().get() == 3
    assert "LATE" in by_recipient(smtp)["dave@example.org"].get_body(("plain",)).get_content()
