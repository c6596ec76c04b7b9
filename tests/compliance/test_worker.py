"""recompute_contract through a real Celery worker and the Redis broker (TESTING.md): serialisation of its
arguments, commit order and the job record, which eager mode would hide."""

from __future__ import annotations

import time
from datetime import date

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from compliance.models import StandardSnapshot
from compliance.tasks import recompute_contract
from config.celery import app
from participants.models import EventCode, JobRun
from tests import factories as f


@pytest.fixture(scope="module", autouse=True)
def restore_seeded_rows(django_db_setup, django_db_blocker):
    """A transactional test ends with a flush of every table, seeded rows (programmes, standards, schedules)
    included; put them back for the tests that run after this module, and for --reuse-db."""
    with django_db_blocker.unblock():
        saved = connection.creation.serialize_db_to_string()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(saved)
        # The flush reset the id sequences; move them past the restored rows.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(statement)


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
