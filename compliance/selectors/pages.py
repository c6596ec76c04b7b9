"""Read paths of the compliance pages: the standards table with RAG and trend, failing items with names, and
the due-soon worklist. They call selectors.standards and compliance.engine; no rule is computed here
(STYLE.md: one place per rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import pandas as pd
from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from participants.calendar import calendar_for
from participants.journey import ALL, rounded
from participants.models import Contract, Referral, Site, Staff
from participants.querysets import name_or_ref

from ..engine import BACKLOG_MAX, BACKLOG_SHARE, DEADLINE, MET, NOT_MET, StandardFigures
from ..filtersets import FailingItemFilters, matching
from ..models import Standard, StandardSnapshot
from .standards import (
    StandardsQuery,
    compute_for_contract,
    contract_standards,
    failing_items,
    figures_from_snapshot,
    standards_figures,
    standards_frames,
)

TREND_MONTHS = 12
RAG_CLASSES = {MET: "rag-green", NOT_MET: "rag-red", None: "rag-grey"}
RAG_LABELS = {MET: "Met", NOT_MET: "Not met", None: "No figure"}
MEASURE_LABELS = {DEADLINE: "Deadline", BACKLOG_SHARE: "Backlog share", BACKLOG_MAX: "Backlog maximum"}


def due_soon_default_days() -> int:
    """The due-soon horizon in working days (brief: default 3), a setting."""
    return int(getattr(settings, "FLIGHTPATH_DUE_SOON_WORKING_DAYS", 3))


def figure_value(figures: StandardFigures) -> float | None:
    """The one number a standard is judged on (DOMAIN.md 9): % met, backlog %, or the count over the limit."""
    if figures.measure == DEADLINE:
        return figures.compliance_pct
    if figures.measure == BACKLOG_SHARE:
        return figures.backlog_pct
    return None if figures.over_limit is None else float(figures.over_limit)


@dataclass(frozen=True)
class StandardRow:
    """One line of the standards page: the engine's figures with the RAG the status maps to (15.3: grey)."""

    figures: StandardFigures
    name: str
    own_pk: int | None = None  # a contract's own (tender) standard: its id, for the edit link

    @property
    def rag_class(self) -> str:
        return RAG_CLASSES[self.figures.status]

    @property
    def rag_label(self) -> str:
        return RAG_LABELS[self.figures.status]

    @property
    def value(self) -> float | None:
        return figure_value(self.figures)

    @property
    def failing(self) -> int | None:
        f = self.figures
        if f.measure == DEADLINE:
            return None if f.eligible is None else f.eligible - f.met
        return f.backlog if f.measure == BACKLOG_SHARE else f.over_limit

    @property
    def measure_label(self) -> str:
        return MEASURE_LABELS[self.figures.measure]

    @property
    def unit(self) -> str:
        return "" if self.figures.measure == BACKLOG_MAX else "%"

    @property
    def target_text(self) -> str:
        f = self.figures
        if f.measure == DEADLINE:
            return f">= {f.target:g}%"
        if f.measure == BACKLOG_SHARE:
            return f"<= {f.target:g}%"
        return f"<= {int(f.target)} referrals"


def standard_rows(contract: Contract, figures: list[StandardFigures]) -> list[StandardRow]:
    by_code = {s.code: s for s in contract_standards(contract)}
    rows = []
    for f in figures:  # standards, not referrals
        standard = by_code.get(f.code)
        own = standard is not None and standard.contract_id == contract.pk
        rows.append(
            StandardRow(
                figures=f, name=standard.name if standard else "", own_pk=standard.pk if own else None
            )
        )
    return rows


def default_as_of(contract: Contract) -> date | None:
    """The latest snapshot date of the contract (the standards page's default as-of)."""
    return (
        StandardSnapshot.objects.filter(contract=contract, group=ALL)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )


def standing(contract: Contract) -> tuple[date | None, list[StandardRow]]:
    """The contract overview's panel: every standard for ALL at the latest snapshot date, with its RAG;
    (None, []) before the recompute job's first run."""
    as_of = default_as_of(contract)
    if as_of is None:
        return None, []
    return as_of, standard_rows(contract, standards_figures(contract, StandardsQuery(as_of=as_of)))


