"""Read paths of the KPIs (DOMAIN.md 17.12-15): the engine's inputs straight from PostgreSQL (binary arrays,
no row objects), the ratings pages and the API read, the referrals behind an actual, and the PIP actions a
user owes (`pip_actions_due`, for the what's due page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from django.db.models import FloatField, QuerySet
from django.db.models.functions import Cast

from participants.models import (
    ActionPlanReview,
    Complaint,
    Contract,
    EligibilityCheck,
    KpiCode,
    KpiTarget,
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
from ..selectors.figures import _PG_EPOCH, _copy_binary
from . import definitions, engine

# A KPI rating's unit is named by its reference; these tables hold the names, by level.
UNIT_MODELS = {"STAFF": Staff, "SITE": Site, "ORGANISATION": Organisation}


EMPTY_ITEMS = pd.DataFrame(
    {
        "referral_id": pd.Series(dtype=np.int64),
        "kpi": pd.Series(dtype=object),
        "date": pd.Series(dtype="datetime64[s]"),
    }
)


@dataclass(frozen=True)
class KpiInputs:
    contract: Contract
    credited: pd.DataFrame  # engine.credit's frame: every counted item with its unit on its date
    targets: pd.DataFrame  # level, ref, kpi, month (int), target


def _days(values: np.ndarray) -> np.ndarray:
    return (_PG_EPOCH + values.astype(np.int64)).astype("datetime64[s]")


def _events(contract_id: int) -> pd.DataFrame:
    codes = ", ".join(f"'{code}'" for code in engine.EVENT_CODES)
    psg = ", ".join(f"'{group}'" for group in engine.PSG_ORDER)
    rows = _copy_binary(
        f"SELECT referral_id, array_position(ARRAY[{codes}]::text[], code::text)::int2, event_date, "
        f"COALESCE(array_position(ARRAY[{psg}]::text[], detail::text), 0)::int2 "
        f"FROM participants_journeyevent WHERE contract_id = {int(contract_id)} AND code IN ({codes})",
        [("id", ">i8"), ("code", ">i2"), ("day", ">i4"), ("psg", ">i2")],
    )
    return pd.DataFrame(
        {
            "referral_id": rows["id"].astype(np.int64),
            "code": pd.Categorical.from_codes(
                rows["code"].astype(np.int64) - 1, categories=engine.EVENT_CODES
            ),
            "event_date": _days(rows["day"]),
            "detail": pd.Categorical.from_codes(
                rows["psg"].astype(np.int64) - 1, categories=engine.PSG_ORDER
            ),
        }
    )


def _assignments(contract_id: int) -> pd.DataFrame:
    """Every assignment of the contract's referrals, and the current one of a referral without history."""
    contract_id = int(contract_id)
    rows = _copy_binary(
        "SELECT a.referral_id, a.since::date, a.organisation_id, COALESCE(a.site_id, 0), "
        "COALESCE(a.key_worker_id, 0) FROM participants_referralassignment a "
        f"JOIN participants_referral r ON r.id = a.referral_id WHERE r.contract_id = {contract_id} "
        "UNION ALL SELECT r.id, DATE '1900-01-01', r.organisation_id, COALESCE(r.site_id, 0), "
        f"COALESCE(r.key_worker_id, 0) FROM participants_referral r WHERE r.contract_id = {contract_id} "
        "AND NOT EXISTS (SELECT 1 FROM participants_referralassignment a WHERE a.referral_id = r.id)",
        [("id", ">i8"), ("day", ">i4"), ("org", ">i8"), ("site", ">i8"), ("staff", ">i8")],
    )
    frame = pd.DataFrame({"referral_id": rows["id"].astype(np.int64), "since": _days(rows["day"])})
    for column, key, model in (
        ("organisation", "org", Organisation),
        ("site", "site", Site),
        ("key_worker", "staff", Staff),
    ):
        ids = rows[key].astype(np.int64)
        wanted = np.unique(ids[ids > 0])
        refs = (
            dict(model.objects.filter(pk__in=wanted.tolist()).values_list("pk", "ref")) if len(wanted) else {}
        )
        frame[column] = pd.Series(ids).map(refs).fillna("").to_numpy()
    return frame


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
    return frame.assign(date=pd.to_datetime(frame["date"]).astype("datetime64[s]"))


def targets_frame(contract: Contract) -> pd.DataFrame:
    """level, ref (the contract's ref for CONTRACT), kpi, month (int months since 1970-01), target."""
    rows = (
        KpiTarget.objects.filter(contract=contract)
        .annotate(value=Cast("target", FloatField()))
        .values_list("level", "ref", "kpi", "month", "value")
    )
    frame = pd.DataFrame(list(rows), columns=["level", "ref", "kpi", "month", "target"])
    frame["ref"] = frame["ref"].where(frame["level"] != "CONTRACT", contract.ref)
    days = pd.to_datetime(frame["month"]).to_numpy().astype("datetime64[M]")
    frame["month"] = days.astype(np.int64)
    frame["target"] = frame["target"].astype(float)
    return frame


def kpi_inputs(contract: Contract) -> KpiInputs:
    journey = engine.journey_items(_events(contract.pk))
    records = _records(contract.pk, workspace_config(contract.pk).review_interval_months)
    items = pd.concat([journey, records], ignore_index=True)
    return KpiInputs(
        contract=contract,
        credited=engine.credit(items, _assignments(contract.pk)),
        targets=targets_frame(contract),
    )


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
