"""Read paths of the participants app, including the frames the engines compute on.

Frame schemas (the engines rely on these names and dtypes):
- referrals: referral_id (int64), referral_ref (str), participant_id (int64), referral_date (datetime64),
  group (str), organisation_id (int64), site_id (float64, NaN when none), key_worker_id (float64, NaN when none)
- events: referral_id (int64), code (str), event_date (datetime64), amount (float64), detail (str)
"""

from __future__ import annotations

import io

import pandas as pd
from django.db import connection

REFERRAL_COLUMNS = ["referral_id", "referral_ref", "participant_id", "referral_date", "group",
                    "organisation_id", "site_id", "key_worker_id"]
EVENT_COLUMNS = ["referral_id", "code", "event_date", "amount", "detail"]

_REFERRALS_SQL = (
    'SELECT id AS referral_id, ref AS referral_ref, participant_id, referral_date, "group", organisation_id, '
    "site_id, key_worker_id FROM participants_referral WHERE contract_id = {contract_id} ORDER BY id"
)
_EVENTS_SQL = (
    "SELECT referral_id, code, event_date, amount, detail FROM participants_journeyevent "
    "WHERE contract_id = {contract_id} ORDER BY referral_id, event_date, id"
)


def _frame(sql: str, columns: list[str], dates: list[str]) -> pd.DataFrame:
    """Run `sql` and return a DataFrame; on PostgreSQL through COPY ... TO STDOUT (CSV), the fast path."""
    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
        buffer.seek(0)
        frame = pd.read_csv(buffer, names=columns, header=None, keep_default_na=False, na_values=[""],
                            dtype={"referral_ref": str, "group": str, "code": str, "detail": str})
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            frame = pd.DataFrame(cursor.fetchall(), columns=columns)
    for column in dates:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    if "detail" in frame:
        frame["detail"] = frame["detail"].fillna("").astype(str)
    if "amount" in frame:
        frame["amount"] = pd.to_numeric(frame["amount"]).astype("float64")
    return frame


def contract_frames(contract_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(referrals, events) of one contract, every event held."""
    referrals = _frame(_REFERRALS_SQL.format(contract_id=int(contract_id)), REFERRAL_COLUMNS, ["referral_date"])
    events = _frame(_EVENTS_SQL.format(contract_id=int(contract_id)), EVENT_COLUMNS, ["event_date"])
    for column in ("site_id", "key_worker_id"):
        referrals[column] = referrals[column].astype("float64")
    return referrals, events


def visible_referrals(user):
    """Referrals a user may see, with what lists show, stage included (one query with joins)."""
    from .models import Referral

    return (
        Referral.objects.visible_to(user)
        .select_related("contract", "participant", "organisation", "site", "key_worker")
        .with_stage()
    )


def visible_contracts(user):
    from django.db.models import Count

    from .models import Contract

    return (
        Contract.objects.visible_to(user)
        .select_related("programme", "prime")
        .annotate(referral_count=Count("referrals", distinct=True))
        .order_by("ref")
    )


def contract_summary(contract) -> dict:
    """What the contract page shows beside the contract itself: referrals by group and the latest runs."""
    from django.db.models import Count

    from .models import ImportRun, JobRun, Referral

    by_group = dict(
        Referral.objects.filter(contract=contract).values_list("group").annotate(n=Count("id")).order_by("group")
    )
    groups = [(group, by_group.get(group, 0)) for group in contract.programme.groups]
    return {
        "groups": groups,
        "referral_total": sum(by_group.values()),
        "event_total": contract.events.count(),
        "latest_imports": ImportRun.objects.filter(contract_refs__contains=[contract.ref])[:5],
        "latest_jobs": JobRun.objects.filter(contract=contract)[:5],
        "organisations": contract.delivery_organisations.order_by("kind", "name"),
    }


def participant_timeline(participant, user):
    """The participant's visible referrals, each with its events (oldest first) and assignment history."""
    from django.db.models import Prefetch

    from .models import JourneyEvent, ReferralAssignment

    return list(
        visible_referrals(user)
        .filter(participant=participant)
        .prefetch_related(
            Prefetch("events", queryset=JourneyEvent.objects.order_by("event_date", "id")),
            Prefetch(
                "assignments",
                queryset=ReferralAssignment.objects.select_related("organisation", "site", "key_worker"),
            ),
        )
        .order_by("referral_date")
    )