def trend_month_ends(as_of: date, months: int = TREND_MONTHS) -> list[date]:
    """The last `months` calendar month ends on or before `as_of`, oldest first."""
    last = pd.Timestamp(as_of) + pd.offsets.MonthEnd(0)
    if last.date() > as_of:
        last -= pd.offsets.MonthEnd(1)
    return [d.date() for d in pd.date_range(end=last, periods=months, freq="ME")]


def standards_trend(contract: Contract, *, as_of: date, group: str = ALL) -> pd.DataFrame:
    """Each standard's figure at the last twelve month ends (columns month_end, code, value, status): one
    query for the snapshots, and one engine call per month end that has none (the frames loaded once)."""
    standards = contract_standards(contract)
    ends = [d for d in trend_month_ends(as_of) if d >= contract.start_date]
    rows: list[dict] = []
    snaps = StandardSnapshot.objects.filter(
        contract=contract, group=group, as_of__in=ends, standard__in=[s.pk for s in standards]
    ).select_related("standard")
    held: dict[date, list[StandardFigures]] = {}
    for snap in snaps:
        held.setdefault(snap.as_of, []).append(figures_from_snapshot(snap))
    frames = None
    for end in ends:
        figures = held.get(end)
        if figures is None or len(figures) != len(standards):
            frames = frames or standards_frames(contract, standards)
            figures = compute_for_contract(
                contract, as_of=end, standards=standards, frames=frames
            ).results_for(group)
        rows += [
            {"month_end": end, "code": f.code, "value": figure_value(f), "status": f.status} for f in figures
        ]
    return pd.DataFrame(rows, columns=["month_end", "code", "value", "status"])


FAILING_ITEM_NAMES = {"site_name": name_or_ref("site"), "key_worker_name": name_or_ref("key_worker")}


def failing_item_rows(
    contract: Contract,
    standard: Standard,
    query: StandardsQuery,
    *,
    user,
    filters: FailingItemFilters,
) -> QuerySet | list[dict]:
    """The failing items (standards.failing_items, scoped to `user`) narrowed by the filters (their one
    meaning: FailingItemFilters.lookups), with site and key worker names and the participant id for links.
    A queryset from a snapshot (filtered and paged in SQL), else a list (filtered by `matching`)."""
    items = failing_items(contract, standard, query, user=user)
    lookups = filters.lookups(contract)
    if isinstance(items, QuerySet):
        items = items.filter(**lookups)
        return items.values(
            *items._fields, participant_id=F("referral__participant_id"), **FAILING_ITEM_NAMES
        )
    if not items:
        return []
    keep = matching(pd.DataFrame(items, columns=list(items[0])), lookups)
    return with_display_names([items[i] for i in np.flatnonzero(keep)])


def with_display_names(rows: list[dict]) -> list[dict]:
    """Rows with `site_name`, `key_worker_name` and `participant_id` added: three queries for all rows."""
    sites = dict(
        Site.objects.filter(pk__in={r["site_id"] for r in rows if r["site_id"] is not None}).values_list(
            "pk", name_or_ref()
        )
    )
    staff = dict(
        Staff.objects.filter(
            pk__in={r["key_worker_id"] for r in rows if r["key_worker_id"] is not None}
        ).values_list("pk", name_or_ref())
    )
    participants = dict(
        Referral.objects.filter(pk__in={r["referral_id"] for r in rows}).values_list("pk", "participant_id")
    )
    return [
        {
            **r,
            "site_name": sites.get(r["site_id"], ""),
            "key_worker_name": staff.get(r["key_worker_id"], ""),
            "participant_id": participants.get(r["referral_id"]),
        }
        for r in rows
    ]


# Due soon ----------------------------------------------------------------------------------------------

DUE_SOON_COLUMNS = [
    "contract_ref",
    "code",
    "referral_id",
    "referral_ref",
    "group",
    "site_id",
    "key_worker_id",
    "start_date",
    "deadline",
    "age_working_days",
    "working_days_left",
    "late",
]


