"""Read paths of the performance app: the engine's inputs, and the figures pages and the API show (from
snapshots when present, computed on demand by the same engine calls otherwise)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Max

from participants.errors import FlightpathError
from participants.models import Contract, JourneyEvent, MplProfile, MplTarget, Referral, ValidationRound

from . import engine
from .models import AssessmentSnapshot, CohortSnapshot, PerformanceSnapshot, Recommendation

# The event codes the performance engine reads; the others never reach it.
ENGINE_CODES = ("STARTED", "DID_NOT_START", "FAILED_TO_ATTEND", "JOB_START", "EARNINGS_START", "JOB_OUTCOME",
                "OUTCOME_INVALIDATED", "SUSTAINMENT", "EXITED")


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
        code=programme.code, groups=tuple(programme.groups), measured_groups=tuple(programme.measured_groups),
        cohort_basis=programme.cohort_basis, outcome_window_days=programme.outcome_window_days,
        has_quarterly_review=programme.has_quarterly_review,
    )


def contract_inputs(contract: Contract) -> Inputs:
    profiles = pd.DataFrame(list(MplProfile.objects.filter(contract=contract).values_list(
        "group", "month", "cumulative_pct")), columns=["group", "month", "cumulative_pct"])
    targets = pd.DataFrame(list(MplTarget.objects.filter(contract=contract).values_list(
        "group", "period_start", "period_end", "required_outcomes")),
        columns=["group", "period_start", "period_end", "required_outcomes"])
    rounds = pd.DataFrame(list(ValidationRound.objects.filter(contract=contract).values_list(
        "round", "period_start", "period_end", "invalid_pct", "status")),
        columns=["round", "period_start", "period_end", "invalid_pct", "status"])
    return Inputs(contract=contract, rules=rules_for(contract.programme),
                  terms=engine.ContractTerms(contract.start_date, contract.year_start_month),
                  profiles=profiles, targets=targets, rounds=rounds)


def _copy_frame(sql: str, names: list[str], dtypes: dict) -> pd.DataFrame:
    """COPY (sql) TO STDOUT as CSV into pandas: the fast path on PostgreSQL, a cursor elsewhere. `sql` holds
    only integers and this module's constants, never user input."""
    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
        buffer.seek(0)
        return pd.read_csv(buffer, names=names, header=None, dtype=dtypes, keep_default_na=False, engine="c")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return pd.DataFrame(cursor.fetchall(), columns=names).astype(dtypes)


