"""Read paths of the subcontractor ladder: its steps in order, the KPI figures a step snapshots, and the
contract timeline's part (SOURCES in regimes/selectors/timeline.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from participants.models import Contract, Organisation
from performance.models import KpiRating

from ..models import SubcontractorMeasure
from .timeline import Entry


def ladder(contract: Contract, organisation: Organisation) -> list[SubcontractorMeasure]:
    return list(
        SubcontractorMeasure.objects.filter(contract=contract, organisation=organisation)
        .select_related("recorded_by")
        .order_by("taken_on", "step", "pk")
    )


def recent_ratings(contract: Contract, organisation: Organisation, quarters: int = 4) -> list[KpiRating]:
    """The subcontractor's last `quarters` KPI ratings, newest first."""
    rows = KpiRating.objects.filter(contract=contract, level="ORGANISATION", ref=organisation.ref)
    return list(rows.order_by("-quarter_end")[:quarters])


def figures_of(contract: Contract, organisation: Organisation) -> dict:
    """The JSON snapshot a step keeps: the subcontractor's last four KPI ratings with their KPI tables."""
    return {
        "ratings": [
            {"quarter_end": f"{r.quarter_end:%Y-%m}", "rag": r.rag, "kpis": r.kpis}
            for r in recent_ratings(contract, organisation)
        ]
    }


def timeline_entries(contract: Contract) -> Iterable[Entry]:
    for measure in SubcontractorMeasure.objects.filter(contract=contract).select_related(
        "organisation", "recorded_by"
    ):
        yield Entry(
            on=measure.taken_on,
            kind="SUBCONTRACTOR_MEASURE",
            title=f"{measure.organisation}: {measure.get_step_display()}",
            url=reverse("regimes:subcontractor-measures", args=[contract.ref, measure.organisation_id]),
            detail=measure.reason,
            actor=str(measure.recorded_by or ""),
        )
