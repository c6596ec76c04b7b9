"""Reading obligations (DOMAIN.md 17.7): what's due per person and per contract, OPEN / DONE / OVERDUE,
and who owns a new one."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from participants.choices import Role
from participants.models import Contract, Staff

from ..models import Obligation
from .timeline import Entry

STATUSES = ("OPEN", "DONE", "OVERDUE")


def provider_owner(contract: Contract):
    """The prime's contract manager who owns what the provider owes: the first by user id (one row has one
    owner); the contract's what's-due page shows every row to all of them."""
    staff = (
        Staff.objects.filter(
            role=Role.CONTRACT_MANAGER,
            organisation_id=contract.prime_id,
            user__isnull=False,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id")
        .first()
    )
    return staff.user if staff else None


def dwp_owner(contract: Contract, decider=None):
    """DWP's own milestones (EPR review and end, remedy end): the deciding DWP contact, else the first
    one named on the contract."""
    return decider or contract.dwp_contacts.order_by("pk").first()


def with_status(queryset: QuerySet, status: str | None) -> QuerySet:
    """Filter by the shown status: OVERDUE is OPEN past its due date, OPEN here is OPEN and not overdue."""
    today = timezone.localdate()
    if status == "OVERDUE":
        return queryset.filter(status=Obligation.Status.OPEN, due_date__lt=today)
    if status == "OPEN":
        return queryset.filter(status=Obligation.Status.OPEN, due_date__gte=today)
    if status == "DONE":
        return queryset.filter(status=Obligation.Status.DONE)
    return queryset


def contract_obligations(
    contract: Contract, *, status: str | None = None, kind: str | None = None
) -> QuerySet:
    queryset = Obligation.objects.filter(contract=contract).select_related("owner")
    if kind:
        queryset = queryset.filter(kind=kind)
    return with_status(queryset, status).order_by("due_date", "pk")


def owner_obligations(user, *, status: str | None = None, kind: str | None = None) -> QuerySet:
    """The user's own obligations, on contracts they still see."""
    queryset = Obligation.objects.filter(
        owner=user, contract__in=Contract.objects.visible_to(user)
    ).select_related("contract", "owner")
    if kind:
        queryset = queryset.filter(kind=kind)
    return with_status(queryset, status).order_by("due_date", "pk")


def open_obligations_due(day) -> QuerySet:
    """Every OPEN obligation with an owner, for the daily email (the owner's, by owner)."""
    return (
        Obligation.objects.filter(status=Obligation.Status.OPEN, owner__isnull=False, owner__is_active=True)
        .exclude(Q(owner__email="") | Q(owner__email__isnull=True))
        .select_related("contract", "owner")
        .order_by("owner_id", "due_date", "pk")
    )


def timeline_entries(contract: Contract):
    url = reverse("regimes:due-contract", args=[contract.ref])
    for o in Obligation.objects.filter(contract=contract).select_related("owner"):
        owner = (o.owner.get_full_name() or o.owner.get_username()) if o.owner else ""
        yield Entry(
            on=o.due_date,
            kind="OBLIGATION",
            title=f"{o.get_kind_display()} ({o.source})",
            url=url,
            detail=o.display_status.title() + (f", done {o.done_on:%d %b %Y}" if o.done_on else ""),
            actor=owner,
        )
