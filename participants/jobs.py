"""Background jobs: the one claim every job takes (JobRun), the one way tasks are enqueued, and the recompute
requests that survive a broker being down.

The claim is taken in the service a task (or a command) calls, never in the task::

    def recompute_contract_snapshots(*, contract_id, months=None):
        with job_run("compliance.recompute", contract_id=contract_id, params={"months": months}) as run:
            ...
            run.report(50, "month ends computed")

`job_run` raises JobClaimed when another run of the same kind (and contract) holds the claim; recompute tasks
retry later (RETRY_WHEN_CLAIMED), a daily email sends nothing, `seed_demo` stops with the message. The claim
is the partial unique constraint on RUNNING runs. While the job works a heartbeat thread refreshes the run's
`heartbeat_at` (every FLIGHTPATH_JOB_HEARTBEAT_SECONDS) on its own database connection, and `report` writes
through that connection too, so pages see progress at once even while the job holds a transaction open. A
RUNNING run whose heartbeat is older than FLIGHTPATH_JOB_STALE_SECONDS belongs to a killed worker: it is
marked FAILED and the claim taken over, minutes after the kill.

Tasks are sent with `enqueue(name, *args)`: by name, once the current transaction commits, so a service never
imports a tasks module (tasks import services) and no app imports the tasks of an app above it. Recomputes
are requested with `enqueue_recompute`: a RecomputeRequest row written in the caller's transaction, relayed
to the broker after commit and, should the broker be down then, by the every-minute relay task.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from .errors import FlightpathError
from .models import Contract, JobRun, RecomputeRequest

logger = logging.getLogger(__name__)

# The every-minute schedule (migration 0008) that sends what the after-commit relay could not.
RELAY_TASK = "participants.tasks.relay_recompute_requests"


class JobClaimed(FlightpathError):
    """Another run of the job holds the claim."""

    def __init__(self, kind: str):
        super().__init__(f"{kind.rsplit('.', 1)[-1]} is already running")
        self.kind = kind


# A recompute enqueued while another run holds the claim may have been sent for data that run loaded before
# this change committed: try again later rather than drop the change (30 tries a minute apart).
RETRY_WHEN_CLAIMED = {"autoretry_for": (JobClaimed,), "default_retry_delay": 60, "max_retries": 30}


# The claim and its heartbeat ------------------------------------------------------------------------------


@dataclass
class _Write:
    """One write to the run's row (progress and message, or only the heartbeat), and when it is done."""

    fields: dict = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)


class _Heartbeat(threading.Thread):
    """The run's own database connection, in a thread of the job's process: refreshes heartbeat_at every
    `interval` seconds and writes the progress it is handed. A daemon thread, so a killed worker's heartbeat
    stops with it."""

    def __init__(self, run_pk: int, interval: float):
        super().__init__(name=f"job-heartbeat-{run_pk}", daemon=True)
        self.run_pk, self.interval = run_pk, interval
        self.writes: queue.Queue[_Write | None] = queue.Queue()

    def run(self) -> None:
        try:
            while True:
                try:
                    write = self.writes.get(timeout=self.interval)
                except queue.Empty:
                    write = _Write()
                if write is None:
                    return
                try:
                    JobRun.objects.filter(pk=self.run_pk).update(heartbeat_at=timezone.now(), **write.fields)
                except Exception:  # a lost connection: logged, and the next beat reconnects
                    logger.exception("job run %s: heartbeat not written", self.run_pk)
                    connection.close()
                finally:
                    write.done.set()
        finally:
            connection.close()  # this thread's own connection

    def write(self, fields: dict) -> None:
        """Write `fields` and wait until they are written (visible to every other connection)."""
        write = _Write(fields)
        self.writes.put(write)
        write.done.wait(timeout=60)

    def stop(self) -> None:
        self.writes.put(None)
        self.join(timeout=60)


class RunHandle:
    def __init__(self, run: JobRun, heartbeat: _Heartbeat | None = None):
        self.run = run
        self._heartbeat = heartbeat

    def report(self, progress: int, message: str = "") -> None:
        """Record progress (and refresh the heartbeat) where every page sees it at once."""
        fields = {"progress": max(0, min(100, progress)), "message": message[:200]}
        if self._heartbeat is not None:
            self._heartbeat.write(fields)
        else:
            JobRun.objects.filter(pk=self.run.pk).update(heartbeat_at=timezone.now(), **fields)


