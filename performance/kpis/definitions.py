"""A prime's KPI definitions (DOMAIN.md 11, issue 12), shared by all its contracts: the shipped set each
prime is given, the one rule a set keeps, the write paths of the definitions page and its reads.

The rule: the active definitions of one source agree on its direction, since a target is kept per unit and
source (participants.KpiTarget), not per role. What the ratings take from a set (which sources are judged,
which of them are maximums) is `KpiRules`, read by `selectors.kpi_rules` and passed to the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from participants.errors import FlightpathError
from participants.jobs import enqueue_recompute
from participants.models import KpiCode, Organisation

from ..models import KpiDefinition

# The KPIs of DOMAIN.md 11 (seed 001) per role: (role, name, source, direction). Migration 0008 holds a
# frozen copy of this list. Only COMPLAINTS is a maximum (17.13).
SHIPPED = (
    ("KEY_WORKER", "Job starts", "JOB_STARTS", "MINIMUM"),
    ("KEY_WORKER", "Job outcomes", "JOB_OUTCOMES", "MINIMUM"),
    ("KEY_WORKER", "Sustainments", "SUSTAINMENTS", "MINIMUM"),
    ("KEY_WORKER", "Action plan reviews on time", "AP_REVIEWS_ON_TIME", "MINIMUM"),
    ("KEY_WORKER", "Peer support group progress", "PSG_PROGRESS", "MINIMUM"),
    ("KEY_WORKER", "Complaints", "COMPLAINTS", "MAXIMUM"),
    ("ENGAGEMENT_OFFICER", "Starts", "STARTS", "MINIMUM"),
    ("ENGAGEMENT_OFFICER", "Eligibility checks", "ELIGIBILITY_CHECKS", "MINIMUM"),
    ("EMPLOYER_ACCOUNT_MANAGER", "Job starts", "JOB_STARTS", "MINIMUM"),
    ("EMPLOYER_ACCOUNT_MANAGER", "Placements sourced", "PLACEMENTS_SOURCED", "MINIMUM"),
    # A subcontractor is held to the prime's KPIs (DOMAIN.md 11).
    ("SUBCONTRACTOR", "Starts", "STARTS", "MINIMUM"),
    ("SUBCONTRACTOR", "Job starts", "JOB_STARTS", "MINIMUM"),
    ("SUBCONTRACTOR", "Job outcomes", "JOB_OUTCOMES", "MINIMUM"),
    ("SUBCONTRACTOR", "Sustainments", "SUSTAINMENTS", "MINIMUM"),
    ("SUBCONTRACTOR", "Earnings starts", "EARNINGS_STARTS", "MINIMUM"),
)
SHIPPED_REASON = "The shipped KPI definitions"
RECOMPUTE_TASK = "performance.tasks.recompute_kpis"  # by name: the task module imports the services
FIELDS = ("name", "applies_to", "source", "direction", "active")
MAXIMUM = KpiDefinition.Direction.MAXIMUM


@dataclass(frozen=True)
class KpiRules:
    """What the ratings take from a prime's definitions: the sources judged (those with an active
    definition; any other source's targets are ignored) and, of those, the maximums."""

    judged: frozenset[str]
    maximum: frozenset[str]


def rules_of(rows: Iterable[tuple[str, str, bool]]) -> KpiRules:
    """KpiRules of a set of definitions given as (source, direction, active)."""
    active = [(source, direction) for source, direction, is_active in rows if is_active]
    return KpiRules(
        judged=frozenset(source for source, _ in active),
        maximum=frozenset(source for source, direction in active if direction == MAXIMUM),
    )


SHIPPED_RULES = rules_of((source, direction, True) for _, _, source, direction in SHIPPED)


# Write paths ------------------------------------------------------------------------------------------------


def _lock(prime: Organisation) -> None:
    """One change of a prime's set at a time: its seeding, or a check and save of one definition."""
    Organisation.objects.select_for_update().filter(pk=prime.pk).values_list("pk").get()


@transaction.atomic
def seed_definitions(*, prime: Organisation) -> int:
    """Give a prime that has no KPI definitions the shipped set, each with its first history row; a prime
    with any (even all inactive) keeps its own. Idempotent. Returns how many were created. Called by the
    KPI recompute and the definitions page; the ratings read the shipped set already for a prime with none
    (`selectors.kpi_rules`), so seeding changes no rating."""
    _lock(prime)
    if KpiDefinition.objects.filter(prime=prime).exists():
        return 0
    rows = [
        KpiDefinition(prime=prime, applies_to=role, name=name, source=source, direction=direction)
        for role, name, source, direction in SHIPPED
    ]
    return len(bulk_create_with_history(rows, KpiDefinition, default_change_reason=SHIPPED_REASON))


