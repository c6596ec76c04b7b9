"""Read paths of CPRs, their Contract Assessment Report and deep dives (DOMAIN.md 10, 17.9)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse

from participants.models import Contract

from ..models import ActionPoint, Cpr, DeepDive
from .timeline import Entry


def cprs_of(contract: Contract) -> list[Cpr]:
    return list(Cpr.objects.filter(contract=contract))


def cpr_of(contract: Contract, pk: int) -> Cpr:
    return get_object_or_404(
        Cpr.objects.select_related("contract__programme", "contract__prime"), contract=contract, pk=pk
    )


def deep_dives_of(contract: Contract) -> list[DeepDive]:
    return list(DeepDive.objects.filter(contract=contract))


def deep_dive_of(contract: Contract, pk: int) -> DeepDive:
    return get_object_or_404(DeepDive.objects.select_related("contract__prime"), contract=contract, pk=pk)


def car_action_points(cpr: Cpr) -> tuple[list[ActionPoint], list[ActionPoint]]:
    """(raised at this CPR, carried from earlier ones) for its Contract Assessment Report (DOMAIN.md 17.9):
    an earlier CPR's point is carried while it is open, and shows once more, done, on the first CPR after
    it was done (so the report says it was closed). One query."""
    points = list(
        ActionPoint.objects.filter(cpr__contract_id=cpr.contract_id, cpr__month__lte=cpr.month)
        .filter(Q(cpr=cpr) | Q(status=ActionPoint.Status.OPEN) | Q(done_on__gte=_previous_meeting(cpr)))
        .select_related("cpr")
        .order_by("due_date", "pk")
    )
    raised = [p for p in points if p.cpr_id == cpr.pk]
    carried = [p for p in points if p.cpr_id != cpr.pk]
    return raised, carried


def _previous_meeting(cpr: Cpr):
    previous = (
        Cpr.objects.filter(contract_id=cpr.contract_id, month__lt=cpr.month)
        .order_by("-month")
        .values_list("meeting_on", flat=True)
        .first()
    )
    return previous or cpr.meeting_on


def timeline_entries(contract: Contract) -> Iterable[Entry]:
    """Each CPR (held or planned) and each deep dive or go-look-see."""
    for cpr in cprs_of(contract):
        yield Entry(
            cpr.held_on or cpr.meeting_on,
            "CPR",
            f"CPR {cpr.month:%B %Y} {'held' if cpr.held_on else 'planned'}",
            reverse("regimes:cpr", args=[contract.ref, cpr.pk]),
            cpr.assessment[:200],
        )
    for dive in deep_dives_of(contract):
        yield Entry(
            dive.visit_on,
            "DEEP_DIVE",
            f"{dive.get_kind_display()}: {dive.subject}",
            reverse("regimes:deep-dive", args=[contract.ref, dive.pk]),
            dive.outcome[:200],
        )
