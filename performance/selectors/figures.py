"""Read paths of the performance app: the engine's inputs, and the figures pages and the API show (from
snapshots when present, computed on demand by the same engine calls otherwise)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import psycopg
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from participants.models import Contract, JobRun, MplProfile, MplTarget, Referral, ValidationRound
from participants.selectors import latest_data_date

from .. import engine
from ..models import AssessmentSnapshot, CohortSnapshot, PerformanceSnapshot
from .slices import Slice

RECOMPUTE_KIND = "performance.recompute"  # performance.services.JOB_KIND (services import this module)
# The event codes the performance engine reads; the others never reach it.
ENGINE_CODES = engine.CODES_READ


@dataclass(frozen=True)
class Inputs:
    """Everything but the referral and event frames: configuration rows of the contract."""

    contract: Contract
    rules: engine.ProgrammeRules
    terms: engine.ContractTerms
    profiles: pd.DataFrame
    targets: pd.DataFrame
    rounds: pd.DataFrame


def rules_for(programme) -> engine.ProgrammeRules:
    """participants.Programme row -> engine configuration (never literals in the engine)."""
    return engine.ProgrammeRules(
        code=programme.code,
        groups=tuple(programme.groups),
        measured_groups=tuple(programme.measured_groups),
        cohort_basis=programme.cohort_basis,
        outcome_window_days=programme.outcome_window_days,
        has_quarterly_review=programme.has_quarterly_review,
    )


def contract_inputs(contract: Contract) -> Inputs:
    profiles = pd.DataFrame(
        list(MplProfile.objects.filter(contract=contract).values_list("group", "month", "cumulative_pct")),
        columns=["group", "month", "cumulative_pct"],
    )
    targets = pd.DataFrame(
        list(
            MplTarget.objects.filter(contract=contract).values_list(
                "group", "period_start", "period_end", "required_outcomes"
            )
        ),
        columns=["group", "period_start", "period_end", "required_outcomes"],
    )
    rounds = pd.DataFrame(
        list(
            ValidationRound.objects.filter(contract=contract).values_list(
                "round", "period_start", "period_end", "invalid_pct", "status"
            )
        ),
        columns=["round", "period_start", "period_end", "invalid_pct", "status"],
    )
    return Inputs(
        contract=contract,
        rules=rules_for(contract.programme),
        terms=engine.ContractTerms(contract.start_date, contract.year_start_month),
        profiles=profiles,
        targets=targets,
        rounds=rounds,
    )


_PG_EPOCH = np.datetime64("2000-01-01", "D")  # dates travel as day numbers from here


def _copy_binary(sql: str, fields: list[tuple[str, str]]) -> dict[str, np.ndarray]:
    """The columns of `sql` as numpy arrays, fetched as one row of arrays in binary: a few large messages
    rather than one per row. A column named "day" is a date, sent as days since _PG_EPOCH. `sql` holds only
    integers and this module's constants, never user input."""
    names = [name for name, _ in fields]
    aggregates = ", ".join(
        f"array_agg(t.{name} - DATE '2000-01-01')" if name == "day" else f"array_agg(t.{name})"
        for name in names
    )
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:  # same connection: the caller's transaction
        cursor.execute(f"SELECT {aggregates} FROM ({sql}) AS t({', '.join(names)})", binary=True)
        row = cursor.fetchone()
    return {
        name: np.asarray(values or [], dtype=kind.lstrip("><"))
        for (name, kind), values in zip(fields, row, strict=True)
    }


UNIT_COLUMNS = {  # the referral's current assignment, for the figures by unit (selectors.slices)
    "organisation": "organisation_id",
    "site": "COALESCE(site_id, 0)",
    "key_worker": "COALESCE(key_worker_id, 0)",
}


def _text_array(names: list[str]) -> str:
    return ", ".join(f"'{name.replace(chr(39), chr(39) * 2)}'" for name in names) or "''"


