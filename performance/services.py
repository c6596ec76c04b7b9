"""Write paths of the performance app: recomputing a contract's snapshots, each run claimed and recorded with
participants.jobs.job_run; then the tasks of settings.FLIGHTPATH_AFTER_RECOMPUTE_TASKS (the regimes app's
recommendations) are enqueued by name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction

from participants.errors import FlightpathError
from participants.jobs import RunHandle, enqueue, job_run
from participants.models import Contract

from . import engine
from .models import (
    AssessmentSnapshot,
    CohortSnapshot,
    PerformanceSnapshot,
    ProjectionSnapshot,
)
from .selectors import figures as selectors

JOB_KIND = "performance.recompute"


@dataclass(frozen=True)
class RecomputeResult:
    as_of: date | None
    first_month: str | None
    performance_rows: int
    cohort_rows: int
    assessment_rows: int
    projection_rows: int


def recompute_contract(*, contract_id: int, months: list[str] | None = None) -> RecomputeResult:
    """Recompute a contract's performance snapshots, idempotently (replace by key in one transaction).
    Raises JobClaimed when another run holds the claim.

    Which snapshots can change when an import touches months S (the months of the rows it wrote)?
    - Performance rows (flows and MPL required) for a month M < min(S) cover only months before min(S): their
      counts are unchanged (a referral's events are never dated before its referral date, so a re-grouped
      referral's whole history lies in months >= its referral month, which S holds), and required outcomes in
      month m come from cohorts up to m only. Rows with M >= min(S) can all change (ytd / ctd / rolling
      periods reach back; a new earlier first job outcome or resolution moves a count from a later month;
      a changed cohort size moves every later month's required). So only months >= min(S) are rewritten.
    - Cohorts: a new outcome in month s changes every cohort up to s, and a new latest date moves the as-of
      (every list grows): all cohort rows are rewritten (a few hundred rows).
    - Assessments: invalidation has no date (DOMAIN.md 15.12, 15.14), so an OUTCOME_INVALIDATED imported today
      changes any past quarter: all are rewritten (quarters x measured groups x 2).
    - Projections as at month ends >= min(S) and as at the latest data date are rewritten; the
      regimes' recommendations follow the latest one (FLIGHTPATH_AFTER_RECOMPUTE_TASKS).
    The engine still reads the whole contract (first events are per referral, not per month); the saving is
    in the performance rows, the bulk of the snapshots. months=None rewrites everything (nightly, first run).
    """
    contract = Contract.objects.select_related("programme").get(pk=contract_id)
    with job_run(JOB_KIND, contract_id=contract.pk, params={"months": months}) as run:
        result = _recompute(contract, months, run)
    for name in settings.FLIGHTPATH_AFTER_RECOMPUTE_TASKS:
        enqueue(name, contract.pk)
    return result


def _recompute(contract: Contract, months: list[str] | None, run: RunHandle) -> RecomputeResult:
    inputs = selectors.contract_inputs(contract)
    run.report(5, "loading referrals and events")
    facts = selectors.contract_facts(contract.pk, inputs.rules.groups)
    as_of = engine.default_as_of(facts)
    start = inputs.terms.start_month
    last = max(start, engine.month_of(as_of)) if as_of else start
    first = start
    if months:
        try:
            first = max(start, min(engine.parse_month(m) for m in months))
        except ValueError:
            raise FlightpathError(
                f"months: expected YYYY-MM months, got {months!r}", field="months"
            ) from None
    run.report(30, "computing flows and MPL")
    table = engine.monthly(facts, inputs.rules, inputs.terms, inputs.profiles, last + 12)
    performance = (
        engine.performance_table(
            facts,
            inputs.rules,
            inputs.terms,
            inputs.profiles,
            inputs.targets,
            list(range(first, last + 1)),
            table=table,
        )
        if first <= last
        else None
    )
    run.report(50, "computing cohorts")
    cohorts = (
        {
            g: engine.cohort_table(facts, inputs.rules, inputs.profiles, g, as_of)
            for g in inputs.rules.report_groups
        }
        if as_of
        else {}
    )
    assessments = None
    if inputs.rules.has_quarterly_review:
        run.report(60, "computing quarterly assessments")
        assessments = engine.assessment_table(
            facts,
            inputs.rules,
            inputs.terms,
            inputs.profiles,
            inputs.targets,
            inputs.rounds,
            engine.quarter_ends_between(start, last),
            table=table,
        )
    run.report(70, "projecting the next quarter ends")
    # As at the latest data date (the recommendations' basis) and as at each month end rewritten, so the
    # page of any month finds the projection it shows (engine.projection_table is cheap once facts exist).
    projections = {
        day: engine.projection_table(facts, inputs.rules, inputs.terms, inputs.profiles, inputs.targets, day)
        for day in projection_dates(first, as_of)
    }
    run.report(80, "writing snapshots")
    written = _write(
        contract=contract,
        first_month=first,
        performance=performance,
        cohorts=cohorts,
        as_of=as_of,
        assessments=assessments,
        projections=projections,
    )
    return RecomputeResult(as_of=as_of, first_month=engine.month_label(first), **written)


def projection_dates(first_month: int, as_of: date | None) -> list[date]:
    """The dates projections are stored as at: each month end from `first_month` before the latest data
    date, and that date (the page projects as at min(latest data date, the shown month's last day))."""
    if as_of is None:
        return []
    ends = [engine.month_last_day(m) for m in range(first_month, engine.month_of(as_of) + 1)]
    return [day for day in ends if day < as_of] + [as_of]


def _or_none(value: float) -> float | None:
    """NaN (a percentage of nothing required) is stored as null."""
    return None if np.isnan(value) else float(value)


@transaction.atomic
def _write(
    *,
    contract: Contract,
    first_month: int,
    performance: pd.DataFrame | None,
    cohorts: dict[str, list[dict]],
    as_of: date | None,
    assessments: pd.DataFrame | None,
    projections: dict[date, pd.DataFrame],
) -> dict:
    """Replace by key in one transaction: a run killed halfway leaves the previous snapshots."""
    PerformanceSnapshot.objects.filter(
        contract=contract, month__gte=engine.month_first_day(first_month)
    ).delete()
    perf_rows = (
        []
        if performance is None
        else [
            PerformanceSnapshot(
                contract=contract,
                group=row.group,
                month=engine.month_first_day(row.month),
                period=row.period,
                period_start=engine.month_first_day(row.first_month),
                period_end=engine.month_first_day(row.last_month),
                **{name: int(getattr(row, name)) for name in engine.FLOWS},
                mpl_required=float(row.mpl_required),
                variance=float(row.variance),
                pct_of_mpl=_or_none(row.pct_of_mpl),
            )
            for row in performance.itertuples(index=False)
        ]
    )
    PerformanceSnapshot.objects.bulk_create(perf_rows, batch_size=2000)

    CohortSnapshot.objects.filter(contract=contract).delete()
    cohort_rows = [
        CohortSnapshot(
            contract=contract,
            group=group,
            cohort=date.fromisoformat(r["cohort"] + "-01"),
            as_of=as_of,
            size=r["size"],
            conversion_pct=r["conversion_pct"],
            profile_pct=r["profile_pct"],
        )
        for group, rows in cohorts.items()
        for r in rows
    ]
    CohortSnapshot.objects.bulk_create(cohort_rows, batch_size=2000)

    AssessmentSnapshot.objects.filter(contract=contract).delete()
    assessment_rows = (
        []
        if assessments is None
        else [
            AssessmentSnapshot(
                contract=contract,
                group=row.group,
                quarter_end=engine.month_first_day(row.quarter_end),
                final=bool(row.final),
                window_start=engine.month_first_day(row.window_start),
                validated_months=int(row.validated_months),
                validated_outcomes=int(row.validated_outcomes),
                extrapolation_base=int(row.extrapolation_base),
                extrapolated_outcomes=float(row.extrapolated_outcomes),
                adjusted_outcomes=float(row.adjusted_outcomes),
                invalid_pct_used=float(row.invalid_pct_used),
                mpl_required=float(row.mpl_required),
                met=bool(row.met),
            )
            for row in assessments.itertuples(index=False)
        ]
    )
    AssessmentSnapshot.objects.bulk_create(assessment_rows, batch_size=2000)

    # Projections as at the rewritten month ends and the latest data date; an earlier "latest" date (always
    # inside the rewritten months) goes with them.
    ProjectionSnapshot.objects.filter(
        contract=contract, as_of__gte=engine.month_first_day(first_month)
    ).delete()
    projection_rows = [
        ProjectionSnapshot(
            contract=contract,
            group=row.group,
            quarter_end=engine.month_first_day(row.quarter_end),
            as_of=day,
            actual=float(row.actual),
            expected=float(row.expected),
            projected=float(row.projected),
            low=float(row.low),
            high=float(row.high),
            mpl_required=float(row.mpl_required),
            **{name: _or_none(getattr(row, name)) for name in ("projected_pct", "low_pct", "high_pct")},
            below_mpl=bool(row.below_mpl),
        )
        for day, projection in projections.items()
        for row in projection.itertuples(index=False)  # measured groups x 2 quarter ends
    ]
    ProjectionSnapshot.objects.bulk_create(projection_rows, batch_size=2000)
    return {
        "performance_rows": len(perf_rows),
        "cohort_rows": len(cohort_rows),
        "assessment_rows": len(assessment_rows),
        "projection_rows": len(projection_rows),
    }
