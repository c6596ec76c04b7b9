"""Saving a validation round queues the performance recompute, as saving a tender standard queues the
standards' one: its invalid share enters the WP quarterly review (DOMAIN.md 15.14)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from compliance.services import assurance
from participants.errors import FlightpathError
from participants.models import JobRun, RecomputeRequest
from tests import factories as f

pytestmark = pytest.mark.django_db


def save(contract, **kw):
    fields = dict(
        round=1,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 3, 31),
        invalid_pct=Decimal("60"),
        status="FINAL",
    )
    return assurance.save_validation_round(contract=contract, **{**fields, **kw})


def test_saving_a_validation_round_recomputes_the_contracts_performance_after_commit(
    django_capture_on_commit_callbacks,
):
    contract = f.ContractFactory()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            vr = save(contract)
            requested = list(RecomputeRequest.objects.values_list("task", "contract_id", "months"))
            assert requested == [("performance.tasks.recompute_contract", contract.pk, None)]
            assert not JobRun.objects.exists()  # not before the commit
    run = JobRun.objects.get(contract=contract)
    assert (run.kind, run.status) == ("performance.recompute", "SUCCEEDED")
    assert not RecomputeRequest.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        save(contract, invalid_pct=Decimal("4.5"), instance=vr)  # an edit too
    assert JobRun.objects.filter(contract=contract, kind="performance.recompute").count() == 2


def test_a_refused_validation_round_queues_nothing(django_capture_on_commit_callbacks):
    contract = f.ContractFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(FlightpathError, match="between 0 and 100"):
            save(contract, invalid_pct=Decimal("120"))
    assert callbacks == [] and not RecomputeRequest.objects.exists()
