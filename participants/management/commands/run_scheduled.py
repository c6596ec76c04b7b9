"""`python manage.py run_scheduled NAME` runs one scheduled job now, as the beat schedule would, and
`--list` names them (DATA.md "Command line").

The jobs are the django-celery-beat PeriodicTask rows every app's migrations create, so a job another app
schedules appears here by itself. NAME is the schedule's name (as `--list` shows it) or its task's name. The
job runs in this process, with the schedule's arguments; what it enqueues (an email, a recompute) goes to the
worker as usual, or runs in-process without a broker."""

from __future__ import annotations

import json

from celery import current_app
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django_celery_beat.models import PeriodicTask


def _schedule(task: PeriodicTask) -> str:
    return str(task.crontab or task.interval or task.solar or task.clocked or "none")


class Command(BaseCommand):
    help = "Run one scheduled job now (NAME: a schedule's name or its task's); --list names every one."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="The schedule's name or task name (see --list).")
        parser.add_argument(
            "--list", dest="list_jobs", action="store_true", help="List every scheduled job and stop."
        )

    def handle(self, *args, name: str | None, list_jobs: bool, **options):
        jobs = PeriodicTask.objects.select_related("crontab", "interval", "solar", "clocked").order_by("name")
        if list_jobs:
            for job in jobs:
                state = "" if job.enabled else " (disabled)"
                self.stdout.write(f"{job.name}\t{job.task}\t{_schedule(job)}{state}")
            return
        if not name:
            raise CommandError("name: give a scheduled job's name (run_scheduled --list names them).")
        matches = list(jobs.filter(Q(name=name) | Q(task=name)))
        if not matches:
            raise CommandError(f"name: no scheduled job is called {name!r} (--list names them).")
        if len({job.task for job in matches}) > 1:
            raise CommandError(f"name: {name!r} names more than one job; give the schedule's name.")
        job = matches[0]
        current_app.loader.import_default_modules()
        if job.task not in current_app.tasks:
            raise CommandError(f"name: the task {job.task!r} of {job.name!r} is not installed.")
        result = current_app.tasks[job.task].apply(
            args=json.loads(job.args or "[]"), kwargs=json.loads(job.kwargs or "{}"), throw=True
        )
        self.stdout.write(self.style.SUCCESS(f"{job.name}: done ({result.result!r})."))
