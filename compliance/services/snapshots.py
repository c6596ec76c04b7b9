"""Write paths: standards snapshots (contract, standard, group, as-of) with their failing items.

Idempotent: each as-of date is replaced by key, all of one recompute's dates in one transaction, so running
twice, or again after a crash, leaves the same rows and a crash midway leaves the previous run's snapshots
whole, never old and new dates mixed (STYLE.md idempotent jobs). The recompute claims its run with
participants.jobs.job_run (recorded as a JobRun, its progress visible while the transaction is open); a
change to a contract's standards requests it again (participants.jobs.enqueue_recompute).
"""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pandas as pd
from django.db import connection, transaction

from participants.errors import FlightpathError
from participants.jobs import RunHandle, enqueue_recompute, job_run
from participants.models import Contract
from participants.selectors import latest_data_date

from ..engine import ALL, ComplianceResult
from ..models import FailingItem, Standard, StandardSnapshot
from ..selectors.standards import FAILURE_FIELDS, compute_for_contract, contract_standards, standards_frames

JOB_KIND = "compliance.recompute"
# The task that runs recompute_contract_snapshots (compliance.tasks), requested by name.
RECOMPUTE_TASK = "compliance.tasks.recompute_contract"


def month_ends(first: date, last: date) -> list[date]:
    """Every calendar month end from `first`'s month up to and including `last`."""
    ends = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="ME")
    return [d.date() for d in ends]


def snapshot_as_of_dates(contract: Contract, *, latest: date) -> list[date]:
    """Every month end of the contract up to the latest data date, plus that latest day."""
    dates = set(month_ends(contract.start_date, latest)) if contract.start_date <= latest else set()
    dates.add(latest)
    return sorted(dates)


def dates_to_recompute(wanted: list[date], *, months: list[str] | None, held: set[date]) -> list[date]:
    """With `months` (the "YYYY-MM" months an import touched) only the wanted dates from the earliest touched
    month on, and any wanted date with no snapshot yet: standards as at A see only events up to A, so an
    earlier snapshot cannot have changed."""
    if not months:
        return wanted
    earliest = min(date.fromisoformat(f"{m}-01") for m in months)
    return [d for d in wanted if d >= earliest or d not in held]


def _iso(dates: pd.Series) -> np.ndarray:
    """ISO dates as text, empty for none (COPY's CSV null), without a Python object per value."""
    days = dates.to_numpy(dtype="datetime64[D]")
    return np.where(np.isnat(days), "", np.datetime_as_string(days, unit="D"))


def _copy_failing_items(rows: pd.DataFrame) -> None:
    """Bulk-write failing items with COPY (a CSV in memory: empty fields are NULL)."""
    columns = ["snapshot_id", "position", *FAILURE_FIELDS]
    buffer = io.StringIO()
    rows[columns].to_csv(buffer, header=False, index=False, date_format="%Y-%m-%d")
    with connection.cursor() as cursor:
        table = FailingItem._meta.db_table
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())


@transaction.atomic
def write_snapshot(
    *, contract: Contract, standards: list[Standard], result: ComplianceResult, job_run_id: int | None = None
) -> int:
    """Replace the contract's snapshots of `result.as_of` (every standard and group) with `result`, and the
    failing items of the group-ALL rows. Returns the number of failing items written."""
    StandardSnapshot.objects.filter(contract=contract, as_of=result.as_of).delete()
    by_code = {s.code: s for s in standards}
    snapshots = StandardSnapshot.objects.bulk_create(
        [
            StandardSnapshot(
                contract=contract,
                standard=by_code[f.code],
                group=f.group,
                as_of=result.as_of,
                eligible=f.eligible,
                met=f.met,
                referrals=f.referrals,
                backlog=f.backlog,
                over_limit=f.over_limit,
                oldest_age_working_days=f.oldest_age_working_days,
                status=f.status or "",
                job_run_id=job_run_id,
            )
            for f in result.figures
        ]
    )
    all_ids = {s.standard.code: s.pk for s in snapshots if s.group == ALL}
    failures = result.failures
    if failures.empty:
        return 0
    rows = pd.DataFrame(
        {
            "snapshot_id": failures["code"].map(all_ids).astype("int64"),
            "position": failures.groupby("code", sort=False).cumcount().astype("int64"),
            "referral_id": failures["referral_id"].astype("int64"),
            "referral_ref": failures["referral_ref"],
            "group": failures["group"],
            "site_id": failures["site_id"].astype("Int64"),
            "key_worker_id": failures["key_worker_id"].astype("Int64"),
            "start_date": _iso(failures["start_date"]),
            "deadline": _iso(failures["deadline"]),
            "end_date": _iso(failures["end_date"]),
            "age_working_days": failures["age_working_days"].astype("int64"),
        }
    )
    _copy_failing_items(rows)
    return len(rows)


