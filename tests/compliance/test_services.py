"""Snapshots: which dates, idempotent replacement, crash recovery, touched months, job records, seeds."""

from __future__ import annotations

from datetime import date

import pytest
from celery.exceptions import Retry
from django.db import transaction
from django_celery_beat.models import PeriodicTask

from compliance import tasks
from compliance.defaults import SHIPPED_STANDARDS
from compliance.models import FailingItem, Standard, StandardSnapshot
from compliance.selectors import standards as selectors
from compliance.services import snapshots as services
from participants.jobs import JobClaimed, job_run
from participants.models import EventCode, JobRun, RecomputeRequest
from tests import factories as f


@pytest.fixture
def contract(db):
    contract = f.ContractFactory(ref="SNAP-1", start_date=date(2025, 1, 1), nation="SCT")
    for i, day in enumerate([date(2025, 1, 6), date(2025, 2, 3), date(2025, 3, 3)]):
        referral = f.ReferralFactory(
            contract=contract, ref=f"S{i}", referral_date=day, group=["LTU", "DISABILITY", "EARLY_ENTRY"][i]
        )
        if i == 0:
            f.JourneyEventFactory(referral=referral, code=EventCode.STARTED, event_date=date(2025, 1, 30))
    last = contract.referrals.get(ref="S2")
    f.JourneyEventFactory(referral=last, code=EventCode.ACKNOWLEDGED, event_date=date(2025, 4, 15))
    return contract


def rows(contract) -> list[tuple]:
    """Everything a snapshot holds, without ids and timestamps."""
    snaps = list(
        StandardSnapshot.objects.filter(contract=contract)
        .order_by("as_of", "group", "standard__code")
        .values_list(
            "as_of",
            "group",
            "standard__code",
            "eligible",
            "met",
            "referrals",
            "backlog",
            "over_limit",
            "oldest_age_working_days",
            "status",
        )
    )
    items = list(
        FailingItem.objects.filter(snapshot__contract=contract)
        .order_by("snapshot__as_of", "snapshot__standard__code", "position")
        .values_list(
            "snapshot__as_of",
            "snapshot__standard__code",
            "position",
            "referral__ref",
            "start_date",
            "deadline",
            "end_date",
            "age_working_days",
        )
    )
    return snaps + items


def test_as_of_dates_are_every_month_end_up_to_the_latest_data_date_and_that_day(contract):
    dates = services.snapshot_as_of_dates(contract, latest=date(2025, 4, 15))
    assert dates == [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 15)]


def test_touched_months_recompute_only_dates_from_the_earliest_one_and_dates_never_computed():
    wanted = [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 15)]
    held = {date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)}
    assert services.dates_to_recompute(wanted, months=["2025-03", "2025-04"], held=set(wanted)) == wanted[2:]
    assert services.dates_to_recompute(wanted, months=["2025-04"], held=held) == [date(2025, 4, 15)]
    assert services.dates_to_recompute(wanted, months=["2025-01"], held=held) == wanted
    assert services.dates_to_recompute(wanted, months=None, held=held) == wanted


def test_recompute_writes_snapshots_for_every_standard_group_and_date_and_records_the_run(contract):
    counts = services.recompute_contract_snapshots(contract_id=contract.pk)
    assert counts["as_of_dates"] == 4
    assert (
        StandardSnapshot.objects.filter(contract=contract).count() == 4 * 7 * 4
    )  # dates x standards x groups
    run = JobRun.objects.get(kind=services.JOB_KIND, contract=contract)
    assert (run.status, run.progress, run.finished_at is not None) == ("SUCCEEDED", 100, True)
    april = selectors.standards_figures(contract, selectors.StandardsQuery(as_of=date(2025, 4, 15)))
    css4 = next(x for x in april if x.code == "CSS4")
    assert (css4.over_limit, css4.oldest_age_working_days) == (2, 51)
    assert FailingItem.objects.filter(snapshot__contract=contract, snapshot__as_of=date(2025, 4, 15)).exists()


def test_running_twice_gives_the_same_rows(contract):
    services.recompute_contract_snapshots(contract_id=contract.pk)
    first = rows(contract)
    services.recompute_contract_snapshots(contract_id=contract.pk)
    assert rows(contract) == first and len(first) > 100


