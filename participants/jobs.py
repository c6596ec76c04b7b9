"""Recording background jobs (JobRun): claim once, report progress, finish with status and error.

Usage in a task::

    with job_run("compliance.recompute", contract_id=contract.pk) as run:
        if run is None:
            return  # another worker holds the claim
        ...
        run.report(50, "month ends computed")

The claim is the partial unique constraint on RUNNING runs; a run left RUNNING by a killed worker for longer
than STALE_AFTER is marked FAILED and the claim taken over, so a crash never blocks the next run.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import JobRun

STALE_AFTER = timedelta(hours=2)


class RunHandle:
    def __init__(self, run: JobRun):
        self.run = run

    def report(self, progress: int, message: str = "") -> None:
        """Progress is written outside any surrounding transaction's result, so pages see it at once."""
        JobRun.objects.filter(pk=self.run.pk).update(
            progress=max(0, min(100, progress)), message=message[:200]
        )


@contextmanager
def job_run(kind: str, *, contract_id: int | None = None, params: dict | None = None):
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
        yield None
        return
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