@transaction.atomic
def _recompute(contract: Contract, months: list[str] | None, run: RunHandle) -> dict:
    standards = contract_standards(contract)
    latest = latest_data_date(contract.pk)
    if latest is None or not standards:
        StandardSnapshot.objects.filter(contract=contract).delete()
        return {"as_of_dates": 0, "failing_items": 0}
    wanted = snapshot_as_of_dates(contract, latest=latest)
    held = set(StandardSnapshot.objects.filter(contract=contract).values_list("as_of", flat=True).distinct())
    dates = dates_to_recompute(wanted, months=months, held=held)
    frames = standards_frames(contract, standards)
    run.report(5, f"loaded data; {len(dates)} dates to compute")
    written = 0
    for i, as_of in enumerate(dates, start=1):
        result = compute_for_contract(contract, as_of=as_of, standards=standards, frames=frames)
        written += write_snapshot(
            contract=contract, standards=standards, result=result, job_run_id=run.run.pk
        )
        run.report(5 + 95 * i // len(dates), f"{as_of.isoformat()} done ({i}/{len(dates)})")
    # A date no longer wanted (an earlier "latest day") goes, so any run leaves what a full run would.
    StandardSnapshot.objects.filter(contract=contract).exclude(as_of__in=wanted).delete()
    return {"as_of_dates": len(dates), "failing_items": written}


def recompute_contract_snapshots(*, contract_id: int, months: list[str] | None = None) -> dict:
    """Recompute the contract's snapshots (all month ends and the latest day, or from the earliest touched
    month). Returns counts; raises JobClaimed when another run holds the claim."""
    contract = Contract.objects.select_related("programme").get(pk=contract_id)
    with job_run(JOB_KIND, contract_id=contract.pk, params={"months": months}) as run:
        return _recompute(contract, months, run)


# Contracts' own (tender) standards ------------------------------------------------------------------------


def _refresh_after_standards_change(contract: Contract) -> None:
    """Drop the contract's stored figures of standards that changed or no longer apply (a replaced programme
    standard, a deleted or edited tender standard), so pages compute them on demand, and request the
    recompute job to store them again (sent once this commits, kept should the broker be down)."""
    current = [s.pk for s in contract_standards(contract)]
    StandardSnapshot.objects.filter(contract=contract).exclude(standard__in=current).delete()
    enqueue_recompute({contract.pk: None}, tasks=[RECOMPUTE_TASK])


@transaction.atomic
def save_tender_standard(*, contract: Contract, standard: Standard) -> Standard:
    """Create or change a contract's own standard (validated by Standard.clean); its stored figures go."""
    standard.contract, standard.programme = contract, None
    standard.full_clean()
    if standard.pk:
        StandardSnapshot.objects.filter(contract=contract, standard=standard).delete()
    standard.save()
    _refresh_after_standards_change(contract)
    return standard


@transaction.atomic
def delete_tender_standard(*, contract: Contract, standard: Standard) -> None:
    """Remove a contract's own standard with its figures; a programme standard it replaced applies again."""
    if standard.contract_id != contract.pk:
        raise FlightpathError("Only a contract's own standards can be deleted here.", field="standard")
    standard.delete()
    _refresh_after_standards_change(contract)
