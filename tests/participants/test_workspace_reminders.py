"""The daily reminder email of overdue action-plan reviews and open FTA follow-ups, through a real SMTP
server (aiosmtpd), and its beat schedule."""

import datetime as dt
import email
import socket

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from participants import tasks_workspace
from participants.workspace import services as services
from tests import factories as f
from tests.participants.workspace_support import build_desk

pytestmark = pytest.mark.django_db

GOAL = {
    "key": "",
    "goal": "Update CV",
    "measure": "CV sent",
    "owner": "Participant",
    "due_date": "2025-02-14",
    "status": "NOT_STARTED",
}


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's own start-up check cannot use port 0)
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


def test_key_workers_get_their_overdue_reviews_and_open_follow_ups_once_a_day(smtp):
    desk = build_desk()
    services.save_action_plan(
        referral=desk.referral, expected_version=0, goals=[GOAL], agreed_on=dt.date(2025, 1, 10), user=None
    )  # review due 10 Feb 2025
    appointment = f.AppointmentFactory(referral=desk.referral)
    services.record_attendance(appointment=appointment, attended=False, fta_reason="FORGOT", user=None)
    not_yet = f.ReferralFactory(contract=desk.contract, key_worker=desk.key_worker, ref="RW-3")
    services.save_action_plan(
        referral=not_yet, expected_version=0, goals=[GOAL], agreed_on=dt.date(2025, 2, 5), user=None
    )  # due 5 Mar 2025: not overdue on 1 Mar

    assert services.send_review_reminders(today=dt.date(2025, 3, 1)) == 1
    [(recipients, message)] = smtp.messages
    body = message.get_payload(decode=True).decode()
    assert recipients == ["kim@example.org"]
    assert message["Subject"] == "Flightpath: 1 overdue review(s), 1 open follow-up(s)"
    assert "RW-1" in body and "review was due 10 Feb 2025" in body and "Follow up failure to attend" in body
    assert "RW-3" not in body
    assert f"{settings.SITE_URL}/caseload/" in body
    assert services.send_review_reminders(today=dt.date(2025, 3, 1)) == 0  # not twice on one day
    assert len(smtp.messages) == 1


def test_the_task_runs_the_service_and_beat_schedules_it_daily(smtp):
    build_desk()
    assert tasks_workspace.send_review_reminders.delay().get() == 0  # nothing overdue: no email
    task = PeriodicTask.objects.get(task="participants.tasks_workspace.send_review_reminders")
    assert task.enabled and task.crontab.hour == "7" and task.crontab.day_of_week == "*"