def check_definition(definition: KpiDefinition) -> None:
    """The rules of a prime's set, for a definition about to be saved: one definition per role and source;
    an active one agrees in direction with the other active definitions of its source."""
    others = KpiDefinition.objects.filter(prime_id=definition.prime_id, source=definition.source).exclude(
        pk=definition.pk
    )
    source = KpiCode(definition.source).label
    role = KpiDefinition.AppliesTo(definition.applies_to).label.lower()
    same_role = others.filter(applies_to=definition.applies_to).first()
    if same_role is not None:
        raise FlightpathError(
            f"the {role} KPIs already read {source} (\u201c{same_role.name}\u201d): edit that one instead.",
            field="source",
        )
    if not definition.active:
        return
    disagreeing = list(others.filter(active=True).exclude(direction=definition.direction))
    if disagreeing:
        held = disagreeing[0].get_direction_display().split(" (")[0].lower()
        names = ", ".join(str(other) for other in disagreeing)
        raise FlightpathError(
            f"{source} is a {held} in the prime's other active KPIs ({names}). A target is kept per unit "
            f"and source, not per role, so every active KPI reading {source} has one direction: change "
            "those first, or save this one as inactive.",
            field="direction",
        )


@transaction.atomic
def save_definition(*, prime: Organisation, definition: KpiDefinition) -> KpiDefinition:
    """Add or change one of a prime's KPI definitions (the history records who, through the request), then
    queue the KPI ratings of every contract of the prime, which all share the set. An edit that changes
    nothing is not saved again."""
    _lock(prime)
    definition.prime = prime
    if definition.pk:
        stored = KpiDefinition.objects.filter(pk=definition.pk, prime=prime).values(*FIELDS).get()
        if stored == {name: getattr(definition, name) for name in FIELDS}:
            return definition
    try:
        definition.full_clean(exclude=["prime"])
    except ValidationError as error:  # the form checked these already: a caller that did not
        field, messages = next(iter(error.message_dict.items()))
        raise FlightpathError(messages[0], field=None if field == "__all__" else field) from error
    check_definition(definition)
    definition.save()
    contracts = prime.contracts.values_list("pk", flat=True)
    enqueue_recompute({pk: None for pk in contracts}, tasks=[RECOMPUTE_TASK])
    return definition


# Reads of the definitions page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleDefinitions:
    role: str
    label: str
    definitions: list[KpiDefinition]


def definitions_by_role(prime: Organisation) -> list[RoleDefinitions]:
    """The prime's definitions in the roles' order (DOMAIN.md 11), each role's by name. One query."""
    held: dict[str, list[KpiDefinition]] = {}
    for definition in KpiDefinition.objects.filter(prime=prime).order_by("name", "pk"):
        held.setdefault(definition.applies_to, []).append(definition)
    return [
        RoleDefinitions(role, label, held[role])
        for role, label in KpiDefinition.AppliesTo.choices
        if role in held
    ]


@dataclass(frozen=True)
class Change:
    when: dt.datetime
    by: str
    definition: str
    what: str
    reason: str


LABELS = {"name": "Name", "applies_to": "Role", "source": "Computed from", "direction": "Direction"}


def _shown(field: str, value) -> str:
    if field == "active":
        return "yes" if value else "no"
    if field == "direction":
        return "Maximum" if value == MAXIMUM else "Minimum"
    if field == "applies_to":
        return str(KpiDefinition.AppliesTo(value).label)
    if field == "source":
        return str(KpiCode(value).label)
    return str(value)


def _what(row, before) -> str:
    if before is None or row.history_type == "+":
        return "Added: " + ", ".join(
            f"{LABELS.get(f, 'Active')}: {_shown(f, getattr(row, f))}" for f in FIELDS[1:]
        )
    moved = [
        f"{LABELS.get(f, 'Active')}: {_shown(f, getattr(before, f))} \u2192 {_shown(f, getattr(row, f))}"
        for f in FIELDS
        if getattr(before, f) != getattr(row, f)
    ]
    return "; ".join(moved) or "Saved without a change"


def history(
    prime: Organisation, *, definition: KpiDefinition | None = None, limit: int = 100
) -> list[Change]:
    """What changed in the prime's definitions (or one of them), newest first, each change against the
    version before it; on the prime's list the shipped set, added at once, is one change. One query (a
    prime has tens of history rows, not thousands)."""
    rows = KpiDefinition.history.filter(prime=prime).select_related("history_user")
    if definition is not None:
        rows = rows.filter(id=definition.pk)
    previous: dict[int, object] = {}
    changes: list[Change] = []
    shipped: list[Change] = []
    for row in rows.order_by("history_date", "history_id"):
        user = row.history_user
        change = Change(
            when=row.history_date,
            by=(user.get_full_name() or user.get_username()) if user else "Flightpath",
            definition=f"{_shown('applies_to', row.applies_to)}: {row.name}",
            what=_what(row, previous.get(row.id)),
            reason=row.history_change_reason or "",
        )
        previous[row.id] = row
        if definition is None and row.history_type == "+" and change.reason == SHIPPED_REASON:
            if not shipped:
                changes.append(change)  # replaced below by the whole set's change
            shipped.append(change)
            continue
        changes.append(change)
    if shipped:
        first = shipped[0]
        whole = Change(first.when, first.by, "Every role", f"Added: {len(shipped)} KPIs", SHIPPED_REASON)
        changes = [whole if change is first else change for change in changes]
    return changes[::-1][:limit]
