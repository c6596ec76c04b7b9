"""recompute_contract through a real Celery worker and the Redis broker (TESTING.md): serialisation of its
arguments, commit order and the job record, which eager mode would hide."""

from __future__ import annotations

import time
from datetime import date

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult

from compliance.models import StandardSnapshot
from compliance.tasks import recompute_contract
from config.celery import app
from participants.models import EventCode, JobRun
from tests import factories as f
from tests.transactional import restore_seeded_rows  # noqa: F401


@pytest.mark.django_db(transaction=True)
def test_real_worker_recomputes_a_contracts_snapshots(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    contract = f.ContractFactory(ref="WORK-1", start_date=date(2025, 1, 1))
    referral = f.ReferralFactory(contract=contract, referral_date=date(2025, 1, 6))
    f.JourneyEventFactory(referral=referral, code=EventCode.STARTED, event_date=date(2025, 2, 20))
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            result = recompute_contract.delay(contract.pk, ["2025-01", "2025-02"])
            assert not isinstance(result, EagerResult)
            deadline = time.monotonic() + 60
            run = None
            while time.monotonic() < deadline:
                run = JobRun.objects.filter(contract=contract, status__in=["SUCCEEDED", "FAILED"]).first()
                if run:
                    break
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = True
    assert run is not None and run.status == "SUCCEEDED", run and run.error
    assert run.params == {"months": ["2025-01", "2025-02"]}
    dates = sorted(set(StandardSnapshot.objects.filter(contract=contract).values_list("as_of", flat=True)))
    assert dates == [date(2025, 1, 31), date(2025, 2, 20)]
