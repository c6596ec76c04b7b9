"""Importing a bundle (DATA.md "Import bundle"; DOMAIN.md 4, 15.17), all-or-nothing.

`import_bundle` reads (`imports.reading`) and validates (`imports.validation`) the whole bundle, then
writes it in one transaction through the COPY writer (`imports.writer`). The run is recorded in ImportRun,
also when it fails, and the affected contracts are recomputed after commit
(`participants.jobs.enqueue_recompute`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ..errors import FlightpathError
from ..jobs import enqueue_recompute
from ..journey import RESOLUTION_CODES
from ..models import Contract, ImportRun, JourneyEvent, Organisation, Programme, Referral
from .checks import BundleRejected
from .reading import read_bundle
from .validation import KnownState, validate_bundle
from .writer import ALL_MONTHS, Changes, is_bulk_load, write_bundle

logger = logging.getLogger(__name__)

# Serialises imports: validation reads what is held (resolution events, referral dates) and must still be
# true when the write commits.
IMPORT_LOCK_KEY = 7_311_001


@dataclass
class ImportResult:
    run: ImportRun
    counts: dict[str, dict[str, int]]
    months: dict[int, list[str] | None] = field(default_factory=dict)


def import_bundle(*, path: str | Path, user=None, source: str | None = None) -> ImportResult:
    """Import a bundle folder or .zip all-or-nothing. Raises BundleRejected (every bad row) or
    FlightpathError; the ImportRun is recorded either way, outside the rolled-back write."""
    run = ImportRun.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None, source=(source or str(path))[:500]
    )
    try:
        raw = read_bundle(path, max_bytes=settings.FLIGHTPATH_IMPORT_MAX_BYTES)
        run.checksums = raw.checksums
        run.contract_refs = raw.contract_refs()
        counts, months = _validate_and_write(raw=raw, run=run)
    except BundleRejected as exc:
        _finish(run, ImportRun.Status.FAILED, errors=exc.errors, error_count=exc.error_count)
        raise
    except Exception as exc:
        message = exc.message if isinstance(exc, FlightpathError) else f"{type(exc).__name__}: {exc}"
        _finish(run, ImportRun.Status.FAILED, errors=[message], error_count=1)
        raise
    _finish(run, ImportRun.Status.SUCCEEDED, counts=counts)
    logger.info("import %s of %s succeeded: %s", run.pk, run.source, counts)
    return ImportResult(run=run, counts=counts, months=months)


def _finish(
    run: ImportRun,
    status: str,
    *,
    errors: list[str] | None = None,
    error_count: int = 0,
    counts: dict | None = None,
) -> None:
    run.status, run.finished_at = status, timezone.now()
    run.errors, run.error_count, run.counts = errors or [], error_count, counts or {}
    run.save(
        update_fields=[
            "status",
            "finished_at",
            "errors",
            "error_count",
            "counts",
            "checksums",
            "contract_refs",
        ]
    )


@transaction.atomic
def _validate_and_write(*, raw, run: ImportRun) -> tuple[dict, dict[int, list[str] | None]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
    known = known_state(raw.contract_refs())
    valid = validate_bundle(raw, known)
    changes = Changes(valid)
    write_bundle(valid, changes, run, bulk=is_bulk_load(valid, known))
    held_before = set(known.referrals["contract_ref"].unique())
    first_import = set(
        Contract.objects.filter(ref__in=valid.contract_refs)
        .exclude(ref__in=held_before)
        .values_list("pk", flat=True)
    )
    months = {
        contract_id: (ALL_MONTHS if touched is ALL_MONTHS or contract_id in first_import else sorted(touched))
        for contract_id, touched in changes.months.items()
    }
    enqueue_recompute(months)  # sent once the import commits
    return changes.counts(), months


def known_state(contract_refs: list[str]) -> KnownState:
    """What the bundle may refer to: programmes, contracts, organisations, and the referrals and resolution
    events already held for the bundle's contracts."""
    state = KnownState.empty(dict(Programme.objects.values_list("code", "groups")))
    contracts = list(Contract.objects.filter(ref__in=contract_refs).values_list("ref", "programme__code"))
    if contracts:
        state.contracts = pd.DataFrame(contracts, columns=["contract_ref", "programme"], dtype=str)
    organisations = list(Organisation.objects.values_list("ref", "kind"))
    if organisations:
        state.organisations = pd.DataFrame(organisations, columns=["org_ref", "kind"], dtype=str)
    referrals = list(
        Referral.objects.filter(contract__ref__in=contract_refs).values_list(
            "contract__ref", "ref", "referral_date"
        )
    )
    if referrals:
        frame = pd.DataFrame(referrals, columns=["contract_ref", "referral_ref", "referral_date"])
        state.referrals = frame.astype({"referral_date": "datetime64[s]"})
    resolutions = list(
        JourneyEvent.objects.filter(contract__ref__in=contract_refs, code__in=RESOLUTION_CODES).values_list(
            "contract__ref", "referral__ref", "code", "event_date"
        )
    )
    if resolutions:
        frame = pd.DataFrame(resolutions, columns=["contract_ref", "referral_ref", "code", "event_date"])
        state.resolutions = frame.astype({"event_date": "datetime64[s]"})
    return state


