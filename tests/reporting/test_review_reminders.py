"""The daily reminder email of overdue action-plan reviews and open FTA follow-ups, through a real SMTP
server (aiosmtpd), and its beat schedule."""

import datetime as dt

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from participants.workspace import services as workspace
from reporting import services, tasks
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


def overdue_desk():
    """Kim's caseload on 1 March 2025: one plan's review overdue and one open FTA follow-up on RW-1, and a
    plan on RW-3 whose review is not yet due."""
    desk = build_desk()
    workspace.save_action_plan(
        referral=desk.referral, expected_version=0, goals=[GOAL], agreed_on=dt.date(2025, 1, 10), user=None
    )  # review due 10 Feb 2025
    appointment = f.AppointmentFactory(referral=desk.referral)
    workspace.record_attendance(appointment=appointment, attended=False, fta_reason="FORGOT", user=None)
    not_yet = f.ReferralFactory(contract=desk.contract, key_worker=desk.key_worker, ref="RW-3")
    workspace.save_action_plan(
        referral=not_yet, expected_version=0, goals=[GOAL], agreed_on=dt.date(2025, 2, 5), user=None
    )  # due 5 Mar 2025: not overdue on 1 Mar
    return desk


def test_key_workers_get_their_overdue_reviews_and_open_follow_ups_once_a_day(smtp):
    overdue_desk()
    assert services.send_review_reminders(today=dt.date(2025, 3, 1)) == 1
    [recipients], [message] = smtp.envelopes, smtp.messages
    body = message.get_payload(decode=True).decode()
    assert recipients == ["kim@example.org"] and not message.is_multipart()  # plain text only
    assert message["Subject"] == "Flightpath: 1 overdue review(s), 1 open follow-up(s)"
    assert "RW-1" in body and "review was due 10 Feb 2025" in body and "Follow up failure to attend" in body
    assert "RW-3" not in body
    assert f"{settings.SITE_URL}/caseload/" in body
    assert services.send_review_reminders(today=dt.date(2025, 3, 1)) == 0  # not twice on one day
    assert len(smtp.messages) == 1


def test_a_key_worker_whose_login_is_inactive_gets_no_reminder(smtp):
    desk = overdue_desk()
    desk.key_worker.user.is_active = False
    desk.key_worker.user.save()
    assert services.send_review_reminders(today=dt.date(2025, 3, 1)) == 0
    assert smtp.messages == []


def test_the_task_runs_the_service_and_beat_schedules_it_daily(smtp):
    build_desk()
    assert tasks.send_review_reminders.delay().get() == 0  # nothing overdue: no email
    task = PeriodicTask.objects.get(task="reporting.tasks.send_review_reminders")
    assert task.enabled and task.crontab.hour == "7" and task.crontab.day_of_week == "*"
