"""A slice of a contract's figures (issues 12 and 13): its referrals at one site, of one delivering
organisation, of one key worker or in one Devolution Deal Area, and never beyond the organisations the user
may see (participants.access.figure_organisations). A referral is credited to the unit of its current
assignment (Referral.organisation / site / key_worker as held now, docs/decisions.md).

The slice is applied where the frames are read (selectors.figures.engine_frames: a WHERE on the contract's
referrals and their events), so the engine counts the slice's referrals exactly as it counts the contract's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from participants import access
from participants.models import Contract, Organisation, Site, Staff
from participants.params import parse_member
from participants.querysets import name_or_ref

DIMENSIONS = ("site", "organisation", "key_worker", "dda")
DIMENSION_LABELS = {
    "site": "Site",
    "organisation": "Organisation",
    "key_worker": "Key worker",
    "dda": "Devolution Deal Area",
}


@dataclass(frozen=True)
class Unit:
    """A chosen unit: its id (a DDA: its position in the contract's list), reference and name."""

    pk: int
    ref: str
    name: str


@dataclass(frozen=True)
class Slice:
    """The units chosen (at most one per dimension) and the organisations the user is limited to (None:
    every organisation). `whole` when it is the whole contract: the figures DWP judges, from snapshots."""

    site: Unit | None = None
    organisation: Unit | None = None
    key_worker: Unit | None = None
    dda: Unit | None = None
    allowed: frozenset[int] | None = None
    allowed_names: tuple[str, ...] = ()

    @property
    def whole(self) -> bool:
        return self.allowed is None and not any(self.chosen())

    def chosen(self) -> list[tuple[str, Unit]]:
        return [(d, getattr(self, d)) for d in DIMENSIONS if getattr(self, d) is not None]

    @property
    def label(self) -> str:
        """What the page says it shows: "Site: Leeds Central"; "Organisations: A, B" for a scope alone."""
        parts = [f"{DIMENSION_LABELS[d]}: {unit.name}" for d, unit in self.chosen()]
        if not parts and self.allowed is not None:
            noun = "Organisation" if len(self.allowed_names) == 1 else "Organisations"
            parts.append(f"{noun}: {', '.join(self.allowed_names) or 'none'}")
        return "; ".join(parts) or "Whole contract"

    def query(self) -> dict[str, str]:
        """The slice's query-string parameters (for links that keep it)."""
        return {d: unit.ref for d, unit in self.chosen()}

    def where(self) -> str:
        """The SQL condition on participants_referral (ids and the DDA's quoted name only, never raw input):
        empty for the whole contract."""
        terms = []
        if self.organisation is not None:
            terms.append(f"organisation_id = {int(self.organisation.pk)}")
        if self.site is not None:
            terms.append(f"site_id = {int(self.site.pk)}")
        if self.key_worker is not None:
            terms.append(f"key_worker_id = {int(self.key_worker.pk)}")
        if self.dda is not None:
            terms.append("dda = '{}'".format(self.dda.ref.replace("'", "''")))
        if self.allowed is not None:
            ids = ", ".join(str(int(pk)) for pk in sorted(self.allowed)) or "NULL"
            terms.append(f"organisation_id IN ({ids})")
        return " AND ".join(terms)


def _delivering(contract: Contract) -> list[int]:
    return [contract.prime_id, *contract.delivery_organisations.values_list("pk", flat=True)]


def parse_slice(user, contract: Contract, query) -> Slice:
    """The slice a request asks for (`site`, `organisation`, `key_worker` by reference, `dda` by name), within
    what the user may see. A reference the contract does not have is a 400 naming the field (FlightpathError);
    one of an organisation outside the user's figures is a 404. One query per parameter given."""
    allowed = access.figure_organisations(user, contract)
    delivering = (
        _delivering(contract) if any(query.get(d) for d in ("site", "organisation", "key_worker")) else []
    )
    units: dict[str, Unit] = {}
    owners: dict[str, int] = {}
    lookups = {
        "site": (Site.objects.filter(organisation__in=delivering), "organisation_id", "site"),
        "organisation": (Organisation.objects.filter(pk__in=delivering), "pk", "delivering organisation"),
        "key_worker": (Staff.objects.filter(organisation__in=delivering), "organisation_id", "key worker"),
    }
    for dimension, (queryset, owner, kind) in lookups.items():
        value = query.get(dimension)
        if not value:
            continue
        rows = {
            ref: (Unit(pk=pk, ref=ref, name=name), org)
            for pk, ref, name, org in queryset.filter(ref=value)
            .annotate(shown=name_or_ref())
            .values_list("pk", "ref", "shown", owner)
        }
        found = parse_member(value, field=dimension, members=rows, kind=kind, of=contract.ref)
        units[dimension], owners[dimension] = found
    ddas = {name: Unit(pk=i, ref=name, name=name) for i, name in enumerate(contract.devolution_deal_areas)}
    dda = parse_member(
        query.get("dda"), field="dda", members=ddas, kind="devolution deal area", of=contract.ref
    )
    if allowed is not None and any(org not in allowed for org in owners.values()):
        raise Http404("Not found.")
    names: tuple[str, ...] = ()
    if allowed is not None and "organisation" not in units:
        names = tuple(
            Organisation.objects.filter(pk__in=allowed).order_by("name").values_list("name", flat=True)
        )
    return Slice(dda=dda, allowed=allowed, allowed_names=names, **units)
