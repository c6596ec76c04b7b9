"""Recompute job: idempotent snapshots, incremental months, JobRun records (the recommendations that follow
are tests/regimes), and a real
Celery worker against Redis running performance.tasks.recompute_contract."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django_celery_beat.models import PeriodicTask

from config.celery import app
from participants.models import JobRun, MplProfile, Programme
from performance import engine, services, tasks
from performance.models import AssessmentSnapshot, CohortSnapshot, PerformanceSnapshot
from tests import factories as f


def _wp_contract(ref: str = "WP-S", outcomes: int = 1):
    """PG1 referrals in 2024 with few outcomes against a steep profile: projected below MPL."""
    contract = f.ContractFactory(
        ref=ref, programme=Programme.objects.get(code="WP"), start_date=dt.date(2024, 1, 1)
    )
    for i in range(30):
        referral = f.ReferralFactory(
            contract=contract, ref=f"{ref}-{i}", group="PG1", referral_date=dt.date(2024, 1 + i % 11, 3)
        )
        f.JourneyEventFactory(referral=referral, code="STARTED", event_date=referral.referral_date)
        if i < outcomes:
            f.JourneyEventFactory(referral=referral, code="JOB_OUTCOME", event_date=dt.date(2024, 12, 2))
    MplProfile.objects.bulk_create(
        [MplProfile(contract=contract, group="PG1", month=k, cumulative_pct=4 * k) for k in range(1, 13)]
    )
    return contract


def _snapshot_state(contract) -> list:
    return [
        sorted(model.objects.filter(contract=contract).values_list(*fields))
        for model, fields in (
            (PerformanceSnapshot, ("group", "month", "period", "job_outcomes", "mpl_required")),
            (CohortSnapshot, ("group", "cohort", "size", "conversion_pct")),
            (AssessmentSnapshot, ("group", "quarter_end", "final", "validated_outcomes")),
        )
    ]


@pytest.mark.django_db
def test_recompute_twice_leaves_the_same_snapshots():
    contract = _wp_contract()
    first = services.recompute_contract(contract_id=contract.pk)
    state = _snapshot_state(contract)
    second = services.recompute_contract(contract_id=contract.pk)
    assert first == second and _snapshot_state(contract) == state
    months = PerformanceSnapshot.objects.filter(contract=contract).values("month").distinct().count()
    assert first.performance_rows == months * 6 * 11  # every month x period x (ALL + ten groups)


@pytest.mark.django_db
def test_incremental_recompute_rewrites_only_months_from_the_earliest_touched():
    contract = _wp_contract()
    services.recompute_contract(contract_id=contract.pk)
    before = dict(PerformanceSnapshot.objects.filter(contract=contract).values_list("pk", "month"))
    referral = contract.referrals.get(ref="WP-S-5")
    f.JourneyEventFactory(referral=referral, code="JOB_OUTCOME", event_date=dt.date(2024, 11, 20))
    result = services.recompute_contract(contract_id=contract.pk, months=["2024-11"])
    after = dict(PerformanceSnapshot.objects.filter(contract=contract).values_list("pk", "month"))
    kept = {pk for pk in before if pk in after}
    assert kept and all(before[pk] < dt.date(2024, 11, 1) for pk in kept)
    assert result.performance_rows == 2 * 6 * 11  # November and December 2024
    ctd = PerformanceSnapshot.objects.get(
        contract=contract, group="PG1", month=dt.date(2024, 12, 1), period="ctd"
    )
    assert ctd.job_outcomes == 2
    # the incremental result equals a full recompute
    state = _snapshot_state(contract)
    services.recompute_contract(contract_id=contract.pk)
    assert _snapshot_state(contract) == state


@pytest.mark.django_db
def test_task_records_a_job_run_with_timing_and_progress():
    contract = _wp_contract()
    result = tasks.recompute_contract(contract.pk, ["2024-06"])
    run = JobRun.objects.get(kind=services.JOB_KIND, contract=contract)
    assert run.status == JobRun.Status.SUCCEEDED and run.progress == 100 and run.finished_at is not None
    assert run.params == {"months": ["2024-06"]} and result["first_month"] == "2024-06"


@pytest.mark.django_db
def test_a_failing_recompute_is_recorded_as_failed():
    contract = _wp_contract()
    with pytest.raises(Exception, match="months"):
        tasks.recompute_contract(contract.pk, ["June"])
    run = JobRun.objects.get(kind=services.JOB_KIND, contract=contract)
    assert run.status == JobRun.Status.FAILED and "months" in run.error


@pytest.mark.django_db
def test_the_nightly_recompute_is_scheduled():
    task = PeriodicTask.objects.get(task="performance.tasks.recompute_all_contracts")
    assert task.enabled and task.crontab is not None


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_recompute_enqueued_by_name(settings):
    """A Celery worker on Redis (TESTING.md): the task the import enqueues by name, with JSON arguments."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    contract = _wp_contract(ref="WP-W")
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
            async_result = app.signature(
                "performance.tasks.recompute_contract", args=(contract.pk, ["2024-03"])
            ).apply_async()
            deadline = dt.datetime.now() + dt.timedelta(seconds=60)
            while (
                dt.datetime.now() < deadline
                and not JobRun.objects.filter(
                    contract=contract, kind=services.JOB_KIND, status=JobRun.Status.SUCCEEDED
                ).exists()
            ):
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = True
    assert async_result.id
    assert JobRun.objects.get(contract=contract, kind=services.JOB_KIND).status == JobRun.Status.SUCCEEDED
    assert PerformanceSnapshot.objects.filter(contract=contract, month__gte=dt.date(2024, 3, 1)).exists()
    assert engine.month_of(
        PerformanceSnapshot.objects.filter(contract=contract).earliest("month").month
    ) == engine.month_of(dt.date(2024, 3, 1))
