"""The recompute claim's heartbeat, across real processes and connections: a worker killed mid-run (a real
subprocess, SIGKILL) has its claim taken over as soon as its heartbeat is older than the limit, and a job's
progress reaches other connections at once even while the job holds a transaction open."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

from participants.jobs import JobClaimed, job_run
from participants.models import JobRun
from tests.transactional import restore_seeded_rows  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = textwrap.dedent(
    """
    import time
    import django
    django.setup()
    from participants.jobs import job_run
    with job_run("tests.killed") as run:
        run.report(10, "working")
        print(run.run.pk, flush=True)
        time.sleep(600)
    """
)


def url_of_this_database() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def read_elsewhere(pk: int) -> tuple:
    """The run's row as another connection (a page, another worker) sees it now."""
    seen: list[tuple] = []

    def read():
        try:
            seen.append(JobRun.objects.values_list("progress", "message", "heartbeat_at").get(pk=pk))
        finally:
            connection.close()

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(timeout=30)
    return seen[0]


def claim_once(kind: str) -> bool:
    try:
        with job_run(kind):
            return True
    except JobClaimed:
        return False


def test_a_killed_workers_claim_is_taken_over_once_its_heartbeat_is_older_than_the_limit(settings):
    settings.FLIGHTPATH_JOB_STALE_SECONDS = 3
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url_of_this_database(),
        "FLIGHTPATH_JOB_HEARTBEAT_SECONDS": "0.2",
    }
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        pk = int(worker.stdout.readline())
        first = read_elsewhere(pk)[2]
        deadline = time.monotonic() + 20
        while read_elsewhere(pk)[2] == first:  # the worker sleeps; its heartbeat goes on
            assert time.monotonic() < deadline, "no heartbeat from a live worker"
            time.sleep(0.1)
        time.sleep(3.5)  # longer than the limit: a live worker's fresh heartbeat still holds the claim
        assert not claim_once("tests.killed")
    finally:
        worker.kill()
        worker.wait(timeout=30)
    killed = time.monotonic()
    tries = 1
    while not claim_once("tests.killed"):
        tries += 1
        assert time.monotonic() - killed < 3 + 5, "the dead worker's claim was not taken over"
        time.sleep(0.1)
    assert tries > 1  # not at once: the limit passed first
    dead = JobRun.objects.get(pk=pk)
    assert (dead.status, dead.progress, dead.message) == ("FAILED", 10, "working")
    assert dead.error == "abandoned: no heartbeat for 3 s (worker stopped)"
    assert JobRun.objects.filter(kind="tests.killed", status="SUCCEEDED").count() == 1


def test_progress_reported_inside_the_jobs_own_transaction_is_seen_at_once_elsewhere():
    with job_run("tests.visible") as run, transaction.atomic():
        run.report(40, "halfway")
        assert read_elsewhere(run.run.pk)[:2] == (40, "halfway")
    done = JobRun.objects.get(pk=run.run.pk)
    assert (done.status, done.progress) == ("SUCCEEDED", 100)


def test_a_running_job_keeps_its_heartbeat_without_reporting(settings):
    settings.FLIGHTPATH_JOB_HEARTBEAT_SECONDS = 0.1
    with job_run("tests.quiet") as run:
        first = read_elsewhere(run.run.pk)[2]
        time.sleep(0.5)
        assert read_elsewhere(run.run.pk)[2] > first
