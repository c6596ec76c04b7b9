"""Reading issue notices: a contract's list, one notice, and their part of the contract timeline."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from participants.models import Contract

from ..models import IssueNotice
from .timeline import Entry


def contract_notices(contract: Contract) -> QuerySet[IssueNotice]:
    """The contract's notices, newest first, with their email and author (no query per row); the contract's
    DWP contacts prefetched for the recipients of the drafts."""
    return (
        IssueNotice.objects.filter(contract=contract)
        .select_related("message", "created_by", "contract__prime")
        .prefetch_related("contract__dwp_contacts")
    )


def notice_of(contract: Contract, pk: int) -> IssueNotice:
    """One notice of the contract (404 for any other)."""
    return get_object_or_404(contract_notices(contract), pk=pk)


def timeline_entries(contract: Contract) -> Iterator[Entry]:
    """Each notice on the day it was written, with its state and, once sent, when."""
    for notice in IssueNotice.objects.filter(contract=contract).select_related("message", "created_by"):
        detail = notice.get_state_display()
        if notice.message_id and notice.message.sent_at:
            detail += f" {timezone.localtime(notice.message.sent_at):%d %b %Y %H:%M}"
        elif notice.state == IssueNotice.State.DRAFT:
            detail += f", due by {notice.due_by:%d %b %Y}"
        yield Entry(
            on=timezone.localdate(notice.created_at),
            kind="NOTICE",
            title=f"{notice.get_urgency_display()} issue notice: {notice.summary}",
            url=reverse("regimes:notice", kwargs={"ref": contract.ref, "pk": notice.pk}),
            detail=detail,
            actor=author(notice),
        )


def author(notice: IssueNotice) -> str:
    user = notice.created_by
    return (user.get_full_name() or user.username) if user else ""
