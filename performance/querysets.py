"""Scoping of the KPI ratings and PIPs (DOMAIN.md 1, 11): which units' (level, ref) a user sees, on a
contract they see (participants.access asks that first). Team leaders see their key workers, teams and
sites, partnerships managers their subcontractors (with those organisations' sites, teams and staff),
contract managers every unit; a key worker their own rating; anyone else the contract's rating only.
A TEAM unit's ref is the team's id (teams have no reference of their own; only PIPs are kept for teams)."""

from __future__ import annotations

from django.db import models
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from participants.choices import Role
from participants.models import Organisation, Site, Staff, Team
from participants.querysets import staff_of


def visible_sites(user):
    """The sites whose league table (scores on the doors) the user sees: a key worker's own sites, a team
    leader's sites (their organisation's when none is set), a partnerships manager's subcontractors' sites;
    None means every site (contract managers at a prime, superusers)."""
    if getattr(user, "is_superuser", False):
        return None
    staff = staff_of(user)
    if staff is None or staff.organisation is None:
        return Site.objects.none()
    if staff.role == Role.CONTRACT_MANAGER and staff.organisation.kind == Organisation.Kind.PRIME:
        return None
    own = Site.objects.filter(Q(staff=staff) | Q(teams__members=staff))
    if staff.role == Role.KEY_WORKER:
        return own
    if staff.role == Role.PARTNERSHIPS_MANAGER:
        managed = staff.managed_organisations.filter(parent=staff.organisation)
        return Site.objects.filter(organisation__in=managed.values("pk"))
    if staff.role == Role.PERFORMANCE_MANAGER:
        return own if staff.sites.exists() else Site.objects.filter(organisation=staff.organisation)
    return Site.objects.none()


def _managed_organisations(staff) -> list[int]:
    """The organisations whose units a manager looks after: a partnerships manager's subcontractors (of
    their own prime), anyone else's own organisation."""
    if staff.role == Role.PARTNERSHIPS_MANAGER:
        return list(
            staff.managed_organisations.filter(parent=staff.organisation).values_list("pk", flat=True)
        )
    return [staff.organisation.pk]


def visible_organisations(user):
    """The organisations whose ORGANISATION-level units (ratings, PIPs, subcontractor measures) the user
    sees: None means every one (contract managers at a prime, superusers)."""
    if unit_scope(user) is None:
        return None
    staff = staff_of(user)
    if staff is None or staff.organisation is None or staff.role in UNIT_BLIND:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk__in=_managed_organisations(staff))


def team_ref() -> Cast:
    """A team's unit reference (its id as text), as an SQL expression for `annotate`."""
    return Cast("pk", CharField())


# Roles that see no unit but their own rating or the contract's.
UNIT_BLIND = (Role.KEY_WORKER, Role.DWP_CONTACT, Role.CLAIMS_OFFICER)


def unit_scope(user) -> Q | None:
    """The Q over `level` and `ref` a unit must match for `user`; None means every unit."""
    if getattr(user, "is_superuser", False):
        return None
    staff = staff_of(user)
    if staff is None:
        return Q(pk__in=[])
    org = staff.organisation
    contract_level = Q(level="CONTRACT")
    if staff.role == Role.KEY_WORKER:
        return Q(level="STAFF", ref=staff.ref)
    if org is None or staff.role in UNIT_BLIND:
        return contract_level
    if staff.role == Role.CONTRACT_MANAGER and org.kind == Organisation.Kind.PRIME:
        return None
    orgs = _managed_organisations(staff)
    sites = Site.objects.filter(organisation__in=orgs)
    people = Staff.objects.filter(organisation__in=orgs)
    if staff.role == Role.PERFORMANCE_MANAGER and (
        own_sites := list(staff.sites.values_list("pk", flat=True))
    ):
        sites = sites.filter(pk__in=own_sites)
        people = people.filter(Q(sites__in=own_sites) | Q(team__site__in=own_sites))
    teams = Team.objects.filter(site__in=sites).annotate(unit_ref=team_ref()).values("unit_ref")
    scope = (
        Q(level="ORGANISATION", ref__in=Organisation.objects.filter(pk__in=orgs).values("ref"))
        | Q(level="SITE", ref__in=sites.values("ref"))
        | Q(level="TEAM", ref__in=teams)
        | Q(level="STAFF", ref__in=people.values("ref"))
    )
    if staff.role == Role.PERFORMANCE_MANAGER and org.kind == Organisation.Kind.PRIME:
        scope |= contract_level
    return scope


class UnitQuerySet(models.QuerySet):
    """KPI ratings and PIPs: rows of units the user sees."""

    def visible_to(self, user) -> UnitQuerySet:
        scope = unit_scope(user)
        return self if scope is None else self.filter(scope)
