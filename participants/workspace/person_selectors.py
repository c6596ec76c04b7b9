"""Reads of the person's records (issue 13): the jobs a user may act on, hours of support and expenditure
per participant, and their totals per contract and delivery organisation for managers. Scoped by
`visible_to`; each a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404

from ..models import Contract, JobDetail, Participant, Referral, SupportRecord

HOURS = Q(kind=SupportRecord.Kind.HOURS)
SPEND = Q(kind=SupportRecord.Kind.EXPENDITURE)
ZERO = Decimal(0)


def visible_job(user, pk: int) -> JobDetail:
    """One job of a referral the user may see (404 otherwise), with its referral and contract."""
    return get_object_or_404(
        JobDetail.objects.filter(referral__in=Referral.objects.visible_to(user)).select_related(
            "referral__contract", "referral__participant"
        ),
        pk=pk,
    )


def _totals(queryset) -> dict:
    totals = queryset.aggregate(
        hours=Sum("hours", filter=HOURS, default=ZERO),
        spend=Sum("amount", filter=SPEND, default=ZERO),
        records=Count("pk"),
    )
    return totals


def participant_support_totals(participant: Participant, user) -> dict:
    """Hours and spend over the participant's referrals the user may see: one aggregate query."""
    return _totals(
        SupportRecord.objects.filter(
            referral__in=Referral.objects.visible_to(user).filter(participant=participant)
        )
    )


def participant_support(participant: Participant, user):
    """The participant's support records the user may see, newest first, with their referral and author."""
    return (
        SupportRecord.objects.filter(
            referral__in=Referral.objects.visible_to(user).filter(participant=participant)
        )
        .select_related("referral", "recorded_by")
        .order_by("-on_date", "-id")
    )


def contract_support(contract: Contract, user, *, start: dt.date | None, end: dt.date | None) -> dict:
    """A contract's hours of support and expenditure over the referrals the user may see, dated from `start`
    to `end` (either open): per delivery organisation and category (two grouped queries) and in all."""
    records = SupportRecord.objects.filter(
        referral__in=Referral.objects.visible_to(user).filter(contract=contract)
    )
    if start:
        records = records.filter(on_date__gte=start)
    if end:
        records = records.filter(on_date__lte=end)
    sums = {
        "hours": Sum("hours", filter=HOURS, default=ZERO),
        "spend": Sum("amount", filter=SPEND, default=ZERO),
        "participants": Count("referral__participant", distinct=True),
        "records": Count("pk"),
    }
    organisations = list(
        records.order_by()
        .values("referral__organisation__ref", "referral__organisation__name")
        .annotate(**sums)
        .order_by("referral__organisation__name")
    )
    categories = list(
        records.order_by().values("kind", "category").annotate(**sums).order_by("kind", "category")
    )
    labels = dict(SupportRecord.Category.choices)
    for row in categories:
        row["label"] = labels[row["category"]]
    total = records.aggregate(**sums)
    for rows in (organisations, [total]):
        for row in rows:
            row["spend_per_participant"] = row["spend"] / row["participants"] if row["participants"] else ZERO
            row["hours_per_participant"] = row["hours"] / row["participants"] if row["participants"] else ZERO
    return {"organisations": organisations, "categories": categories, "total": total}
