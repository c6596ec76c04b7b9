"""Background jobs: the one claim every job takes (JobRun) and the one way tasks are enqueued.

The claim is taken in the service a task (or a command) calls, never in the task::

    def recompute_contract_snapshots(*, contract_id, months=None):
        with job_run("compliance.recompute", contract_id=contract_id, params={"months": months}) as run:
            ...
            run.report(50, "month ends computed")

`job_run` raises JobClaimed when another run of the same kind (and contract) holds the claim; recompute tasks
retry later (RETRY_WHEN_CLAIMED), a daily email sends nothing, `seed_demo` stops with the message. The claim
is the partial unique constraint on RUNNING runs; a run left RUNNING by a killed worker for longer than
STALE_AFTER is marked FAILED and the claim taken over, so a crash never blocks the next run.

Tasks are sent with `enqueue(name, *args)`: by name, once the current transaction commits, so a service never
imports a tasks module (tasks import services) and no app imports the tasks of an app above it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .errors import FlightpathError
from .models import Contract, JobRun

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(hours=2)


class JobClaimed(FlightpathError):
    """Another run of the job holds the claim."""

    def __init__(self, kind: str):
        super().__init__(f"{kind.rsplit('.', 1)[-1]} is already running")
        self.kind = kind


# A recompute enqueued while another run holds the claim may have been sent for data that run loaded before
# this change committed: try again later rather than drop the change (30 tries a minute apart).
RETRY_WHEN_CLAIMED = {"autoretry_for": (JobClaimed,), "default_retry_delay": 60, "max_retries": 30}


class RunHandle:
    def __init__(self, run: JobRun):
        self.run = run

    def report(self, progress: int, message: str = "") -> None:
        """Progress is written outside any surrounding transaction's result, so pages see it at once."""
        JobRun.objects.filter(pk=self.run.pk).update(
            progress=max(0, min(100, progress)), message=message[:200]
        )


@contextmanager
def job_run(kind: str, *, contract_id: int | None = None, params: dict | None = None) -> Iterator[RunHandle]:
    """Claim (kind, contract), record the run and finish it as SUCCEEDED, or FAILED with the error."""
    JobRun.objects.filter(
        kind=kind,
        contract_id=contract_id,
        status=JobRun.Status.RUNNING,
        started_at__lt=timezone.now() - STALE_AFTER,
    ).update(status=JobRun.Status.FAILED, finished_at=timezone.now(), error="abandoned (worker stopped)")
    try:
        with transaction.atomic():
            run = JobRun.objects.create(kind=kind, contract_id=contract_id, params=params or {})
    except IntegrityError:
        raise JobClaimed(kind) from None
    try:
        yield RunHandle(run)
    except Exception as exc:
        JobRun.objects.filter(pk=run.pk).update(
            status=JobRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:5000],
        )
        raise
    JobRun.objects.filter(pk=run.pk).update(
        status=JobRun.Status.SUCCEEDED, finished_at=timezone.now(), progress=100
    )


# Enqueueing ------------------------------------------------------------------------------------------------


def enqueue(name: str, *args) -> None:
    """Send the task registered as `name` with (JSON) `args` once the current transaction commits, at once
    outside one. A name no installed app registers is logged and skipped (an app left out of a deployment)."""
    transaction.on_commit(partial(_send, name, args))


def _send(name: str, args: tuple) -> None:
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()  # the autodiscovered tasks.py modules, in web processes
    if name not in current_app.tasks:
        logger.warning("task %s is not registered; skipped", name)
        return
    # A signature of a registered task honours task_always_eager (send_task would not).
    current_app.signature(name, args=args).apply_async()


def enqueue_recompute(contract_months: dict[int, list[str] | None]) -> None:
    """After an import: each of settings.FLIGHTPATH_RECOMPUTE_TASKS for each contract, with (contract_id,
    months); months is the sorted "YYYY-MM" list the import touched, or None for everything. By name from
    settings: the participants app never imports the apps above it."""
    for name in settings.FLIGHTPATH_RECOMPUTE_TASKS:
        for contract_id, months in sorted(contract_months.items()):
            enqueue(name, contract_id, months)


def enqueue_for_every_contract(name: str) -> int:
    """The nightly fan-out: task `name` with (contract_id,) for every contract. Returns how many."""
    ids = list(Contract.objects.values_list("pk", flat=True))
    for contract_id in ids:
        enqueue(name, contract_id)
    return len(ids)