def engine_frames(
    contract_id: int,
    groups: tuple[str, ...] | None = None,
    *,
    where: str = "",
    units: tuple[str, ...] = (),
    ddas: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(referrals, events) of one contract with the columns the performance engine reads, in the schema of
    participants.selectors (dates as datetime64; `code` categorical). Groups and codes travel as their
    positions in a list and dates as day numbers, as one row of arrays in binary.

    `where` (selectors.slices.Slice.where: ids and quoted names only) keeps the referrals of a slice and their
    events; `units` adds each referral's unit id columns (UNIT_COLUMNS, 0 for none), and "dda" its Devolution
    Deal Area's position in `ddas` plus one (0 for none)."""
    contract_id = int(contract_id)
    fields = [("id", ">i8"), ("code", ">i2"), ("day", ">i4")]
    condition = f"contract_id = {contract_id}" + (f" AND {where}" if where else "")
    unit_sql = {name: UNIT_COLUMNS[name] for name in units if name in UNIT_COLUMNS}
    if "dda" in units:
        unit_sql["dda"] = f"COALESCE(array_position(ARRAY[{_text_array(list(ddas))}]::text[], dda::text), 0)"
    unit_fields = [(name, ">i8") for name in unit_sql]

    def read_referrals(names: list[str]) -> dict[str, np.ndarray]:
        extra = "".join(f", ({sql})::int8" for sql in unit_sql.values())
        group_code = f'COALESCE(array_position(ARRAY[{_text_array(names)}]::text[], "group"::text), 0)::int2'
        return _copy_binary(
            f"SELECT id, {group_code}, referral_date{extra} FROM participants_referral WHERE {condition}",
            fields + unit_fields,
        )

    # The programme's groups are the list; only if a referral holds another (the import refuses that) are
    # the groups held looked up, a slow DISTINCT over every referral, and the referrals read again.
    names = sorted(groups or ())
    ref_rows = read_referrals(names)
    if not names or (ref_rows["code"] == 0).any():
        held = Referral.objects.filter(contract_id=contract_id).values_list("group", flat=True).distinct()
        names = sorted(set(held) | set(names))
        ref_rows = read_referrals(names)
    code_list = ", ".join(f"'{code}'" for code in ENGINE_CODES)
    sliced = f" AND referral_id IN (SELECT id FROM participants_referral WHERE {condition})" if where else ""
    event_sql = (
        f"SELECT referral_id, array_position(ARRAY[{code_list}]::text[], code::text)::int2, event_date "
        f"FROM participants_journeyevent WHERE contract_id = {contract_id} AND code IN ({code_list}){sliced}"
    )
    ev_rows = _copy_binary(event_sql, fields)  # same connection: it sees the caller's transaction
    referrals = pd.DataFrame(
        {
            "referral_id": ref_rows["id"].astype(np.int64),
            "group": np.array([""] + names, dtype=object)[ref_rows["code"]],
            "referral_date": (_PG_EPOCH + ref_rows["day"].astype(np.int64)).astype("datetime64[s]"),
            **{name: ref_rows[name].astype(np.int64) for name in unit_sql},
        }
    )
    events = pd.DataFrame(
        {
            "referral_id": ev_rows["id"].astype(np.int64),
            "code": pd.Categorical.from_codes(ev_rows["code"].astype(np.int64) - 1, categories=ENGINE_CODES),
            "event_date": (_PG_EPOCH + ev_rows["day"].astype(np.int64)).astype("datetime64[s]"),
        }
    )
    return referrals, events


def contract_facts(
    contract_id: int, groups: tuple[str, ...] | None = None, *, where: str = ""
) -> engine.Facts:
    """Per-referral facts of a contract (of a slice's referrals with `where`); pass the programme's groups
    to spare a scan (engine_frames)."""
    return engine.referral_facts(*engine_frames(contract_id, groups, where=where))


def sliced_targets(inputs: Inputs, part: Slice | None) -> pd.DataFrame:
    """DWP's notified targets are the contract's figures: a slice's MPL is derived from its own cohorts and
    the profiles alone (indicative, docs/decisions.md)."""
    return inputs.targets if part is None or part.whole else inputs.targets.iloc[0:0]


# ------------------------------------------------------------------------------------------------------
# Figures for pages and the API
# ------------------------------------------------------------------------------------------------------


def slice_table(contract: Contract, part: Slice) -> pd.DataFrame | None:
    """Every month's, period's and group's figures of a slice (engine.performance_table rows, unrounded),
    from the contract's start to its end (or its latest data month, if later): computed once from the
    slice's referrals and kept in the cache for FLIGHTPATH_SLICE_CACHE_SECONDS under the contract's latest
    recompute run and data date, so an import's recompute refreshes it at once (docs/decisions.md). None
    without data."""
    latest = latest_data_date(contract.pk)
    if latest is None:
        return None
    run = (
        JobRun.objects.filter(contract=contract, kind=RECOMPUTE_KIND)
        .order_by("-pk")
        .values_list("pk")
        .first()
    )
    digest = hashlib.sha1(part.where().encode()).hexdigest()
    key = f"performance:slice:{contract.pk}:{run[0] if run else 0}:{latest}:{digest}"
    table = cache.get(key)
    if table is None:
        inputs = contract_inputs(contract)
        start = engine.month_of(contract.start_date)
        table = engine.performance_table(
            contract_facts(contract.pk, inputs.rules.groups, where=part.where()),
            inputs.rules,
            inputs.terms,
            inputs.profiles,
            sliced_targets(inputs, part),
            list(range(start, max(start, engine.month_of(latest), engine.month_of(contract.end_date)) + 1)),
        )
        cache.set(key, table, settings.FLIGHTPATH_SLICE_CACHE_SECONDS)
    return table


def slice_records(
    contract: Contract, part: Slice, *, months: list[int], periods, groups
) -> list[dict] | None:
    """The rows of slice_table for these months, periods and groups; None when any is not in it (a month
    after the latest data month: the caller computes those)."""
    table = slice_table(contract, part)
    if table is None:
        return None
    rows = table[table["month"].isin(months) & table["period"].isin(periods) & table["group"].isin(groups)]
    return rows.to_dict("records") if len(rows) == len(months) * len(periods) * len(groups) else None


def performance_figures(
    contract: Contract, *, month: int, period: str, group: str, part: Slice | None = None
) -> dict:
    """One performance row (unrounded): the snapshot when there is one, else the engine on demand; a slice's
    (`part`, not the whole contract) always on demand, from its referrals only."""
    whole = part is None or part.whole
    snap = (
        PerformanceSnapshot.objects.filter(
            contract=contract, group=group, month=engine.month_first_day(month), period=period
        ).first()
        if whole
        else None
    )
    if snap is not None:
        return snapshot_performance_record(snap)
    cached = (
        None if whole else slice_records(contract, part, months=[month], periods=[period], groups=[group])
    )
    if cached:
        return cached[0]
    inputs = contract_inputs(contract)
    frame = engine.performance_table(
        contract_facts(contract.pk, inputs.rules.groups, where="" if whole else part.where()),
        inputs.rules,
        inputs.terms,
        inputs.profiles,
        sliced_targets(inputs, part),
        [month],
        (period,),
        (group,),
    )
    return frame.iloc[0].to_dict()


def snapshot_performance_record(snap: PerformanceSnapshot) -> dict:
    record = {name: getattr(snap, name) for name in engine.FLOWS}
    record.update(
        group=snap.group,
        period=snap.period,
        first_month=engine.month_of(snap.period_start),
        last_month=engine.month_of(snap.period_end),
        mpl_required=snap.mpl_required,
        variance=snap.variance,
        pct_of_mpl=np.nan if snap.pct_of_mpl is None else snap.pct_of_mpl,
    )
    return record


def performance_series(contract: Contract, *, period: str, group: str) -> list[PerformanceSnapshot]:
    """Every month's snapshot of a period and group, oldest first (for charts and tables on pages)."""
    return list(
        PerformanceSnapshot.objects.filter(contract=contract, period=period, group=group).order_by("month")
    )


def cohort_figures(
    contract: Contract, *, group: str, as_of: date | None, part: Slice | None = None
) -> tuple[date | None, list[dict]]:
    """(as_of used, cohort rows unrounded) from snapshots when they are as at the same date; a slice's
    (`part`) from the engine on its referrals. The default as-of date is the contract's latest date held."""
    default = latest_data_date(contract.pk)
    as_of = as_of or default
    if as_of is None:
        return None, []
    if part is not None and not part.whole:
        inputs = contract_inputs(contract)
        facts = contract_facts(contract.pk, inputs.rules.groups, where=part.where())
        return as_of, engine.cohort_table(facts, inputs.rules, inputs.profiles, group, as_of)
    snaps = list(
        CohortSnapshot.objects.filter(contract=contract, group=group, as_of=as_of).order_by("cohort")
    )
    if snaps or (as_of == default and CohortSnapshot.objects.filter(contract=contract, as_of=as_of).exists()):
        return as_of, [
            {
                "cohort": f"{s.cohort:%Y-%m}",
                "size": s.size,
                "conversion_pct": s.conversion_pct,
                "profile_pct": s.profile_pct,
            }
            for s in snaps
        ]
    inputs = contract_inputs(contract)
    return as_of, engine.cohort_table(
        contract_facts(contract.pk, inputs.rules.groups), inputs.rules, inputs.profiles, group, as_of
    )


def assessment_figures(contract: Contract, *, quarter_end: int, group: str, final: bool) -> dict:
    snap = AssessmentSnapshot.objects.filter(
        contract=contract, group=group, final=final, quarter_end=engine.month_first_day(quarter_end)
    ).first()
    if snap is not None:
        return assessment_row(snap)
    inputs = contract_inputs(contract)
    frame = engine.assessment_table(
        contract_facts(contract.pk, inputs.rules.groups),
        inputs.rules,
        inputs.terms,
        inputs.profiles,
        inputs.targets,
        inputs.rounds,
        [quarter_end],
        (group,),
        (final,),
    )
    return frame.iloc[0].to_dict()


def assessment_row(snap: AssessmentSnapshot) -> dict:
    """A snapshot as a row of engine.assessment_table (unrounded)."""
    return {
        "quarter_end": engine.month_of(snap.quarter_end),
        "group": snap.group,
        "final": snap.final,
        "window_start": engine.month_of(snap.window_start),
        "validated_months": snap.validated_months,
        "validated_outcomes": snap.validated_outcomes,
        "extrapolation_base": snap.extrapolation_base,
        "extrapolated_outcomes": snap.extrapolated_outcomes,
        "adjusted_outcomes": snap.adjusted_outcomes,
        "invalid_pct_used": snap.invalid_pct_used,
        "mpl_required": snap.mpl_required,
        "met": snap.met,
    }
