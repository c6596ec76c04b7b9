"""participants.jobs: the one claim every background job takes (JobRun, held while its heartbeat is fresh),
the one way tasks are enqueued (by name, after commit) and the recompute requests written with the change
that needs them. A killed worker and the heartbeat seen from another connection: test_job_heartbeat.py."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from celery import current_app
from django.db import transaction
from django_celery_beat.models import PeriodicTask

from participants import jobs, tasks
from participants.jobs import JobClaimed, enqueue, enqueue_for_every_contract, enqueue_recompute, job_run
from participants.models import JobRun, RecomputeRequest
from tests import factories as f

pytestmark = pytest.mark.django_db

SENT: list[tuple] = []


@current_app.task(name="tests.jobs.record")
def record(*args):
    SENT.append(args)


@pytest.fixture(autouse=True)
def clear_sent():
    SENT.clear()


def test_a_run_is_recorded_with_progress_and_finishes_as_succeeded():
    contract = f.ContractFactory()
    with job_run("tests.job", contract_id=contract.pk, params={"months": None}) as run:
        run.report(140, "x" * 300)  # clamped to 100 %, message cut to its column
        held = JobRun.objects.get(pk=run.run.pk)
        assert (held.status, held.progress, len(held.message)) == ("RUNNING", 100, 200)
    done = JobRun.objects.get(pk=run.run.pk)
    assert (done.status, done.progress, done.params) == ("SUCCEEDED", 100, {"months": None})
    assert done.finished_at is not None


def test_an_error_finishes_the_run_as_failed_with_the_error_and_is_raised():
    with pytest.raises(ValueError, match="bad"), job_run("tests.job"):
        raise ValueError("bad")
    run = JobRun.objects.get(kind="tests.job")
    assert run.status == "FAILED" and run.error == "ValueError: bad" and run.finished_at is not None


def test_a_second_run_of_the_same_kind_and_contract_is_refused_while_the_first_runs():
    contract, other = f.ContractFactory(), f.ContractFactory()
    with job_run("tests.job", contract_id=contract.pk):
        with (
            pytest.raises(JobClaimed, match="^job is already running$"),
            job_run("tests.job", contract_id=contract.pk),
        ):
            pass
        with job_run("tests.job", contract_id=other.pk), job_run("tests.other", contract_id=contract.pk):
            pass  # another contract or another kind is another claim
    with job_run("tests.job", contract_id=contract.pk):
        pass  # free again once the first finished
    assert JobRun.objects.filter(kind="tests.job", contract=contract, status="SUCCEEDED").count() == 2


def test_a_job_without_a_contract_is_claimed_once_too():
    with job_run("tests.daily"), pytest.raises(JobClaimed), job_run("tests.daily"):
        pass


def test_a_claim_whose_heartbeat_stopped_minutes_ago_is_taken_over(settings):
    """A worker killed six minutes ago, its run started ten minutes ago: taken over (the limit is five
    minutes of silence), not two hours after the start."""
    assert settings.FLIGHTPATH_JOB_STALE_SECONDS == 300
    stale = JobRun.objects.create(kind="tests.job")
    JobRun.objects.filter(pk=stale.pk).update(
        started_at=stale.started_at - timedelta(minutes=10),
        heartbeat_at=stale.started_at - timedelta(minutes=6),
    )
    with job_run("tests.job"):
        pass
    stale.refresh_from_db()
    assert stale.status == "FAILED" and stale.error == "abandoned: no heartbeat for 300 s (worker stopped)"
    assert JobRun.objects.filter(kind="tests.job", status="SUCCEEDED").count() == 1


def test_a_long_run_whose_heartbeat_is_fresh_keeps_its_claim():
    alive = JobRun.objects.create(kind="tests.job")
    JobRun.objects.filter(pk=alive.pk).update(
        started_at=alive.started_at - timedelta(hours=3), heartbeat_at=alive.started_at - timedelta(minutes=4)
    )
    with pytest.raises(JobClaimed), job_run("tests.job"):
        pass
    alive.refresh_from_db()
    assert alive.status == "RUNNING"


def test_report_refreshes_the_heartbeat():
    with job_run("tests.job") as run:
        JobRun.objects.filter(pk=run.run.pk).update(heartbeat_at=run.run.started_at - timedelta(minutes=9))
        run.report(10, "step")
        held = JobRun.objects.get(pk=run.run.pk)
        assert held.heartbeat_at >= run.run.started_at


def test_enqueue_sends_by_name_only_once_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            enqueue("tests.jobs.record", 7, ["2025-01"])
            assert SENT == []
    assert SENT == [(7, ["2025-01"])]


def test_a_rolled_back_transaction_enqueues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            enqueue("tests.jobs.record", 7)
            raise RuntimeError("rolled back")
    assert SENT == []


def test_an_unregistered_task_is_skipped_with_a_warning(django_capture_on_commit_callbacks):
    """Logged on the module's logger (Celery's Django fixup may reconfigure the root handlers meanwhile)."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = logging.getLogger("participants.jobs")
    logger.addHandler(handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            enqueue("not.installed.task", 1, None)
    finally:
        logger.removeHandler(handler)
    messages = [record.getMessage() for record in records]
    assert messages == ["task not.installed.task is not registered; skipped"]


def test_the_nightly_fan_out_enqueues_the_task_for_every_contract(django_capture_on_commit_callbacks):
    contracts = [f.ContractFactory(), f.ContractFactory()]
    with django_capture_on_commit_callbacks(execute=True):
        assert enqueue_for_every_contract("tests.jobs.record") == 2
    assert sorted(SENT) == sorted((c.pk,) for c in contracts)


def test_every_beat_schedule_runs_a_registered_task():
    """The schedules seeded by migrations (and renamed by reporting 0001) name tasks a worker has."""
    current_app.loader.import_default_modules()
    names = set(PeriodicTask.objects.filter(enabled=True).values_list("task", flat=True))
    assert names == {
        "compliance.tasks.recompute_all_contracts",
        "reporting.tasks.send_due_soon_digests",
        "participants.tasks.relay_recompute_requests",
        "participants.tasks.send_outbox",
        "performance.tasks.rate_all_contracts",
        "performance.tasks.recompute_all_contracts",
        "performance.tasks.send_scores_on_the_doors",
        "regimes.tasks.queue_due_notices",
        "regimes.tasks.refresh_review_obligations",
        "regimes.tasks.send_whats_due_emails",
        "reporting.tasks.send_review_reminders",
    }
    assert names <= set(current_app.tasks)


# Recompute requests --------------------------------------------------------------------------------------


def test_a_recompute_request_is_written_with_the_change_and_relayed_once_it_commits(
    django_capture_on_commit_callbacks,
):
    contract = f.ContractFactory()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            enqueue_recompute({contract.pk: ["2025-01"]}, tasks=["tests.jobs.record"])
            held = list(RecomputeRequest.objects.values_list("task", "contract_id", "months"))
            assert held == [("tests.jobs.record", contract.pk, ["2025-01"])] and SENT == []
    assert SENT == [(contract.pk, ["2025-01"])]
    assert not RecomputeRequest.objects.exists()  # sent: gone


def test_a_rolled_back_change_leaves_no_recompute_request(django_capture_on_commit_callbacks):
    contract = f.ContractFactory()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            enqueue_recompute({contract.pk: None}, tasks=["tests.jobs.record"])
            raise RuntimeError("rolled back")
    assert SENT == [] and not RecomputeRequest.objects.exists()


def test_the_relay_sends_one_task_per_contract_with_the_months_of_its_requests_merged():
    first, second = f.ContractFactory(), f.ContractFactory()
    for contract, months in [(first, ["2025-03"]), (first, ["2025-01", "2025-03"]), (second, ["2025-02"])]:
        RecomputeRequest.objects.create(task="tests.jobs.record", contract=contract, months=months)
    RecomputeRequest.objects.create(task="tests.jobs.record", contract=second, months=None)
    assert tasks.relay_recompute_requests.delay().get() == 2
    assert sorted(SENT, key=str) == sorted([(first.pk, ["2025-01", "2025-03"]), (second.pk, None)], key=str)
    assert not RecomputeRequest.objects.exists()
    assert jobs.relay_recompute_requests() == 0


def test_the_relay_is_scheduled_every_minute():
    task = PeriodicTask.objects.get(task=jobs.RELAY_TASK)
    assert task.enabled and (task.interval.every, task.interval.period) == (1, "minutes")
