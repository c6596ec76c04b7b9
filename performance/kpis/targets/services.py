"""Write paths of the KPI targets (DOMAIN.md 17.13): the grid's cells and an uploaded spreadsheet.

Each is checked whole by the bundle's rule for kpi_targets.csv (participants.imports.validation
.check_kpi_targets) and by who may set which units (selectors.settable), then written all-or-nothing in one
transaction: one bulk insert, one bulk update and one bulk delete, each beside its history rows (who, when,
and "targets page" or the file's name as the reason). The contract's KPI ratings are then recomputed in
the background, after commit, by the task the import queues for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from participants.errors import FlightpathError
from participants.imports.specs import SPECS
from participants.imports.validation import KPI_TARGETS, check_kpi_targets
from participants.jobs import enqueue_recompute
from participants.models import Contract, KpiLevel, KpiTarget

from . import selectors
from .selectors import KPIS, Settable

# The KPI ratings are all that targets feed (DOMAIN.md 17.14-15): by name, as services never import tasks.
KPI_RECOMPUTE_TASK = "performance.tasks.recompute_kpis"
TARGETS_LOCK_KEY = 7_311_012  # with the contract's id: one writer of a contract's targets at a time
CENTS = Decimal("0.01")  # KpiTarget.target's two decimal places
BATCH = 1000
MAX_PROBLEMS = 100  # as the bundle's error list (participants.imports.checks.MAX_MESSAGES)
COLUMNS = SPECS[KPI_TARGETS].columns

Key = tuple[str, str, str, date]  # level, ref, kpi, month


@dataclass(frozen=True)
class TargetCounts:
    """What a save did: targets set where there were none, changed, cleared, and given but unchanged; the
    months it touched ("YYYY-MM")."""

    set: int = 0
    changed: int = 0
    cleared: int = 0
    unchanged: int = 0
    months: tuple[str, ...] = ()

    @property
    def written(self) -> int:
        return self.set + self.changed + self.cleared


class TargetsRejected(FlightpathError):
    """Bad cells or rows; nothing was written. `cells`: the grid's (ref, kpi) -> reason; `rows`: an upload's
    (row, column, reason) in row order, the first MAX_PROBLEMS of `count`."""

    def __init__(
        self,
        message: str,
        *,
        cells: Mapping[tuple[str, str], str] | None = None,
        rows: list[tuple[int, str, str]] | None = None,
        count: int = 0,
    ):
        super().__init__(message)
        self.cells = dict(cells or {})
        self.rows = rows or []
        self.count = count or len(self.cells) or len(self.rows)


def _amount(text: str) -> Decimal:
    """A checked target's text as the column holds it (PostgreSQL's numeric rounding: half away from
    zero, and targets are never negative)."""
    return Decimal(text).quantize(CENTS, rounding=ROUND_HALF_UP)


def save_grid(
    *,
    contract: Contract,
    user,
    level: str,
    month: date,
    cells: Mapping[tuple[str, str], str],
    settable: Settable,
) -> TargetCounts:
    """Save the grid's cells ((ref, kpi) -> what was typed) of `level` and `month`: a number sets the
    target, a blank clears it. Every bad cell is named (TargetsRejected.cells) and nothing is written."""
    refs = sorted({ref for ref, _ in cells})
    outside = sorted(set(refs) - selectors.settable_refs(contract, level, refs, settable.scope))
    if outside:
        raise FlightpathError(f"{outside[0]!r} is not a unit whose {level} targets you set.", field="ref")
    if unknown := sorted({kpi for _, kpi in cells} - set(KPIS)):
        raise FlightpathError(f"{unknown[0]!r} is not a KPI.", field="kpi")
    given = [(ref, kpi, text.strip()) for (ref, kpi), text in cells.items() if text.strip()]
    frame = pd.DataFrame(
        {
            "contract_ref": contract.ref,
            "level": level,
            "ref": [ref for ref, _, _ in given],
            "kpi": [kpi for _, kpi, _ in given],
            "month": f"{month:%Y-%m}",
            "target": [text for _, _, text in given],
            "line": range(1, len(given) + 1),
        },
        columns=[*COLUMNS, "line"],
    ).astype(dict.fromkeys(COLUMNS, object))  # strings, as a file's columns are, also with no cell given
    checked = check_kpi_targets(frame, contract_refs=[contract.ref])
    if len(checked.errors):
        bad: dict[tuple[str, str], str] = {}
        for line, reason in zip(checked.errors["line"], checked.errors["reason"], strict=True):
            ref, kpi, _ = given[int(line) - 1]
            bad.setdefault((ref, kpi), reason)
        raise TargetsRejected(
            f"Nothing was saved: {len(bad)} {'cell is' if len(bad) == 1 else 'cells are'} not a target.",
            cells=bad,
        )
    entries: dict[Key, Decimal | None] = {(level, ref, kpi, month): None for ref, kpi in cells}
    entries.update({(level, ref, kpi, month): _amount(text) for ref, kpi, text in given})
    return _write(contract=contract, user=user, entries=entries, reason="targets page")


def upload_targets(
    *, contract: Contract, user, frame: pd.DataFrame, settable: Settable, source: str
) -> TargetCounts:
    """Upsert the targets of a spreadsheet in kpi_targets.csv's columns (`frame`: strings and a `line`
    each, sheets.read_sheet), for this contract only: the bundle's checks, then the rows' contract and
    units. A row with an empty target sets nothing (the download's cells without a target); targets the
    sheet does not name are left alone. Every bad row is named (TargetsRejected.rows); nothing is
    written."""
    problems: list[tuple[int, str, str]] = []
    for column in frame.columns:
        if column not in (*COLUMNS, "line"):
            problems.append((1, column, f"unknown column (expected exactly {', '.join(COLUMNS)})"))
    empty = frame["target"] == "" if "target" in frame else pd.Series(False, index=frame.index)
    # An empty target passes the bundle's "required" check as a placeholder; the row is then skipped.
    candidate = frame.assign(target=frame["target"].where(~empty, "0")) if "target" in frame else frame
    named = sorted(set(frame["contract_ref"])) if "contract_ref" in frame else []
    seen = set(Contract.objects.visible_to(user).filter(ref__in=named).values_list("ref", flat=True))
    checked = check_kpi_targets(candidate, contract_refs=sorted(seen | {contract.ref}))
    for line, column, reason, value in checked.errors.itertuples(index=False, name=None):
        problems.append((int(line), column, f"{reason}: {value!r}" if isinstance(value, str) else reason))
    if checked.typed is not None:
        problems += _foreign_rows(checked.typed, contract, settable, others=seen - {contract.ref})
    if problems:
        problems.sort(
            key=lambda problem: (problem[0], COLUMNS.index(problem[1]) if problem[1] in COLUMNS else -1)
        )
        errors = f"{len(problems)} error" + ("" if len(problems) == 1 else "s")
        raise TargetsRejected(
            f"Nothing was saved: the spreadsheet has {errors}.",
            rows=problems[:MAX_PROBLEMS],
            count=len(problems),
        )
    typed = checked.typed.loc[~empty.to_numpy()]
    entries: dict[Key, Decimal | None] = {
        (level, ref, kpi, month.date()): _amount(text)
        for level, ref, kpi, month, text in zip(
            typed["level"],
            typed["ref"],
            typed["kpi"],
            typed["month"],
            frame.loc[typed.index, "target"],
            strict=True,
        )
    }
    return _write(contract=contract, user=user, entries=entries, reason=f"upload {source}"[:100])


def _foreign_rows(
    typed: pd.DataFrame, contract: Contract, settable: Settable, *, others: set[str]
) -> list[tuple[int, str, str]]:
    """Rows of another contract the uploader sees (`others`; one they do not is an unknown contract), or
    of a level or unit whose targets they do not set."""
    other = typed.loc[typed["contract_ref"].isin(others)]
    reason = f"not {contract.ref}: upload each contract's targets on its own page"
    problems = [(int(line), "contract_ref", reason) for line in other["line"]]
    mine = typed.loc[(typed["contract_ref"] == contract.ref) & typed["level"].isin(KpiLevel.values)]
    for level, rows in mine.groupby("level", sort=False):
        if level not in settable.levels:
            problems += [(int(line), "level", f"you do not set {level} targets") for line in rows["line"]]
            continue
        allowed = selectors.scoped_refs(level, sorted(set(rows["ref"])), settable.scope)
        refused = rows.loc[~rows["ref"].isin(allowed) & (rows["ref"] != "")]
        problems += [
            (int(line), "ref", f"not a unit whose targets you set: {ref!r}")
            for line, ref in zip(refused["line"], refused["ref"], strict=True)
        ]
    return problems


def _write(*, contract: Contract, user, entries: Mapping[Key, Decimal | None], reason: str) -> TargetCounts:
    """Insert, update and delete (None) the entries' targets with their history, in one transaction, and
    queue the KPI recompute of the months touched."""
    try:
        with transaction.atomic():
            return _write_locked(contract=contract, user=user, entries=entries, reason=reason)
    except IntegrityError:
        # Only an import writing the same targets at the same moment gets here (saves of a contract's
        # targets are serialised by the lock).
        raise FlightpathError(
            "These targets were being written elsewhere at the same moment: try again."
        ) from None


def _write_locked(
    *, contract: Contract, user, entries: Mapping[Key, Decimal | None], reason: str
) -> TargetCounts:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [TARGETS_LOCK_KEY, contract.pk])
    held = {
        (row.level, row.ref, row.kpi, row.month): row
        for row in KpiTarget.objects.filter(
            contract=contract,
            level__in={key[0] for key in entries},
            ref__in={key[1] for key in entries},
            month__in={key[3] for key in entries},
        )
    }
    new, changed, gone, unchanged = [], [], [], 0
    for (level, ref, kpi, month), target in entries.items():
        row = held.get((level, ref, kpi, month))
        if target is None:
            if row is not None:
                gone.append(row)
        elif row is None:
            new.append(
                KpiTarget(contract=contract, level=level, ref=ref, kpi=kpi, month=month, target=target)
            )
        elif row.target != target:
            row.target = target
            changed.append(row)
        else:
            unchanged += 1
    now = timezone.now()
    audit = {"default_user": user, "default_change_reason": reason, "default_date": now}
    bulk_create_with_history(new, KpiTarget, batch_size=BATCH, **audit)
    bulk_update_with_history(changed, KpiTarget, ["target"], batch_size=BATCH, **audit)
    if gone:
        history = KpiTarget.history.model
        tracked = [f.attname for f in history.tracked_fields]
        history.objects.bulk_create(
            [
                history(
                    history_date=now,
                    history_user=user,
                    history_change_reason=reason,
                    history_type="-",
                    **{name: getattr(row, name) for name in tracked},
                )
                for row in gone
            ],
            batch_size=BATCH,
        )
        # Not QuerySet.delete(): that sends post_delete for each row, and simple-history would write a
        # second "-" row per target, one query each. Nothing refers to a target.
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {KpiTarget._meta.db_table} WHERE id = ANY(%s)", [[row.pk for row in gone]]
            )
    months = tuple(sorted({f"{row.month:%Y-%m}" for row in (*new, *changed, *gone)}))
    if months:
        enqueue_recompute({contract.pk: list(months)}, tasks=[KPI_RECOMPUTE_TASK])
    return TargetCounts(len(new), len(changed), len(gone), unchanged, months)
