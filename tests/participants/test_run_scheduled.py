"""`manage.py run_scheduled` (DATA.md "Command line"): every scheduled job by name, a new one by itself."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from participants import mail
from participants.models import OutboxMessage

pytestmark = pytest.mark.django_db


def listed() -> list[str]:
    out = StringIO()
    call_command("run_scheduled", "--list", stdout=out)
    return [line.split("\t")[0] for line in out.getvalue().splitlines()]


def test_the_list_names_every_schedule_the_migrations_made_and_a_new_one_by_itself():
    names = listed()
    assert names == sorted(PeriodicTask.objects.values_list("name", flat=True))
    assert {"Send queued emails", "regimes: queue due issue notices"} <= set(names)
    every_hour, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.create(name="a later job", task=mail.SEND_TASK, interval=every_hour)
    assert "a later job" in listed()


def test_a_job_runs_now_by_its_name_or_its_tasks_name(smtp):
    mail.queue(key="tests:scheduled", to=["ann@example.org"], subject="Hi", text="Body")
    out = StringIO()
    call_command("run_scheduled", "Send queued emails", stdout=out)
    assert "Send queued emails: done (1)" in out.getvalue()
    assert OutboxMessage.objects.get().state == "SENT" and len(smtp.messages) == 1
    call_command("run_scheduled", mail.SEND_TASK, stdout=StringIO())
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("args", [[], ["no such job"]])
def test_a_missing_or_unknown_name_is_a_clear_error(args):
    with pytest.raises(CommandError, match="name: "):
        call_command("run_scheduled", *args)