def due_soon_frame(
    contract: Contract, *, today: date, days: int, only: list[int] | None = None
) -> pd.DataFrame:
    """Open items of the contract's deadline standards (DOMAIN.md 9) as at `today` whose deadline falls within
    the next `days` working days or has passed (DUE_SOON_COLUMNS, by deadline then referral reference).

    No rule here: the engine is asked for the failures as at the horizon (today + `days` working days,
    DOMAIN.md 3) with only the events held today, over items started up to today. An item still open today
    with a deadline up to the horizon is exactly such a failure with no end date. With `only` (referral
    ids, e.g. one caseload) the engine sees just those referrals: items are per referral, so they agree.
    """
    calendar = calendar_for(contract.nation)
    standards = [s for s in contract_standards(contract) if s.measure == DEADLINE]
    if not standards or today < contract.start_date:
        return pd.DataFrame(columns=DUE_SOON_COLUMNS)
    horizon = calendar.deadline(np.datetime64(today, "D"), days).astype(object)
    referrals, events = standards_frames(contract, standards)
    if only is not None:
        referrals = referrals[referrals["referral_id"].isin(only)]
        events = events[events["referral_id"].isin(only)]
    events = events[events["event_date"].to_numpy(dtype="datetime64[D]") <= np.datetime64(today, "D")]
    result = compute_for_contract(
        contract, as_of=horizon, standards=standards, window_end=today, frames=(referrals, events)
    )
    failures = result.failures
    failures = failures[failures["end_date"].isna()].copy()
    at = np.datetime64(today, "D")
    deadline = failures["deadline"].to_numpy(dtype="datetime64[D]")
    start = failures["start_date"].to_numpy(dtype="datetime64[D]")
    # DOMAIN.md 3: age = working days in [start, today); days left = working days from today to the deadline.
    failures["age_working_days"] = calendar.age(start, np.full(len(start), at))
    failures["working_days_left"] = np.where(
        deadline >= at, calendar.age(np.full(len(deadline), at), deadline), -calendar.age(deadline, at)
    )
    failures["late"] = deadline < at
    failures["contract_ref"] = contract.ref
    return failures.sort_values(["deadline", "referral_ref"], kind="stable")[DUE_SOON_COLUMNS].reset_index(
        drop=True
    )


@dataclass(frozen=True)
class DueSoonFilters:
    days: int
    key_worker: int | None = None
    site: int | None = None
    organisation: int | None = None
    contract: str | None = None
    state: str = ""  # "due": not yet late; "late": deadline passed; empty: both


def due_soon_for_contracts(
    contracts, *, today: date, days: int, only: QuerySet | None = None
) -> pd.DataFrame:
    """The due-soon items of several contracts in one frame (one engine call per contract); with `only` (a
    small referral queryset, e.g. a caseload) the engine computes just those referrals."""
    ids = (
        None
        if only is None
        else pd.DataFrame(list(only.values_list("contract_id", "pk")), columns=["c", "r"])
    )
    frames = [
        due_soon_frame(
            c, today=today, days=days, only=None if ids is None else ids.loc[ids["c"] == c.pk, "r"].tolist()
        )
        for c in contracts
    ]
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=DUE_SOON_COLUMNS)


def due_soon_rows(items: pd.DataFrame, referrals: QuerySet) -> list[dict]:
    """The items whose referral is in `referrals` (already scoped with visible_to), as dicts with the
    participant, organisation, site and key worker names: one query for all rows."""
    if items.empty:
        return []
    info = pd.DataFrame(
        list(
            referrals.filter(pk__in=items["referral_id"].astype(int).tolist()).values(
                "pk",
                "participant_id",
                "organisation_id",
                organisation_name=F("organisation__name"),
                site_name=name_or_ref("site"),
                key_worker_name=name_or_ref("key_worker"),
            )
        ),
        columns=[
            "pk",
            "participant_id",
            "organisation_id",
            "organisation_name",
            "site_name",
            "key_worker_name",
        ],
    )
    rows = items.merge(info, left_on="referral_id", right_on="pk", how="inner").drop(columns="pk")
    rows = rows.sort_values(["deadline", "referral_ref", "code"], kind="stable")
    for column in ("start_date", "deadline"):
        rows[column] = pd.to_datetime(rows[column]).dt.date
    return rows.astype(object).where(rows.notna(), None).to_dict("records")


def due_soon_items(user, *, today: date, filters: DueSoonFilters) -> list[dict]:
    """The due-soon worklist over every contract the user may see, limited to the referrals they may see
    (a key worker: their caseload), narrowed by the filters; rows carry site, key worker, organisation."""
    contracts = Contract.objects.visible_to(user).select_related("programme").order_by("ref")
    if filters.contract:
        contracts = contracts.filter(ref=filters.contract)
    visible = Referral.objects.visible_to(user)
    if filters.key_worker:
        visible = visible.filter(key_worker_id=filters.key_worker)
    if filters.site:
        visible = visible.filter(site_id=filters.site)
    if filters.organisation:
        visible = visible.filter(organisation_id=filters.organisation)
    # One key worker's list (the caseload panel): compute only their referrals.
    only = visible if filters.key_worker else None
    items = due_soon_for_contracts(contracts, today=today, days=filters.days, only=only)
    if filters.state:
        items = items[items["late"] == (filters.state == "late")]
    return due_soon_rows(items, visible)


