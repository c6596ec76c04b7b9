"""Read paths of the participants app, including the frames the engines compute on.

Frame schemas (the engines rely on these names and dtypes):
- referrals: referral_id (int64), referral_ref (str), participant_id (int64), referral_date (datetime64),
  group (str), organisation_id (int64), site_id and key_worker_id (float64, NaN when none)
- events: referral_id (int64), code (str), event_date (datetime64), amount (float64), detail (str)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd
import psycopg
from django.db import connection
from django.db.models import Count, IntegerField, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from .models import Contract, ImportRun, JobRun, JourneyEvent, Referral

# (frame column, table column, kind).
_REFERRAL_FIELDS = [
    ("referral_id", "id", "int"),
    ("referral_ref", "ref", "str"),
    ("participant_id", "participant_id", "int"),
    ("referral_date", "referral_date", "date"),
    ("group", '"group"', "str"),
    ("organisation_id", "organisation_id", "int"),
    ("site_id", "site_id", "float"),
    ("key_worker_id", "key_worker_id", "float"),
]
_EVENT_FIELDS = [
    ("referral_id", "referral_id", "int"),
    ("code", "code", "str"),
    ("event_date", "event_date", "date"),
    ("amount", "amount", "float"),
    ("detail", "detail", "str"),
]
REFERRAL_COLUMNS = [name for name, _, _ in _REFERRAL_FIELDS]
EVENT_COLUMNS = [name for name, _, _ in _EVENT_FIELDS]
# Dates travel as day numbers since 1970-01-01 (no Python date objects), amounts as floats.
_PG_EXPRESSION = {"date": "{} - DATE '1970-01-01'", "float": "{}::float8", "int": "{}", "str": "{}"}


def _column(values, kind: str):
    if kind == "int":
        return np.asarray(values, dtype="int64")
    if kind == "float":
        return np.array(values, dtype="float64")  # None -> NaN
    if kind == "date":
        return np.asarray(values, dtype="int64").astype("datetime64[D]").astype("datetime64[s]")
    return pd.array(["" if v is None else v for v in values], dtype="str")


def _contract_frame(
    table: str, fields: list[tuple[str, str, str]], contract_id: int, codes: list[str] | None = None
) -> pd.DataFrame:
    """One table's rows of a contract as a DataFrame.

    The rows come back as one row of arrays in binary: a few large messages instead of one per row, which
    is what makes loading a million events take seconds rather than tens of seconds."""
    where, params = f"FROM {table} WHERE contract_id = %s", [contract_id]
    if codes is not None:
        where += " AND code IN (" + ", ".join(["%s"] * len(codes)) + ")" if codes else " AND FALSE"
        params += list(codes)
    connection.ensure_connection()
    exprs = [_PG_EXPRESSION[kind].format(column) for _, column, kind in fields]
    sql = "SELECT " + ", ".join(f"array_agg({expr})" for expr in exprs) + " " + where
    with psycopg.Cursor(connection.connection) as cursor:  # same connection: the caller's transaction
        cursor.execute(sql, params, binary=True)
        arrays = [values or [] for values in cursor.fetchone()]
    return pd.DataFrame(
        {name: _column(values, kind) for (name, _, kind), values in zip(fields, arrays, strict=True)}
    )


def contract_frames(
    contract_id: int, *, codes: Iterable[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(referrals, events) of one contract; referrals by id, events by referral and date. Every event held,
    or only those with the given codes (an engine that reads a few codes loads a fraction of the rows)."""
    referrals = _contract_frame("participants_referral", _REFERRAL_FIELDS, int(contract_id))
    referrals = referrals.sort_values("referral_id", kind="stable", ignore_index=True)
    wanted = None if codes is None else sorted(set(codes))
    events = _contract_frame("participants_journeyevent", _EVENT_FIELDS, int(contract_id), wanted)
    events = events.sort_values(["referral_id", "event_date"], kind="stable", ignore_index=True)
    return referrals, events


def visible_referrals(user):
    """Referrals a user may see, with what lists show, stage included (one query with joins)."""
    return (
        Referral.objects.visible_to(user)
        .select_related("contract", "participant", "organisation", "site", "key_worker")
        .with_stage()
    )


def visible_contracts(user):
    """The user's contracts with their referral counts, each counted on its own (a correlated count over
    the referral table's contract index, not a join of every referral grouped back to its contract)."""
    counts = (
        Referral.objects.filter(contract=OuterRef("pk")).order_by().values("contract").annotate(n=Count("*"))
    )
    return (
        Contract.objects.visible_to(user)
        .select_related("programme", "prime")
        .annotate(referral_count=Coalesce(Subquery(counts.values("n"), output_field=IntegerField()), 0))
        .order_by("ref")
    )


def contract_summary(contract) -> dict:
    """What the contract page shows beside the contract itself: referrals by group and the latest runs."""
    by_group = dict(
        Referral.objects.filter(contract=contract)
        .values_list("group")
        .annotate(n=Count("id"))
        .order_by("group")
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


def visible_contract(user, ref: str) -> Contract:
    """The contract `ref` with its programme and prime, for pages and the API; Http404 when it does not
    exist or is outside the user's scope (DATA.md: the same answer, so a caller learns nothing)."""
    return get_object_or_404(Contract.objects.visible_to(user).select_related("programme", "prime"), ref=ref)


def latest_data_date(contract_id: int) -> date | None:
    """The latest referral or event date held for the contract (DOMAIN.md 15.8): two indexed lookups."""
    dates = [
        Referral.objects.filter(contract_id=contract_id).aggregate(d=Max("referral_date"))["d"],
        JourneyEvent.objects.filter(contract_id=contract_id).aggregate(d=Max("event_date"))["d"],
    ]
    dates = [d for d in dates if d is not None]
    return max(dates) if dates else None
