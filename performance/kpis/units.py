"""The units of a contract a manager may raise a PIP for by hand (DOMAIN.md 11: staff, team, centre,
subcontractor or contract), limited to the units they see (performance.querysets.unit_scope) and may act
on (views.may_manage). One query per level."""

from __future__ import annotations

from django.db.models import CharField, F, Value
from django.db.models.functions import Concat

from participants.choices import Role
from participants.models import Contract, Organisation, Site, Staff, Team
from participants.querysets import name_or_ref

from ..models.kpis import PipLevel
from ..querysets import team_ref, unit_scope

# Staff a PIP is raised for: those KPIs are kept for (DOMAIN.md 11), not the managers.
RATED_ROLES = (Role.KEY_WORKER,)


def pip_units(contract: Contract, user, *, levels: set[str]) -> list[tuple[str, str, str]]:
    """(level, ref, name) of the contract's units at `levels` the user sees, contract first, then
    subcontractors, centres, teams and key workers, each by name."""
    orgs = [contract.prime_id, *contract.delivery_organisations.values_list("pk", flat=True)]
    named = name_or_ref()
    querysets = {
        PipLevel.CONTRACT: Contract.objects.filter(pk=contract.pk).annotate(shown=F("name")),
        PipLevel.ORGANISATION: Organisation.objects.filter(pk__in=orgs).annotate(shown=named),
        PipLevel.SITE: Site.objects.filter(organisation__in=orgs).annotate(shown=named),
        PipLevel.TEAM: Team.objects.filter(site__organisation__in=orgs).annotate(
            ref=team_ref(),
            shown=Concat("name", Value(" ("), name_or_ref("site"), Value(")"), output_field=CharField()),
        ),
        PipLevel.STAFF: Staff.objects.filter(organisation__in=orgs, role__in=RATED_ROLES).annotate(
            shown=named
        ),
    }
    scope = unit_scope(user)
    units = []
    for level, queryset in querysets.items():
        if level not in levels:
            continue
        # The scope is a Q over (level, ref): each candidate has a ref and carries its level.
        rows = queryset.annotate(level=Value(level, output_field=CharField()))
        if scope is not None:
            rows = rows.filter(scope)
        units += [(level, ref, shown) for ref, shown in rows.order_by("shown").values_list("ref", "shown")]
    return units
