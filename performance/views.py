"""The contract performance page and the referrals behind its figures (DOMAIN.md 5-8, 10). Thin: parse the
query, call performance.selectors.pages, shape rows and charts for the template, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django_tables2 import RequestConfig

from participants import access
from participants.audit import log_access
from participants.errors import FlightpathError
from participants.exports import REFERRAL_CSV_COLUMNS, csv_response
from participants.journey import rounded
from participants.params import parse_choice
from participants.selectors import visible_contract, visible_referrals

from . import charts, engine
from .engine.drilldown import ASSESSMENT_MEASURES, COHORT_MEASURES, MEASURES
from .filtersets import PerformanceFilterForm, SliceFilterForm
from .models import Period
from .rag import CSS_CLASSES, LABELS
from .selectors import pages as selectors_pages
from .selectors import slices, units
from .selectors.slices import Slice
from .tables import MemberTable

MEASURE_LABELS = {
    "referrals": "Referrals",
    "starts": "Starts",
    "did_not_start": "Did not start",
    "failed_to_attend": "Failed to attend",
    "job_starts": "Job starts",
    "earnings_starts": "Earnings starts",
    "job_outcomes": "Job outcomes",
    "sustainments": "Sustainments",
    "exits": "Exits",
    "cohort": "Cohort",
    "cohort_outcomes": "Cohort job outcomes",
    "validated_outcomes": "Validated job outcomes",
    "extrapolation_base": "Job outcomes extrapolated",
}
PERIOD_LABELS = dict(Period.choices)
PROJECTION_DECIMALS = ("actual", "expected", "projected", "low", "high", "mpl_required", "projected_pct")
ASSESSMENT_DECIMALS = ("extrapolated_outcomes", "adjusted_outcomes", "invalid_pct_used", "mpl_required")


def _rounded(row: dict, keys: tuple[str, ...]) -> dict:
    """The row with `keys` rounded for output as the API rounds them (journey.rounded, DOMAIN.md 15.16)."""
    return {**row, **{key: rounded(row[key]) for key in keys}}


def _shown(record: dict) -> dict:
    """A performance record as shown: rounded as the API (journey.rounded, DOMAIN.md 15.16), RAG kept."""
    return {
        **{name: int(record[name]) for name in engine.FLOWS},
        "mpl_required": rounded(record["mpl_required"]),
        "variance": rounded(record["variance"]),
        "pct_of_mpl": rounded(record["pct_of_mpl"]),
        "rag": record["rag"],
        "rag_class": CSS_CLASSES[record["rag"]],
        "rag_label": LABELS[record["rag"]],
        "period_start": engine.month_label(record["first_month"]),
        "period_end": engine.month_label(record["last_month"]),
    }


@login_required
def contract_standing(request, ref: str):
    """The performance panel of the contract overview (loaded there with htmx): rolling-twelve job outcomes
    against MPL of ALL and the measured groups (the recommendations are on the regime panel beside it)."""
    contract = visible_contract(request.user, ref)
    month, records = selectors_pages.standing(contract)
    return render(
        request,
        f"performance/includes/standing{'_compact' if request.GET.get('compact') else ''}.html",
        {
            "contract": contract,
            "month_label": engine.month_label(month) if month is not None else None,
            "rows": [{"group": r["group"], **_shown(r)} for r in records],
        },
    )


def _slice_query(part: Slice) -> str:
    """The slice's parameters as "&site=..." for the page's links, which keep the slice shown."""
    query = part.query()
    return f"&{urlencode(query)}" if query else ""


@login_required
def contract_performance(request, ref: str):
    contract = visible_contract(request.user, ref)
    try:
        part = slices.parse_slice(request.user, contract, request.GET)
        data = selectors_pages.ContractData(contract, part)
        params = data.params(request.GET)
    except FlightpathError as error:
        return render(
            request,
            "performance/contract_performance.html",
            {"contract": contract, "error": error},
            status=400,
        )
    groups = data.rules.report_groups
    grid = {
        key: _shown(record)
        for key, record in selectors_pages.performance_grid(data, month=params.month).items()
    }
    series = selectors_pages.monthly_series(data, group=params.group, through=params.month)
    cohort_as_of, cohorts = selectors_pages.cohorts(data, group=params.group)
    projection_as_of, projection = selectors_pages.projection(data, month=params.month)
    assessments = selectors_pages.assessments(data, through=params.month)
    form = PerformanceFilterForm(
        initial={"month": params.month_label, "period": params.period, "group": params.group},
        contract=contract,
        groups=groups,
        month=params.month,
    )
    slice_form = SliceFilterForm(
        initial=part.query(), contract=contract, allowed=access.figure_organisations(request.user, contract)
    )
    context = {
        "contract": contract,
        "params": params,
        "part": part,
        "slice_form": slice_form,
        "slice_qs": _slice_query(part),
        "unit_dimensions": [(d, slices.DIMENSION_LABELS[d]) for d in units.dimensions(contract)],
        # A month still in progress is shown "to date" and not rated against MPL until it ends (DOMAIN 15.8).
        "to_date": data.latest_date if data.in_progress(params.month) else None,
        "form": form,
        "period_label": PERIOD_LABELS[params.period],
        "selected": grid[(params.period, params.group)],
        "flow_columns": [(name, MEASURE_LABELS[name]) for name in engine.FLOWS],
        "flow_rows": [
            {
                "group": g,
                "record": grid[(params.period, g)],
                "flows": [(name, grid[(params.period, g)][name]) for name in engine.FLOWS],
            }
            for g in groups
        ],
        "periods": [(p, PERIOD_LABELS[p]) for p in engine.PERIODS],
        "matrix_rows": [{"group": g, "cells": [(p, grid[(p, g)]) for p in engine.PERIODS]} for g in groups],
        "measured_groups": data.rules.measured_groups,
        "amber_margin": selectors_pages.amber_margin(),
        "series": series,
        "actual_chart": charts.actual_vs_required(series, params.group),
        "cohort_as_of": cohort_as_of,
        "cohorts": list(reversed(cohorts)),
        "cohort_chart": charts.cohort_curves(cohorts, params.group),
        "chart_cohorts": (charts.CHART_COHORTS, charts.CHART_COHORT_STEP),
        "projection_as_of": projection_as_of,
        "projection": [
            {**_rounded(row, PROJECTION_DECIMALS), "rag_class": CSS_CLASSES[row["rag"]]} for row in projection
        ],
        "projection_chart": charts.projection_ranges(projection, data.rules.has_quarterly_review),
        "risk_label": "PIN risk" if data.rules.has_quarterly_review else "MPL risk",
        "has_quarterly_review": data.rules.has_quarterly_review,
        "assessments": [_rounded(row, ASSESSMENT_DECIMALS) for row in assessments],
    }
    return render(request, "performance/contract_performance.html", context)


@login_required
def units_table(request, ref: str):
    """The page's "by unit" table (htmx): one row per site, organisation, key worker or DDA of the slice
    shown, for its month, period and group, each linking to the page filtered by it."""
    contract = visible_contract(request.user, ref)
    try:
        part = slices.parse_slice(request.user, contract, request.GET)
        data = selectors_pages.ContractData(contract, part)
        params = data.params(request.GET)
        by = parse_choice(
            request.GET.get("by"), units.dimensions(contract), field="by", default=units.BY_DEFAULT
        )
    except FlightpathError as error:
        return render(request, "performance/includes/units.html", {"error": error}, status=400)
    rows = units.unit_rows(
        contract,
        part,
        by=by,
        month=params.month,
        period=params.period,
        group=params.group,
        amber_margin=selectors_pages.amber_margin(),
    )
    keep = {k: v for k, v in part.query().items() if k != by}
    base = urlencode({"month": params.month_label, "period": params.period, "group": params.group, **keep})
    return render(
        request,
        "performance/includes/units.html",
        {
            "contract": contract,
            "params": params,
            "part": part,
            "by": by,
            "by_label": slices.DIMENSION_LABELS[by],
            "dimensions": [(d, slices.DIMENSION_LABELS[d]) for d in units.dimensions(contract)],
            "rows": [{**r, "rag_class": CSS_CLASSES[r["rag"]], "rag_label": LABELS[r["rag"]]} for r in rows],
            "base_query": base,
            "slice_qs": _slice_query(part),
            "period_label": PERIOD_LABELS[params.period],
        },
    )


@login_required
def figure_referrals(request, ref: str):
    """The referrals behind one figure of the performance page, computed by the functions that count it."""
    contract = visible_contract(request.user, ref)
    try:
        part = slices.parse_slice(request.user, contract, request.GET)
        data = selectors_pages.ContractData(contract, part)
        params = data.params(request.GET)
        measure = parse_choice(request.GET.get("measure"), MEASURES, field="measure")
        if measure in COHORT_MEASURES:
            cohort = request.GET.get("cohort")
            members = selectors_pages.cohort_members(data, measure=measure, group=params.group, cohort=cohort)
        elif measure in ASSESSMENT_MEASURES:
            cohort = None
            members = selectors_pages.assessment_members(data, measure=measure, params=params)
        else:
            cohort = None
            members = selectors_pages.flow_members(data, measure=measure, params=params)
    except FlightpathError as error:
        return render(
            request, "performance/figure_referrals.html", {"contract": contract, "error": error}, status=400
        )
    queryset = visible_referrals(request.user).filter(contract=contract, pk__in=list(members.counts))
    if request.GET.get("export") == "csv":
        rows = queryset.order_by("referral_date", "ref").values_list(
            "pk", *[f for _, f in REFERRAL_CSV_COLUMNS]
        )
        log_access(request, rows=rows)
        return csv_response(
            f"{contract.ref}-{measure}-{params.group}.csv",
            [name for name, _ in REFERRAL_CSV_COLUMNS] + ["times_counted"],
            ((*row[1:], members.counts[row[0]]) for row in rows.iterator(chunk_size=2000)),
        )
    table = MemberTable(queryset, counts=members.counts)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    back = request.GET.copy()
    for key in ("measure", "cohort", "export", "page", "sort"):
        back.pop(key, None)
    return render(
        request,
        "performance/figure_referrals.html",
        {
            "contract": contract,
            "params": params,
            "measure": measure,
            "measure_label": MEASURE_LABELS[measure],
            "period_label": PERIOD_LABELS[params.period],
            "cohort": cohort,
            "assessment": measure in ASSESSMENT_MEASURES,
            "members": members,
            "distinct": len(members.counts),
            "visible": table.paginator.count,
            "table": table,
            "back_query": back.urlencode(),
        },
    )
