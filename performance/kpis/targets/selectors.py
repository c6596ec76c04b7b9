"""Read paths of the KPI targets page: who may set which units' targets (`settable`), the units of a contract
at a level with the page's filters, the targets they hold in a month, and the download's rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Q, QuerySet, Value

from participants import access
from participants.access import Action
from participants.choices import Role
from participants.models import (
    Contract,
    KpiCode,
    KpiLevel,
    KpiTarget,
    Organisation,
    Referral,
    Site,
    Staff,
)
from participants.querysets import name_or_ref

from ...querysets import unit_scope

KPIS: tuple[str, ...] = tuple(KpiCode.values)  # the grid's columns and the download's, in KpiCode order
ROLE_LABELS = dict(Role.choices)


@dataclass(frozen=True)
class Settable:
    """The units whose targets a user may set on a contract: `scope` is performance.querysets.unit_scope's
    Q over `level` and `ref` (None: every unit), `levels` the levels they may choose."""

    scope: Q | None
    levels: tuple[str, ...]


def settable(user, contract: Contract) -> Settable:
    """Who may set targets (DOMAIN.md 1, 11), on a contract in the user's scope: the prime's managers
    (MANAGE_CONTRACT) every unit's; a partnerships manager (MANAGE_SUBCONTRACTORS) those of the units they
    look after, by the one rule of which units those are (unit_scope: their subcontractors, with those
    organisations' sites and staff), never the contract's own. Anyone else: PermissionDenied."""
    if access.can(user, Action.MANAGE_CONTRACT, contract, in_scope=True):
        return Settable(scope=None, levels=tuple(KpiLevel.values))
    if access.can(user, Action.MANAGE_SUBCONTRACTORS, contract, in_scope=True):
        levels = (KpiLevel.STAFF, KpiLevel.SITE, KpiLevel.ORGANISATION)
        return Settable(scope=unit_scope(user), levels=tuple(levels))
    raise PermissionDenied(
        "Only the prime's managers, and partnerships managers for their subcontractors, set KPI targets."
    )


def may_set(user, contract: Contract) -> bool:
    """For showing the link to the targets page."""
    try:
        settable(user, contract)
    except PermissionDenied:
        return False
    return True


def _scoped(rows: QuerySet, level: str, scope: Q | None) -> QuerySet:
    """The rows of a unit table (staff, sites, organisations) that `scope` admits at `level`: the table's
    rows are given the level the scope's Q asks about, so the one rule applies unchanged."""
    if scope is None:
        return rows
    return rows.annotate(level=Value(level, output_field=CharField())).filter(scope)


def delivering(contract: Contract) -> list[int]:
    """The contract's prime and delivering organisations (ids)."""
    return [contract.prime_id, *contract.delivery_organisations.values_list("pk", flat=True)]


@dataclass(frozen=True)
class Filters:
    """The STAFF grid's filters (a site, an organisation, a role) and the SITE grid's (an organisation):
    references, empty when not chosen; checked against the choices by the view."""

    site: str = ""
    organisation: str = ""
    staff_role: str = ""


def sites(contract: Contract, scope: Q | None) -> dict[str, str]:
    """ref -> name of the sites of the contract's delivering organisations the user may set."""
    rows = Site.objects.filter(organisation__in=delivering(contract))
    return dict(_scoped(rows, KpiLevel.SITE, scope).order_by("name", "ref").values_list("ref", "name"))


def organisations(contract: Contract, scope: Q | None) -> dict[str, str]:
    """ref -> name of the contract's delivering organisations the user may set."""
    rows = Organisation.objects.filter(pk__in=delivering(contract))
    return dict(_scoped(rows, KpiLevel.ORGANISATION, scope).order_by("name").values_list("ref", "name"))


def units(contract: Contract, level: str, *, scope: Q | None, filters: Filters = Filters()):
    """The units of `level` whose targets the user may set, as dicts of ref (empty for the contract, as
    kpi_targets.csv has it), name and detail (a member of staff's role and organisation, a site's
    organisation, an organisation's kind), by name: a queryset, so a page of them costs two queries."""
    if level == KpiLevel.CONTRACT:
        return [{"ref": "", "name": contract.name, "detail": contract.ref}] if scope is None else []
    orgs = delivering(contract)
    if level == KpiLevel.STAFF:
        rows = Staff.objects.filter(organisation__in=orgs)
        if filters.site:
            # At the site: given it (their own sites or their team's), or key worker of a referral of the
            # contract held there now (imported key workers have no sites of their own; performance slices).
            at_site = Q(sites__ref=filters.site) | Q(team__site__ref=filters.site)
            caseload = Referral.objects.filter(contract=contract, site__ref=filters.site).values(
                "key_worker_id"
            )
            rows = rows.filter(Q(pk__in=Staff.objects.filter(at_site).values("pk")) | Q(pk__in=caseload))
        if filters.organisation:
            rows = rows.filter(organisation__ref=filters.organisation)
        if filters.staff_role:
            rows = rows.filter(role=filters.staff_role)
        rows = _scoped(rows, level, scope).annotate(shown=name_or_ref()).order_by("shown", "ref")
        return rows.values("ref", "shown", "role", "organisation__name")
    if level == KpiLevel.SITE:
        rows = Site.objects.filter(organisation__in=orgs)
        if filters.organisation:
            rows = rows.filter(organisation__ref=filters.organisation)
        rows = _scoped(rows, level, scope).annotate(shown=name_or_ref()).order_by("shown", "ref")
        return rows.values("ref", "shown", "organisation__name")
    rows = _scoped(Organisation.objects.filter(pk__in=orgs), level, scope).order_by("name", "ref")
    return rows.values("ref", "name", "kind")


def described(level: str, row: dict) -> dict:
    """A row of `units` as the grid shows it: ref, name, detail."""
    if level == KpiLevel.STAFF:
        detail = (
            f"{ROLE_LABELS.get(row['role'], row['role'])}, {row['organisation__name'] or 'no organisation'}"
        )
        return {"ref": row["ref"], "name": row["shown"], "detail": detail}
    if level == KpiLevel.SITE:
        return {"ref": row["ref"], "name": row["shown"], "detail": row["organisation__name"]}
    if level == KpiLevel.ORGANISATION:
        return {"ref": row["ref"], "name": row["name"], "detail": Organisation.Kind(row["kind"]).label}
    return row


def settable_refs(contract: Contract, level: str, refs: list[str], scope: Q | None) -> set[str]:
    """Which of `refs` name units of `level` on the contract whose targets the user may set (the grid's
    posted cells): one query."""
    if level == KpiLevel.CONTRACT:
        return {""} & set(refs) if scope is None else set()
    found = units(contract, level, scope=scope).filter(ref__in=refs)
    return set(found.values_list("ref", flat=True))


def scoped_refs(level: str, refs: list[str], scope: Q | None) -> set[str]:
    """Which of `refs` the user may set targets for at `level` (an upload's rows): every reference when the
    scope is every unit, held or not (as the bundle allows, DATA.md); else the held units the scope admits."""
    if scope is None:
        return set(refs)
    tables = {KpiLevel.STAFF: Staff, KpiLevel.SITE: Site, KpiLevel.ORGANISATION: Organisation}
    if level not in tables:
        return set()
    rows = _scoped(tables[level].objects.filter(ref__in=refs), level, scope)
    return set(rows.values_list("ref", flat=True))


def targets(
    contract: Contract, level: str, month: date, refs: list[str] | None = None
) -> dict[tuple[str, str], Decimal]:
    """(ref, kpi) -> target of the month at `level` (of `refs` only, when given): one query."""
    rows = KpiTarget.objects.filter(contract=contract, level=level, month=month)
    if refs is not None:
        rows = rows.filter(ref__in=refs)
    return {(ref, kpi): target for ref, kpi, target in rows.values_list("ref", "kpi", "target")}


def download_rows(
    contract: Contract, level: str, month: date, *, scope: Q | None, filters: Filters
) -> Iterator[list]:
    """The download (a template to edit and upload again): kpi_targets.csv's columns, one row per unit of
    the page (every page of it) and KPI, the target empty where none is set. Two queries."""
    held = targets(contract, level, month)
    label = f"{month:%Y-%m}"
    for row in units(contract, level, scope=scope, filters=filters):
        ref = row["ref"]
        for kpi in KPIS:
            yield [contract.ref, level, ref, kpi, label, held.get((ref, kpi))]
