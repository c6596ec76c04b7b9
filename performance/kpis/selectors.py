"""Read paths of the KPIs (DOMAIN.md 17.12-15): the engine's inputs straight from PostgreSQL (packed binary
columns, no row objects, in one pipeline), the ratings pages and the API read, the referrals behind an
actual, and the PIP actions a user owes (`pip_actions_due`, for the what's due page)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import psycopg
from django.db import connection, transaction
from django.db.models import QuerySet

from participants.models import (
    ActionPlanReview,
    Complaint,
    Contract,
    EligibilityCheck,
    KpiCode,
    Organisation,
    PlacementSourced,
    Referral,
    Site,
    Staff,
)
from participants.querysets import name_or_ref
from participants.workspace.selectors import workspace_config

from ..engine.months import month_first_day, month_of
from ..models import KpiDefinition, KpiRating, PipAction
from . import definitions, engine

# A KPI rating's unit is named by its reference; these tables hold the names, by level.
UNIT_MODELS = {"STAFF": Staff, "SITE": Site, "ORGANISATION": Organisation}


EMPTY_ITEMS = pd.DataFrame(
    {
        "referral_id": pd.Series(dtype=np.int64),
        "kpi": pd.Series(pd.Categorical([], categories=engine.ITEM_KPIS)),
        "date": pd.Series(dtype="datetime64[s]"),
    }
)

# Planner settings for reading most of a contract's rows, and why (see _bulk_read).
BULK_READ_SETTINGS = {"enable_indexscan": "off", "work_mem": "64MB"}
# Numbers travel packed: string_agg of int8send / int4send / int2send / float8send / timestamptz_send, one
# binary string per column (no row objects). Dates as days from 2000-01-01, timestamps as microseconds from
# its midnight UTC (PostgreSQL's own epoch).
_PG_EPOCH_US = np.datetime64("2000-01-01T00:00:00", "us")
_PG_EPOCH_DAY = int(np.datetime64("2000-01-01", "D").astype(np.int64))  # in days from 1970-01-01

_EVENTS_SQL = """
SELECT code, string_agg(int8send(referral_id), ''), string_agg(int4send(event_date - DATE '2000-01-01'), ''),
       string_agg(int2send(COALESCE(array_position(%(groups)s::text[], detail::text), 0)::int2), '')
           FILTER (WHERE code = 'PSG_CHANGED')
FROM participants_journeyevent WHERE contract_id = %(contract)s AND code = ANY(%(codes)s::text[])
GROUP BY code"""

# Every assignment of the contract's referrals; a referral without history, its current one (from 1900).
_ASSIGNMENTS_SQL = """
SELECT string_agg(int8send(r.id), ''),
       string_agg(timestamptz_send(CASE WHEN a.id IS NULL THEN TIMESTAMPTZ '1900-01-01 00:00+00'
                                        ELSE a.since END), ''),
       string_agg(int8send(CASE WHEN a.id IS NULL THEN r.organisation_id ELSE a.organisation_id END), ''),
       string_agg(int8send(COALESCE(CASE WHEN a.id IS NULL THEN r.site_id ELSE a.site_id END, 0)), ''),
       string_agg(int8send(COALESCE(CASE WHEN a.id IS NULL THEN r.key_worker_id
                                         ELSE a.key_worker_id END, 0)), '')
FROM participants_referral r LEFT JOIN participants_referralassignment a ON a.referral_id = r.id
WHERE r.contract_id = %(contract)s"""

_TARGETS_SQL = """
SELECT array_agg(level), array_agg(ref), array_agg(kpi), string_agg(int4send(month - DATE '2000-01-01'), ''),
       string_agg(float8send(target::float8), '')
