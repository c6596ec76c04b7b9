"""Read paths of the standards: from a snapshot when one exists for the date, otherwise the engine on demand
(STYLE.md data flow). Pages, the API and reports call these; none of them computes a rule itself."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from django.db.models import QuerySet

from participants import params
from participants.calendar import calendar_for
from participants.journey import ALL, report_groups
from participants.models import Contract, Referral
from participants.selectors import contract_frames

from ..engine import FAILURE_COLUMNS, ComplianceResult, StandardFigures, codes_read, compute_standards
from ..models import FailingItem, Standard, StandardSnapshot

# A failing item as stored and listed: the engine's failure columns less the standard's code.
FAILURE_FIELDS = tuple(column for column in FAILURE_COLUMNS if column != "code")


@dataclass(frozen=True)
class StandardsQuery:
    """A validated request for standards figures: as-of date, group and window (DOMAIN.md 15.1, 15.15)."""

    as_of: date
    group: str = ALL
    window_start: date | None = None
    window_end: date | None = None

    @property
    def default_window(self) -> bool:
        return self.window_start is None and self.window_end is None


def standards_query(contract: Contract, query) -> StandardsQuery:
    """The standards pages' and endpoints' query string (as_of, group, window_start, window_end), parsed by
    participants.params; a FlightpathError names the field."""
    as_of = params.parse_date(query.get("as_of"), field="as_of", required=True)
    group = params.parse_group(
        query.get("group"), groups=report_groups(contract.programme.groups), programme=contract.programme.code
    )
    window_start, window_end = params.parse_window(query.get("window_start"), query.get("window_end"))
    return StandardsQuery(as_of=as_of, group=group, window_start=window_start, window_end=window_end)


def contract_standards(contract: Contract) -> list[Standard]:
    return Standard.objects.for_contract(contract)


def standard_by_code(contract: Contract, code: str) -> Standard | None:
    return next((s for s in contract_standards(contract) if s.code == code), None)


def standards_frames(contract: Contract, standards: Iterable[Standard]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The contract's referrals and the events these standards read (not every event held)."""
    return contract_frames(contract.pk, codes=codes_read([standard.as_rule() for standard in standards]))