def test_a_crash_halfway_leaves_the_previous_snapshots_intact_and_a_rerun_gives_the_new_result(
    contract, monkeypatch
):
    """All of one recompute's dates commit together: a crash on the third date leaves every date as the last
    run wrote it, never new dates mixed with old ones."""
    services.recompute_contract_snapshots(contract_id=contract.pk)
    old = rows(contract)
    # New data: S1 (referred 3 February) acknowledged the next day: February on change, January does not.
    f.JourneyEventFactory(
        referral=contract.referrals.get(ref="S1"), code=EventCode.ACKNOWLEDGED, event_date=date(2025, 2, 4)
    )
    real = services.write_snapshot
    calls = []

    def crash_on_third(**kwargs):
        calls.append(kwargs["result"].as_of)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(services, "write_snapshot", crash_on_third)
    with pytest.raises(RuntimeError):
        services.recompute_contract_snapshots(contract_id=contract.pk)
    failed = JobRun.objects.filter(contract=contract).order_by("-started_at").first()
    assert failed.status == "FAILED" and "worker killed" in failed.error
    assert len(calls) == 3 and rows(contract) == old  # the two dates written before the crash rolled back
    monkeypatch.setattr(services, "write_snapshot", real)
    services.recompute_contract_snapshots(contract_id=contract.pk)
    new = rows(contract)
    assert new != old
    services.recompute_contract_snapshots(contract_id=contract.pk)
    assert rows(contract) == new


def test_changing_the_standards_requests_the_recompute_with_the_change(contract):
    standard = Standard(
        code="TS9",
        measure="deadline",
        start_event="REFERRED",
        end_events=["ACKNOWLEDGED"],
        limit_working_days=5,
        target=90,
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        services.save_tender_standard(contract=contract, standard=standard)
        assert list(RecomputeRequest.objects.values_list("task", "contract_id", "months")) == [
            (services.RECOMPUTE_TASK, contract.pk, None)
        ]
        raise RuntimeError("the save rolls back")
    assert not RecomputeRequest.objects.exists()


def test_touched_months_leave_earlier_snapshots_alone_and_drop_a_stale_latest_day(contract):
    services.recompute_contract_snapshots(contract_id=contract.pk)
    january = StandardSnapshot.objects.filter(contract=contract, as_of=date(2025, 1, 31)).first()
    # New data in May: the latest day moves from 15 April to 12 May.
    f.JourneyEventFactory(
        referral=contract.referrals.get(ref="S1"), code=EventCode.STARTED, event_date=date(2025, 5, 12)
    )
    tasks.recompute_contract(contract.pk, ["2025-05"])
    dates = sorted(set(StandardSnapshot.objects.filter(contract=contract).values_list("as_of", flat=True)))
    assert dates == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
        date(2025, 5, 12),
    ]
    assert StandardSnapshot.objects.get(pk=january.pk).computed_at == january.computed_at
    partial = rows(contract)
    services.recompute_contract_snapshots(contract_id=contract.pk)
    assert rows(contract) == partial  # the same as a full run


def test_task_retries_later_when_another_run_holds_the_claim(contract):
    with job_run(services.JOB_KIND, contract_id=contract.pk) as held:
        assert held is not None
        with pytest.raises(JobClaimed):
            services.recompute_contract_snapshots(contract_id=contract.pk)
        with pytest.raises(Retry):
            tasks.recompute_contract.apply(args=[contract.pk, None], throw=True)


def test_a_contract_without_data_or_standards_keeps_no_snapshots(db):
    wp = f.ContractFactory(ref="WP-S", programme=f.models.Programme.objects.get(code="WP"))
    f.ReferralFactory(contract=wp, group="PG1")
    assert services.recompute_contract_snapshots(contract_id=wp.pk) == {"as_of_dates": 0, "failing_items": 0}
    assert not StandardSnapshot.objects.filter(contract=wp).exists()


def test_nightly_run_is_scheduled_and_enqueues_every_contract(contract, django_capture_on_commit_callbacks):
    task = PeriodicTask.objects.get(task="compliance.tasks.recompute_all_contracts")
    assert task.enabled and task.crontab is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recompute_all_contracts() >= 1
    assert StandardSnapshot.objects.filter(contract=contract).exists()


def test_shipped_standards_are_seeded_as_in_domain_section_9(db):
    held = {
        (s.programme.code, s.code): s
        for s in Standard.objects.filter(contract=None).select_related("programme")
    }
    assert len(held) == len(SHIPPED_STANDARDS) == 12
    for row in SHIPPED_STANDARDS:
        s = held[(row["programme"], row["code"])]
        assert (
            s.measure,
            s.start_event,
            s.end_events,
            s.limit_working_days,
            float(s.target),
            s.started_only,
        ) == (
            row["measure"],
            row["start_event"],
            row["end_events"],
            row["limit_working_days"],
            float(row["target"]),
            row["started_only"],
        )