def engine_frames(contract_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(referrals, events) of one contract with the columns the performance engine reads, in the schema of
    participants.selectors (dates as datetime64). Dates travel as day numbers, which parse fastest."""
    if connection.vendor == "postgresql":
        day = "({column} - DATE '1970-01-01')"
    else:  # SQLite, for trying the product out
        day = "CAST(julianday({column}) - 2440587.5 AS INTEGER)"
    referrals = _copy_frame(
        f'SELECT id, "group", {day.format(column="referral_date")} FROM participants_referral '
        f"WHERE contract_id = {int(contract_id)}", ["referral_id", "group", "referral_day"],
        {"referral_id": "int64", "group": str, "referral_day": "int64"})
    codes = ", ".join(f"'{code}'" for code in ENGINE_CODES)
    events = _copy_frame(
        f"SELECT referral_id, code, {day.format(column='event_date')} FROM participants_journeyevent "
        f"WHERE contract_id = {int(contract_id)} AND code IN ({codes})",
        ["referral_id", "code", "event_day"], {"referral_id": "int64", "code": str, "event_day": "int64"})
    referrals["referral_date"] = referrals.pop("referral_day").to_numpy().astype("datetime64[D]")
    events["event_date"] = events.pop("event_day").to_numpy().astype("datetime64[D]")
    return referrals, events


def contract_facts(contract_id: int) -> engine.Facts:
    return engine.referral_facts(*engine_frames(contract_id))


def latest_data_date(contract_id: int) -> date | None:
    """The latest referral or event date held for the contract (DOMAIN.md 15.8): two indexed lookups."""
    dates = [Referral.objects.filter(contract_id=contract_id).aggregate(d=Max("referral_date"))["d"],
             JourneyEvent.objects.filter(contract_id=contract_id).aggregate(d=Max("event_date"))["d"]]
    dates = [d for d in dates if d is not None]
    return max(dates) if dates else None


# ------------------------------------------------------------------------------------------------------
# Parameters (DATA.md: 400 naming the field)
# ------------------------------------------------------------------------------------------------------

def parse_month(value: str | None, *, contract: Contract, field: str = "month") -> int:
    if not value:
        raise FlightpathError("This parameter is required (YYYY-MM).", field=field)
    try:
        month = engine.parse_month(value)
    except ValueError:
        raise FlightpathError(f"'{value}' is not a month (YYYY-MM).", field=field) from None
    if month < engine.month_of(contract.start_date):
        raise FlightpathError(
            f"{value} is before the contract start ({contract.start_date:%Y-%m}).", field=field)
    return month


def parse_date(value: str | None, *, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FlightpathError(f"'{value}' is not a date (YYYY-MM-DD).", field=field) from None


def parse_period(value: str | None) -> str:
    if value not in engine.PERIODS:
        raise FlightpathError(f"Unknown period '{value or ''}'; expected one of {', '.join(engine.PERIODS)}.",
                              field="period")
    return value


def parse_group(value: str | None, *, valid: tuple[str, ...]) -> str:
    if value not in valid:
        raise FlightpathError(f"Group '{value or ''}' is not in this programme; valid groups: {', '.join(valid)}.",
                              field="group")
    return value


# ------------------------------------------------------------------------------------------------------
# Figures for pages and the API
# ------------------------------------------------------------------------------------------------------

def performance_figures(contract: Contract, *, month: int, period: str, group: str) -> dict:
    """One performance row (unrounded): the snapshot when there is one, else the engine on demand."""
    snap = PerformanceSnapshot.objects.filter(
        contract=contract, group=group, month=engine.month_first_day(month), period=period).first()
    if snap is not None:
        return snapshot_performance_record(snap)
    inputs = contract_inputs(contract)
    frame = engine.performance_table(contract_facts(contract.pk), inputs.rules, inputs.terms, inputs.profiles,
                                     inputs.targets, [month], (period,), (group,))
    return frame.iloc[0].to_dict()


def snapshot_performance_record(snap: PerformanceSnapshot) -> dict:
    record = {name: getattr(snap, name) for name in engine.FLOWS}
    record.update(group=snap.group, period=snap.period, first_month=engine.month_of(snap.period_start),
                  last_month=engine.month_of(snap.period_end), mpl_required=snap.mpl_required,
                  variance=snap.variance, pct_of_mpl=np.nan if snap.pct_of_mpl is None else snap.pct_of_mpl)
    return record


def performance_series(contract: Contract, *, period: str, group: str) -> list[PerformanceSnapshot]:
    """Every month's snapshot of a period and group, oldest first (for charts and tables on pages)."""
    return list(PerformanceSnapshot.objects.filter(contract=contract, period=period, group=group).order_by("month"))


def cohort_figures(contract: Contract, *, group: str, as_of: date | None) -> tuple[date | None, list[dict]]:
    """(as_of used, cohort rows unrounded) from snapshots when they are as at the same date."""
    default = latest_data_date(contract.pk)
    as_of = as_of or default
    if as_of is None:
        return None, []
    snaps = list(CohortSnapshot.objects.filter(contract=contract, group=group, as_of=as_of).order_by("cohort"))
    if snaps or (as_of == default and CohortSnapshot.objects.filter(contract=contract, as_of=as_of).exists()):
        return as_of, [{"cohort": f"{s.cohort:%Y-%m}", "size": s.size, "conversion_pct": s.conversion_pct,
                        "profile_pct": s.profile_pct} for s in snaps]
    inputs = contract_inputs(contract)
    return as_of, engine.cohort_table(contract_facts(contract.pk), inputs.rules, inputs.profiles, group, as_of)


def assessment_figures(contract: Contract, *, quarter_end: int, group: str, final: bool) -> dict:
    snap = AssessmentSnapshot.objects.filter(contract=contract, group=group, final=final,
                                             quarter_end=engine.month_first_day(quarter_end)).first()
    if snap is not None:
        return {"quarter_end": quarter_end, "group": snap.group, "final": snap.final,
                "window_start": engine.month_of(snap.window_start), "validated_months": snap.validated_months,
                "validated_outcomes": snap.validated_outcomes, "extrapolated_outcomes": snap.extrapolated_outcomes,
                "adjusted_outcomes": snap.adjusted_outcomes, "invalid_pct_used": snap.invalid_pct_used,
                "mpl_required": snap.mpl_required, "met": snap.met}
    inputs = contract_inputs(contract)
    frame = engine.assessment_table(contract_facts(contract.pk), inputs.rules, inputs.terms, inputs.profiles,
                                    inputs.targets, inputs.rounds, [quarter_end], (group,), (final,))
    return frame.iloc[0].to_dict()


def open_recommendations(contract: Contract) -> list[Recommendation]:
    return list(Recommendation.objects.filter(contract=contract, status=Recommendation.Status.OPEN)
                .order_by("quarter_end", "group"))