@contextmanager
def job_run(kind: str, *, contract_id: int | None = None, params: dict | None = None) -> Iterator[RunHandle]:
    """Claim (kind, contract), record the run, keep its heartbeat while the body runs, and finish it as
    SUCCEEDED, or FAILED with the error. A RUNNING run of the claim whose heartbeat is stale is taken over."""
    now, stale_seconds = timezone.now(), settings.FLIGHTPATH_JOB_STALE_SECONDS
    JobRun.objects.filter(
        kind=kind,
        contract_id=contract_id,
        status=JobRun.Status.RUNNING,
        heartbeat_at__lt=now - timedelta(seconds=stale_seconds),
    ).update(
        status=JobRun.Status.FAILED,
        finished_at=now,
        error=f"abandoned: no heartbeat for {stale_seconds} s (worker stopped)",
    )
    try:
        with transaction.atomic():
            run = JobRun.objects.create(kind=kind, contract_id=contract_id, params=params or {})
    except IntegrityError:
        raise JobClaimed(kind) from None
    # A run started inside a caller's transaction is invisible to other connections until that commits: its
    # progress goes on this connection, with the rest of the transaction, and it needs no heartbeat before.
    heartbeat = None
    if not connection.in_atomic_block:
        heartbeat = _Heartbeat(run.pk, settings.FLIGHTPATH_JOB_HEARTBEAT_SECONDS)
        heartbeat.start()
    outcome: dict | None = None  # none on a BaseException (a worker shutting down): the heartbeat decides
    try:
        yield RunHandle(run, heartbeat)
        outcome = {"status": JobRun.Status.SUCCEEDED, "progress": 100}
    except Exception as exc:
        outcome = {"status": JobRun.Status.FAILED, "error": f"{type(exc).__name__}: {exc}"[:5000]}
        raise
    finally:
        if heartbeat is not None:
            heartbeat.stop()
        if outcome is not None:
            JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), **outcome)


# Enqueueing ------------------------------------------------------------------------------------------------


def enqueue(name: str, *args, robust: bool = False) -> None:
    """Send the task registered as `name` with (JSON) `args` once the current transaction commits, at once
    outside one. A name no installed app registers is logged and skipped (an app left out of a deployment).
    `robust`: a broker that cannot be reached is logged, not raised (something else sends the work later)."""
    transaction.on_commit(partial(_send, name, args), robust=robust)


def _send(name: str, args: tuple) -> None:
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()  # the autodiscovered tasks.py modules, in web processes
    if name not in current_app.tasks:
        logger.warning("task %s is not registered; skipped", name)
        return
    # A signature of a registered task honours task_always_eager (send_task would not).
    current_app.signature(name, args=args).apply_async()


def enqueue_recompute(
    contract_months: dict[int, list[str] | None], *, tasks: Iterable[str] | None = None
) -> None:
    """Request a recompute of each contract: each of `tasks` (default settings.FLIGHTPATH_RECOMPUTE_TASKS)
    with (contract_id, months), months being the sorted "YYYY-MM" list a change touched, or None for
    everything. Written as RecomputeRequest rows in the current transaction, so the request commits with the
    change (and vanishes with a rolled-back one), and relayed once it commits. By name: the participants app
    never imports the apps above it."""
    names = list(settings.FLIGHTPATH_RECOMPUTE_TASKS if tasks is None else tasks)
    requests = RecomputeRequest.objects.bulk_create(
        RecomputeRequest(task=name, contract_id=contract_id, months=months)
        for name in names
        for contract_id, months in sorted(contract_months.items())
    )
    if requests:
        ids = [request.pk for request in requests]
        # Robust: whatever the relay meets is logged, never a 500 after the change has committed.
        transaction.on_commit(partial(relay_recompute_requests, ids=ids), robust=True)


def _merged_months(requested: Iterable[list[str] | None]) -> list[str] | None:
    """Every month any request asked for, or None (everything) when one asked for everything."""
    months: set[str] = set()
    for asked in requested:
        if asked is None:
            return None
        months.update(asked)
    return sorted(months)


def relay_recompute_requests(*, ids: list[int] | None = None) -> int:
    """Send the pending recompute requests (those of `ids`, or every one) to the broker, one task per (task,
    contract) with their months merged, and delete each once sent. While the broker cannot be reached the
    requests stay, with the error, for the next relay. Returns the number of tasks sent.

    At least once: a request relayed after commit and by the schedule at the same moment runs twice, which a
    recompute allows (claimed, idempotent)."""
    pending = RecomputeRequest.objects.order_by("pk")
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    groups: dict[tuple[str, int], list[RecomputeRequest]] = defaultdict(list)
    for request in pending:
        groups[(request.task, request.contract_id)].append(request)
    sent = 0
    for (name, contract_id), requests in groups.items():
        pks = [request.pk for request in requests]
        try:
            _send(name, (contract_id, _merged_months(request.months for request in requests)))
        except Exception as exc:
            if current_app.conf.task_always_eager:
                # Run in-process and failed: its JobRun records the error; the request has been served.
                logger.exception("recompute %s of contract %s failed", name, contract_id)
            else:
                logger.warning("recompute %s of contract %s kept for a relay: %s", name, contract_id, exc)
                RecomputeRequest.objects.filter(pk__in=pks).update(
                    attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:1000]
                )
                break  # the rest would meet the same broker
        RecomputeRequest.objects.filter(pk__in=pks).delete()
        sent += 1
    return sent


def enqueue_for_every_contract(name: str) -> int:
    """The nightly fan-out: task `name` with (contract_id,) for every contract. Returns how many."""
    ids = list(Contract.objects.values_list("pk", flat=True))
    for contract_id in ids:
        enqueue(name, contract_id)
    return len(ids)