FROM participants_kpitarget WHERE contract_id = %(contract)s"""


@dataclass(frozen=True)
class KpiInputs:
    contract: Contract
    credited: pd.DataFrame  # engine.credit's frame: every counted item with its unit on its date
    targets: pd.DataFrame  # level, ref, kpi, month (int), target


@contextmanager
def _bulk_read() -> Iterator[psycopg.Cursor]:
    """A psycopg cursor on Django's connection, in its transaction (a savepoint inside a caller's), planned
    for reading most of a contract's rows. No plain index scan: with fresh statistics PostgreSQL walks
    (contract, code, date) over half the events table and visits the heap at random (six times slower than a
    scan). Memory for an exact bitmap and one-batch hash joins: without statistics (after a bulk import,
    before autovacuum) it picks a bitmap that goes lossy in 4 MB and rechecks every row. The settings are
    put back after these reads."""
    with transaction.atomic():
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            names = list(BULK_READ_SETTINGS)
            held = cursor.execute(
                "SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names
            ).fetchone()
            _set_local(cursor, BULK_READ_SETTINGS)
            yield cursor
            _set_local(cursor, dict(zip(names, held, strict=True)))


def _set_local(cursor: psycopg.Cursor, settings: dict[str, str]) -> None:
    cursor.execute(
        "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(settings)),
        [value for pair in settings.items() for value in pair],
    )


def _numbers(packed: bytes | None, kind: str) -> np.ndarray:
    """One packed column (big-endian `kind`, e.g. ">i8") as a native numpy array."""
    return np.frombuffer(packed or b"", dtype=kind).astype(kind.lstrip("><"))


def _days(values: np.ndarray) -> np.ndarray:
    """Day numbers from 2000-01-01 as datetime64[s], in integer arithmetic."""
    return ((values.astype(np.int64) + _PG_EPOCH_DAY) * 86_400).view("datetime64[s]")


def _events(rows: list[tuple]) -> pd.DataFrame:
    """_EVENTS_SQL's rows as the contract's journey events of the KPI codes: referral_id, code and detail
    (Categoricals of engine.EVENT_CODES and PSG_ORDER), event_date."""
    sizes = [len(ids) // 8 for _, ids, _, _ in rows]
    codes = np.repeat(np.array([engine.EVENT_CODES.index(code) for code, *_ in rows], np.int8), sizes)
    groups = b"".join(packed or bytes(2 * size) for (*_, packed), size in zip(rows, sizes, strict=True))
    return pd.DataFrame(
        {
            "referral_id": _numbers(b"".join(ids for _, ids, _, _ in rows), ">i8"),
            "code": pd.Categorical.from_codes(codes, categories=engine.EVENT_CODES),
            "event_date": _days(_numbers(b"".join(days for _, _, days, _ in rows), ">i4")),
            "detail": pd.Categorical.from_codes(
                _numbers(groups, ">i2").astype(np.int8) - 1, categories=engine.PSG_ORDER
            ),
        },
        copy=False,
    )


def _assignments(cursor: psycopg.Cursor, packed: tuple) -> pd.DataFrame:
    """_ASSIGNMENTS_SQL's row as engine.credit's assignments: referral_id, since (the timestamp, UTC), and
    the organisation, site and key worker as Categoricals of their references ("" for none), named once per
    unit (a query each)."""
    ids, since, organisation, site, key_worker = (_numbers(value, ">i8") for value in packed)
    return pd.DataFrame(
        {
            "referral_id": ids,
            "since": _PG_EPOCH_US + since.astype("timedelta64[us]"),
            "key_worker": _references(cursor, key_worker, Staff),
            "site": _references(cursor, site, Site),
            "organisation": _references(cursor, organisation, Organisation),
        },
        copy=False,
    )


def _references(cursor: psycopg.Cursor, ids: np.ndarray, model) -> pd.Categorical:
    """Row ids of `model` (0: none) as a Categorical of their references, "" for none; categories sorted,
    so that ordering by the column orders by reference. One query for the ids held."""
    at, held = pd.factorize(ids)
    refs = dict(
        cursor.execute(
            f"SELECT id, ref FROM {model._meta.db_table} WHERE id = ANY(%s)", [held[held > 0].tolist()]
        ).fetchall()
    )
    names = np.array([refs.get(pk, "") for pk in held.tolist()], dtype=object)
    categories, codes = np.unique(names, return_inverse=True)
    return pd.Categorical.from_codes(codes[at], categories=categories)


def _records(contract_id: int, interval_months: int) -> pd.DataFrame:
    """The workspace KPIs' items (DOMAIN.md 17.12): complaints, eligibility checks, placements sourced and
    action plan reviews held on time."""
    parts = []
    for model, kpi in (
        (Complaint, "COMPLAINTS"),
        (EligibilityCheck, "ELIGIBILITY_CHECKS"),
        (PlacementSourced, "PLACEMENTS_SOURCED"),
    ):
        rows = list(model.objects.filter(referral__contract_id=contract_id).values_list("referral_id", "on"))
        parts.append(pd.DataFrame(rows, columns=["referral_id", "date"]).assign(kpi=kpi))
    reviews = pd.DataFrame(
        list(
            ActionPlanReview.objects.filter(plan__referral__contract_id=contract_id).values_list(
                "plan__referral_id", "plan__agreed_on", "reviewed_on"
            )
        ),
        columns=["referral_id", "agreed_on", "reviewed_on"],
    )
    if len(reviews):
        parts.append(engine.reviews_on_time(reviews, interval_months))
    frame = pd.concat([EMPTY_ITEMS, *(p for p in parts if len(p))], ignore_index=True)
    return frame.assign(
        kpi=pd.Categorical(frame["kpi"], categories=engine.ITEM_KPIS),
        date=pd.to_datetime(frame["date"]).astype("datetime64[s]"),
    )


def _targets(packed: tuple, contract: Contract) -> pd.DataFrame:
    """_TARGETS_SQL's row as level, ref (the contract's ref for CONTRACT), kpi, month (int months since
    1970-01), target."""
    levels, refs, kpis, months, targets = packed
    frame = pd.DataFrame(
        {
            "level": pd.Series(levels or [], dtype=str),
            "ref": pd.Series(refs or [], dtype=str),
            "kpi": pd.Series(kpis or [], dtype=str),
            "month": _days(_numbers(months, ">i4")).astype("datetime64[M]").astype(np.int64),
            "target": _numbers(targets, ">f8"),
        }
    )
    frame["ref"] = frame["ref"].where(frame["level"] != "CONTRACT", contract.ref)
    return frame


def kpi_inputs(contract: Contract) -> KpiInputs:
    """The engine's inputs of a contract. The three large reads go down one pipeline: PostgreSQL reads the
    assignments and targets while the events already received become journey items here."""
    key = {"contract": contract.pk}
    with _bulk_read() as cursor, cursor.connection.pipeline():
        events = cursor.execute(
            _EVENTS_SQL,
            {**key, "codes": list(engine.EVENT_CODES), "groups": list(engine.PSG_ORDER)},
            binary=True,
        ).fetchall()
        with psycopg.Cursor(cursor.connection) as held, psycopg.Cursor(cursor.connection) as wanted:
            held.execute(_ASSIGNMENTS_SQL, key, binary=True)
            wanted.execute(_TARGETS_SQL, key, binary=True)
            journey = engine.journey_items(_events(events))
            del events
            assignments = _assignments(cursor, held.fetchone())
            targets = _targets(wanted.fetchone(), contract)
    records = _records(contract.pk, workspace_config(contract.pk).review_interval_months)
    items = pd.concat([journey, records], ignore_index=True)
    return KpiInputs(contract=contract, credited=engine.credit(items, assignments), targets=targets)


def kpi_rules(contract: Contract) -> definitions.KpiRules:
    """The KPIs the contract's ratings judge and which are maximums: its prime's active definitions, the
    shipped set's while the prime has none yet (definitions.seed_definitions gives it those). One query."""
    rows = list(
        KpiDefinition.objects.filter(prime_id=contract.prime_id).values_list("source", "direction", "active")
    )
    return definitions.rules_of(rows) if rows else definitions.SHIPPED_RULES