def group_due_soon(rows: list[dict], by: str) -> list[tuple[str, list[dict]]]:
    """The worklist grouped by `key_worker_name`, `site_name` or `organisation_name` (empty: "Unassigned")."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row.get(by) or "Unassigned", []).append(row)
    return sorted(groups.items())


# Assurance records (DOMAIN.md 13) --------------------------------------------------------------------------

WEAK_RATINGS = ("WEAK", "LIMITED")  # worst first: a later one at the same index or lower is no better


def sample_population(
    contract: Contract,
    *,
    period_start: date,
    period_end: date,
    group: str | None = None,
    organisation: str | None = None,
) -> QuerySet:
    """A CMO sample's population: the contract's referrals dated in the period, optionally one group and one
    delivering organisation (by ref)."""
    population = Referral.objects.filter(contract=contract, referral_date__range=(period_start, period_end))
    if group:
        population = population.filter(group=group)
    if organisation:
        population = population.filter(organisation__ref=organisation)
    return population


@dataclass(frozen=True)
class SampleErrors:
    """DOMAIN.md 13: error rate = failed / sampled, extrapolated to the population it was drawn from. Only
    the records the CMO has checked count: while the check is under way the rate is failed / checked (an
    unchecked record is not a pass), shown as "checked k of n"; with every record checked it is failed /
    sampled."""

    sampled: int
    checked: int
    failed: int
    population: int

    @property
    def error_rate(self) -> float | None:
        return None if not self.checked else self.failed / self.checked

    @property
    def error_pct(self) -> float | None:
        return None if not self.checked else rounded(Fraction(100 * self.failed, self.checked))

    @property
    def extrapolated_errors(self) -> float | None:
        return None if self.error_rate is None else round(self.error_rate * self.population, 1)


def sample_errors(sample) -> SampleErrors:
    """The sample's error figures from its CMO results (one aggregate query)."""
    counts = sample.records.aggregate(
        sampled=Count("pk"),
        checked=Count("pk", filter=~Q(cmo_result="")),
        failed=Count("pk", filter=Q(cmo_result="FAIL")),
    )
    return SampleErrors(population=sample.population_size, **counts)


def export_lead_days() -> int:
    """seeds/003 para 39: the sample reaches the provider 5 days before the check (a setting)."""
    return int(getattr(settings, "FLIGHTPATH_CMO_EXPORT_LEAD_DAYS", 5))


def export_available_from(sample) -> date:
    return sample.check_date - timedelta(days=export_lead_days())


def pat_flags(ratings, *, today: date) -> dict[int, str]:
    """DOMAIN.md 13, the one place of the rule. A weak or limited PAT rating is flagged when it follows a
    weak or limited one and is the same or worse, with a reason in common ("repeated for the same reasons";
    an improvement is not a repeat), or when it is the third weak or limited rating in a row. Any rating is
    flagged when its agreed action plan's due date was missed: done after it, or not done by `today`.
    Returns {rating pk: why} for the flagged ones."""
    ordered = sorted(ratings, key=lambda r: (r.date, r.pk))
    flags: dict[int, str] = {}
    run = 0
    previous = None
    for rating in ordered:
        weak = rating.rating in WEAK_RATINGS
        run = run + 1 if weak else 0
        reasons: list[str] = []
        if weak and previous is not None and previous.rating in WEAK_RATINGS:
            no_better = WEAK_RATINGS.index(rating.rating) <= WEAK_RATINGS.index(previous.rating)
            shared = sorted(set(rating.reasons) & set(previous.reasons))
            if shared and no_better:
                reasons.append("repeated for the same reasons: " + ", ".join(shared))
        if run >= 3:
            reasons.append(f"weak or limited {run} times in a row")
        due, done = rating.due_date, rating.action_plan_done_on
        if due is not None and ((done is None and due < today) or (done is not None and done > due)):
            reasons.append(f"action plan due {due:%d %b %Y} " + ("done late" if done else "not done"))
        if reasons:
            flags[rating.pk] = "; ".join(reasons)
        previous = rating
    return flags
