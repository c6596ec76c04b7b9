"""Importing a bundle (DATA.md "Import bundle"; DOMAIN.md 4, 15.17), all-or-nothing.

`import_bundle` reads (`imports.reading`) and validates (`imports.validation`) the whole bundle, then
writes it in one transaction through the COPY writer (`imports.writer`). The run is recorded in ImportRun,
also when it fails. The affected contracts' recompute is requested in the same transaction
(`participants.jobs.enqueue_recompute`): sent once the import commits, and by the every-minute relay should
the broker be down then, never an error after the import has committed.

Given a `user` (the upload page, the API), the user must be one who imports (`access`: Action.IMPORT, else
PermissionDenied before anything is recorded) and the bundle may name only their prime's contracts and
organisations (`imports.uploader`). The command line (no user) and support staff are not restricted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .. import access
from ..errors import FlightpathError
from ..jobs import enqueue_recompute
from ..journey import RESOLUTION_CODES
from ..models import Contract, ImportRun, JourneyEvent, Organisation, Programme, Referral, Site, Staff
from .checks import BundleRejected
from .reading import RawBundle, read_bundle
from .uploader import Uploader
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


def import_bundle(
    *,
    path: str | Path,
    user=None,
    source: str | None = None,
    run: ImportRun | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> ImportResult:
    """Import a bundle folder or .zip all-or-nothing. Raises BundleRejected (every bad row, a contract or
    organisation outside the uploader's prime among them) or FlightpathError; the ImportRun is recorded
    either way (REJECTED, or FAILED for an error that is not the bundle's), outside the rolled-back write.
    PermissionDenied: `user` may not import at all. A background upload passes the `run` it queued and a
    `progress(percent, step)` reporter (participants.imports.uploads)."""
    prime = _uploader_prime(user)
    if run is None:
        run = ImportRun.objects.create(
            user=user if getattr(user, "is_authenticated", False) else None,
            source=(source or str(path))[:500],
        )
    try:
        raw = read_bundle(path, max_bytes=settings.FLIGHTPATH_IMPORT_MAX_BYTES)
        run.checksums = raw.checksums
        run.contract_refs = raw.contract_refs()
        if progress is not None:
            rows = sum(len(frame) for frame in raw.frames.values())
            progress(30, f"checking and writing {rows:,} rows")
        counts, months = _validate_and_write(raw=raw, run=run, prime=prime)
    except BundleRejected as exc:
        _finish(run, ImportRun.Status.REJECTED, errors=exc.errors, error_count=exc.error_count)
        raise
    except FlightpathError as exc:
        _finish(run, ImportRun.Status.REJECTED, errors=[exc.message], error_count=1)
        raise
    except Exception as exc:
        _finish(run, ImportRun.Status.FAILED, errors=[f"{type(exc).__name__}: {exc}"], error_count=1)
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


def _uploader_prime(user) -> Organisation | None:
    """The prime whose contracts and organisations the bundle may name; None when unrestricted (the command
    line and support staff)."""
    if user is None or getattr(user, "is_superuser", False):
        return None
    access.require(user, access.Action.IMPORT)  # 403: a role that does not import, or no prime to import for
    return access.prime_of(user)


@transaction.atomic
def _validate_and_write(
    *, raw, run: ImportRun, prime: Organisation | None
) -> tuple[dict, dict[int, list[str] | None]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
    known = known_state(raw.contract_refs())
    uploader = uploader_state(raw, prime) if prime is not None else None
    valid = validate_bundle(raw, known, uploader)
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
    enqueue_recompute(months)  # a RecomputeRequest written with the import, relayed once it commits
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


def uploader_state(raw: RawBundle, prime: Organisation) -> Uploader:
    """Whose the contracts, organisations, sites and key workers the bundle names are now (imports.uploader):
    four queries, each for the references the bundle names (organisations: all, they are few)."""
    owner = {}
    for ref, kind, parent in Organisation.objects.values_list("ref", "kind", "parent__ref"):
        owner[ref] = ref if kind == Organisation.Kind.PRIME else parent
    referrals = raw.frames.get("referrals.csv")

    def named(column: str) -> list[str]:
        if referrals is None or column not in referrals:
            return []
        return [ref for ref in referrals[column].unique() if ref]

    sites = Site.objects.filter(ref__in=named("site_ref")).values_list("ref", "organisation__ref")
    staff = Staff.objects.filter(ref__in=named("key_worker")).values_list("ref", "organisation__ref")
    contracts = Contract.objects.filter(ref__in=raw.contract_refs()).values_list("ref", "prime__ref")
    return Uploader(
        prime_ref=prime.ref,
        contracts=dict(contracts),
        organisations=owner,
        sites={ref: owner.get(org) for ref, org in sites},
        staff={ref: owner.get(org) for ref, org in staff},
    )