def unit_names(contract: Contract, keys: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(level, ref) -> the unit's name (else its reference): one query per level."""
    names = {("CONTRACT", contract.ref): contract.name}
    for level, model in UNIT_MODELS.items():
        refs = [ref for lvl, ref in keys if lvl == level]
        if refs:
            annotated = model.objects.filter(ref__in=refs).annotate(shown=name_or_ref())
            names.update(((level, ref), shown) for ref, shown in annotated.values_list("ref", "shown"))
    return names


# ------------------------------------------------------------------------------------------------------
# Pages and the API
# ------------------------------------------------------------------------------------------------------


def rated_quarters(contract: Contract) -> list[date]:
    """The quarter ends with a rating, newest first."""
    return list(
        KpiRating.objects.filter(contract=contract)
        .order_by("-quarter_end")
        .values_list("quarter_end", flat=True)
        .distinct()
    )


def ratings(contract: Contract, user, *, quarter_end: date, level: str | None = None) -> QuerySet:
    """The ratings of a quarter the user sees, by level and reference."""
    rows = KpiRating.objects.filter(contract=contract, quarter_end=quarter_end).visible_to(user)
    if level:
        rows = rows.filter(level=level)
    return rows.order_by("level", "ref")


@dataclass(frozen=True)
class RatingRow:
    rating: KpiRating
    trend: list[KpiRating | None]  # the last four quarters, oldest first (this one last)


def ratings_with_trend(
    contract: Contract, user, *, quarter_end: date, level: str | None = None
) -> list[RatingRow]:
    """Each rating of the quarter with its unit's last four quarters: two queries."""
    current = list(ratings(contract, user, quarter_end=quarter_end, level=level))
    ends = [month_first_day(month_of(quarter_end) - 3 * k) for k in range(3, -1, -1)]
    earlier = KpiRating.objects.filter(
        contract=contract,
        quarter_end__in=ends[:-1],
        level__in={r.level for r in current},
        ref__in={r.ref for r in current},
    ).only("level", "ref", "quarter_end", "rag")
    held = {(r.level, r.ref, r.quarter_end): r for r in earlier}
    return [
        RatingRow(rating, [held.get((rating.level, rating.ref, end)) for end in ends[:-1]] + [rating])
        for rating in current
    ]


def credited_referrals(
    contract: Contract, *, level: str, ref: str, kpi: str, quarter_end: date
) -> pd.DataFrame:
    """The items behind one actual of a rating (drill-down): referral_ref, date, in the judged months
    (those with a target) of the quarter. Computed on demand by the same engine calls as the rating."""
    inputs = kpi_inputs(contract)
    end = month_of(quarter_end)
    months = inputs.targets.loc[
        (inputs.targets["level"] == level)
        & (inputs.targets["ref"] == ref)
        & (inputs.targets["kpi"] == kpi)
        & inputs.targets["month"].between(end - 2, end),
        "month",
    ]
    items = inputs.credited.loc[(inputs.credited["kpi"] == kpi) & inputs.credited["month"].isin(months)]
    if level != "CONTRACT":
        items = items.loc[items[engine.UNIT_COLUMN[level]] == ref]
    refs = dict(
        Referral.objects.filter(pk__in=items["referral_id"].unique().tolist()).values_list("pk", "ref")
    )
    return (
        pd.DataFrame({"referral_ref": items["referral_id"].map(refs), "date": items["date"].dt.date})
        .sort_values(["date", "referral_ref"])
        .reset_index(drop=True)
    )


def pip_actions_due(user) -> QuerySet:
    """The open PIP actions `user` owns on open PIPs, soonest due first, each with its PIP and contract (for
    the what's due page: one whose due_date has passed is overdue). One query."""
    rows = PipAction.objects.filter(owner=user, status=PipAction.Status.OPEN, pip__status="OPEN")
    return rows.select_related("pip", "pip__contract").order_by("due_date", "pk")


def pip_actions_open() -> QuerySet:
    """Every open PIP action on an open PIP whose owner is active and has an email, by owner then due date
    (for the daily what's-due email). One query."""
    rows = PipAction.objects.filter(
        status=PipAction.Status.OPEN, pip__status="OPEN", owner__is_active=True
    ).exclude(owner__email="")
    return rows.select_related("pip", "pip__contract", "owner").order_by("owner_id", "due_date", "pk")


@dataclass(frozen=True)
class League:
    site_ref: str
    site_name: str
    kpis: list[str]  # the columns, in KpiCode order
    rows: list[dict]  # rank, ref, name, score (None: no target), cells: [(actual, target or None)] by kpis


def leagues(
    contract: Contract, month: int, *, site_refs: set[str] | None = None, inputs: KpiInputs | None = None
) -> list[League]:
    """Scores on the doors of `month` for each site (or those of `site_refs`), by site name."""
    inputs = inputs or kpi_inputs(contract)
    rules = kpi_rules(contract)
    table = engine.league_table(
        inputs.credited, inputs.targets, month, maximum_kpis=rules.maximum, judged_kpis=rules.judged
    )
    if site_refs is not None:
        table = table.loc[table["site"].isin(list(site_refs))]
    order = [code for code in KpiCode.values if code in set(table["kpi"])]
    names = unit_names(contract, {("SITE", s) for s in table["site"]} | {("STAFF", r) for r in table["ref"]})
    result = []
    for site, rows in table.groupby("site", sort=False):
        people = []
        for (ref, rank, score), cells in rows.groupby(["ref", "rank", "score"], dropna=False, sort=False):
            by_kpi = {
                kpi: (actual, None if np.isnan(target) else target)
                for kpi, actual, target in cells[["kpi", "actual", "target"]].itertuples(
                    index=False, name=None
                )
            }
            people.append(
                {
                    "rank": int(rank),
                    "ref": ref,
                    "name": names.get(("STAFF", ref), ref),
                    "score": None if np.isnan(score) else round(float(score)),
                    "cells": [by_kpi.get(kpi, (0, None)) for kpi in order],
                }
            )
        people.sort(key=lambda person: person["rank"])
        result.append(League(site, names.get(("SITE", site), site), order, people))
    return sorted(result, key=lambda league: league.site_name)
