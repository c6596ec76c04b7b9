"""The daily due-soon digest: each key worker with a login and an email gets their own list (text + HTML),
over a real SMTP server (aiosmtpd); empty lists send nothing; the beat schedule is seeded by a migration."""

from __future__ import annotations

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from participants.jobs import job_run
from participants.models import JobRun, OutboxMessage
from reporting import services, tasks
from tests.compliance.pages_support import TODAY, build_pages_world


@pytest.fixture
def world(db):
    return build_pages_world()


def test_each_key_worker_gets_their_own_items_as_text_and_html(world, smtp):
    sent = services.send_due_soon_digests(today=TODAY, days=3)
    mail = smtp.by_recipient()
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
    assert services.send_due_soon_digests(today=TODAY, days=3) == 1
    assert set(smtp.by_recipient()) == {"alice@example.org"}


def test_second_run_on_the_same_day_sends_nothing(world, smtp):
    assert services.send_due_soon_digests(today=TODAY, days=3) == 3
    assert services.send_due_soon_digests(today=TODAY, days=3) == 0
    assert len(smtp.messages) == 3
    first, second = JobRun.objects.filter(kind=services.DUE_SOON_DIGEST.kind).order_by("pk")
    assert first.params == {"date": TODAY.isoformat(), "days": 3}
    assert first.message == "3 due-soon digest(s) queued; 3 of 3 sent"
    assert second.message == "0 due-soon digest(s) queued; 3 of 3 sent"


def test_each_digest_carries_the_message_id_its_outbox_row_recorded(world, smtp):
    services.send_due_soon_digests(today=TODAY, days=3)
    rows = OutboxMessage.objects.filter(kind=services.DUE_SOON_DIGEST.kind)
    assert {row.to[0]: row.message_id for row in rows} == {
        to: message["Message-ID"] for to, message in smtp.by_recipient().items()
    }
    alice = rows.get(user=world.alice.user)
    assert alice.key == f"compliance.due_soon_digest:user={world.alice.user.pk}:{TODAY.isoformat()}"
    assert alice.state == OutboxMessage.State.SENT and alice.last_reply.startswith("250 ")


def test_a_rerun_after_a_refusal_sends_only_what_is_missing(world, smtp, settings):
    settings.FLIGHTPATH_MAIL_RETRY_SECONDS = 0  # the refused one is due again at once
    smtp.refuse_data["dave@example.org"] = ["451 4.3.0 Try again later"]
    assert services.send_due_soon_digests(today=TODAY, days=3) == 3
    assert smtp.recipients() == ["alice@example.org", "eve@example.org"]
    assert services.send_due_soon_digests(today=TODAY, days=3) == 0  # nothing queued twice
    assert smtp.recipients() == ["alice@example.org", "dave@example.org", "eve@example.org"]


def test_a_run_while_another_holds_the_claim_sends_nothing(world, smtp):
    with job_run(services.DUE_SOON_DIGEST.kind):
        assert services.send_due_soon_digests(today=TODAY, days=3) == 0
    assert smtp.messages == []


def test_digest_task_is_scheduled_daily_at_seven_london_time(db):
    task = PeriodicTask.objects.get(task="reporting.tasks.send_due_soon_digests")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("7", "0", "Europe/London")


def test_task_runs_through_celery_with_todays_date(world, smtp):
    # Eager in tests (settings.test). Today the 2025 items are still open, so all of them are late.
    assert tasks.send_due_soon_digests.delay().get() == 3
    assert "LATE" in smtp.by_recipient()["dave@example.org"].get_body(("plain",)).get_content()