def compute_for_contract(
    contract: Contract,
    *,
    as_of: date,
    standards: list[Standard],
    window_start: date | None = None,
    window_end: date | None = None,
    frames: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> ComplianceResult:
    """The engine on the contract's frames (loaded unless given, so a job can reuse them across dates)."""
    referrals, events = frames if frames is not None else standards_frames(contract, standards)
    return compute_standards(
        referrals,
        events,
        calendar=calendar_for(contract.nation),
        standards=[s.as_rule() for s in standards],
        as_of=as_of,
        contract_start=contract.start_date,
        groups=report_groups(contract.programme.groups),
        window_start=window_start,
        window_end=window_end,
    )


def figures_from_snapshot(snapshot: StandardSnapshot) -> StandardFigures:
    s = snapshot.standard
    return StandardFigures(
        code=s.code,
        measure=s.measure,
        group=snapshot.group,
        limit_working_days=s.limit_working_days,
        target=float(s.target),
        eligible=snapshot.eligible,
        met=snapshot.met,
        referrals=snapshot.referrals,
        backlog=snapshot.backlog,
        over_limit=snapshot.over_limit,
        oldest_age_working_days=snapshot.oldest_age_working_days,
    )


def _snapshots(
    contract: Contract, standards: list[Standard], *, as_of: date, group: str
) -> list[StandardSnapshot] | None:
    """The snapshot rows for every one of `standards`, in their order, or None when any is missing."""
    rows = {
        snap.standard_id: snap
        for snap in StandardSnapshot.objects.filter(
            contract=contract, as_of=as_of, group=group, standard__in=[s.pk for s in standards]
        ).select_related("standard")
    }
    if len(rows) != len(standards):
        return None
    return [rows[s.pk] for s in standards]


def standards_figures(contract: Contract, query: StandardsQuery) -> list[StandardFigures]:
    """Every standard of the contract for the query's group: from the snapshot of that date when there is
    one (default window only), otherwise computed now."""
    standards = contract_standards(contract)
    if not standards:
        return []  # WP ships no standards (DOMAIN.md 15.19)
    if query.default_window:
        snapshots = _snapshots(contract, standards, as_of=query.as_of, group=query.group)
        if snapshots is not None:
            return [figures_from_snapshot(s) for s in snapshots]
    result = compute_for_contract(
        contract,
        as_of=query.as_of,
        standards=standards,
        window_start=query.window_start,
        window_end=query.window_end,
    )
    return result.results_for(query.group)


def failing_items(
    contract: Contract, standard: Standard, query: StandardsQuery, *, user=None
) -> QuerySet | list[dict]:
    """The failing items of one standard (DOMAIN.md 9 drill-down), ordered by start date then referral
    reference (15.5), as dicts with FAILURE_FIELDS. From the snapshot a lazy queryset (pages and the API
    paginate it in SQL), otherwise a list computed now. With `user`, only the referrals that user may see:
    the figures are the contract's, but a failing item names a participant's referral."""
    visible = None if user is None or user.is_superuser else Referral.objects.visible_to(user)
    if query.default_window:
        snapshot = (
            StandardSnapshot.objects.filter(
                contract=contract, standard=standard, as_of=query.as_of, group=ALL
            )
            .values_list("pk", flat=True)
            .first()
        )
        if snapshot is not None:
            items = FailingItem.objects.filter(snapshot_id=snapshot)
            if query.group != ALL:
                items = items.filter(group=query.group)
            if visible is not None:
                items = items.filter(referral_id__in=visible.filter(contract=contract).values("pk"))
            return items.order_by("position").values(*FAILURE_FIELDS)
    result = compute_for_contract(
        contract,
        as_of=query.as_of,
        standards=[standard],
        window_start=query.window_start,
        window_end=query.window_end,
    )
    failures = result.failures_for(standard.code, query.group)
    if visible is not None:
        allowed = visible.filter(contract=contract, pk__in=failures["referral_id"].tolist())
        failures = failures[failures["referral_id"].isin(list(allowed.values_list("pk", flat=True)))]
    return failure_dicts(failures)


def failure_dicts(failures: pd.DataFrame) -> list[dict]:
    """Engine failure rows as dicts of Python values (dates as `date`, missing ids and end dates None)."""

    def dates(column: str) -> list[date | None]:
        return [
            None if np.isnat(v) else v.astype(object)
            for v in failures[column].to_numpy(dtype="datetime64[D]")
        ]

    def ids(column: str) -> list[int | None]:
        return [None if np.isnan(v) else int(v) for v in failures[column].to_numpy(dtype="float64")]

    columns = {
        "referral_id": failures["referral_id"].astype("int64").tolist(),
        "referral_ref": failures["referral_ref"].tolist(),
        "group": failures["group"].tolist(),
        "site_id": ids("site_id"),
        "key_worker_id": ids("key_worker_id"),
        "start_date": dates("start_date"),
        "deadline": dates("deadline"),
        "end_date": dates("end_date"),
        "age_working_days": failures["age_working_days"].astype("int64").tolist(),
    }
    return [
        dict(zip(FAILURE_FIELDS, row, strict=True))
        for row in zip(*(columns[f] for f in FAILURE_FIELDS), strict=True)
    ]


def snapshot_dates(contract: Contract) -> list[date]:
    """The as-of dates that have snapshots for the contract, newest first (for pages' date pickers)."""
    return list(
        StandardSnapshot.objects.filter(contract=contract, group=ALL)
        .values_list("as_of", flat=True)
        .distinct()
        .order_by("-as_of")
    )
