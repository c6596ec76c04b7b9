"""Reading recommendations (DOMAIN.md 17.6) for the regime page, the API and the timeline."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from participants.models import Contract

from ..models import Recommendation
from .timeline import Entry


def contract_recommendations(
    contract: Contract, *, status: str | None = None, kind: str | None = None
) -> QuerySet:
    queryset = Recommendation.objects.filter(contract=contract).select_related("decided_by", "decision")
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-quarter_end", "kind", "group", "pk")


def timeline_entries(contract: Contract):
    url = reverse("regimes:regime", args=[contract.ref])
    for r in Recommendation.objects.filter(contract=contract).select_related("decided_by"):
        decided = r.decided_by and (r.decided_by.get_full_name() or r.decided_by.get_username())
        yield Entry(
            on=r.created.date(),
            kind="RECOMMENDATION",
            title=r.message,
            url=url,
            detail=r.get_status_display() + (f": {r.reason}" if r.reason else ""),
            actor=decided or "",
        )
