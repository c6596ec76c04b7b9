"""Scoping: every queryset that reaches a user goes through `visible_to(user)` (STYLE.md, NetBox `restrict`).

- superusers see everything;
- a DWP contact sees the contracts they are named on, read-only;
- a key worker sees their own caseload;
- a team leader / performance manager sees their sites (their organisation when no site is set);
- a partnerships manager sees their organisation and the subcontractors assigned to them
  (`Staff.managed_organisations`), not every subcontractor of the prime;
- a contract manager or claims officer at a prime sees the prime's whole contracts;
- subcontractor staff never see beyond their own organisation.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, NullIf

# Roles and stages come from a module without models: the models import this one.
from .choices import Role, Stage


def staff_of(user):
    """The user's Staff record, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff
    except models.ObjectDoesNotExist:
        return None


def name_or_ref(relation: str = "") -> Coalesce:
    """How staff and sites are named on every page and export, as an SQL expression for `annotate` or
    `values`: the name, else the reference (imported key workers often arrive with a reference only).
    `relation` reaches a related row ("site", "key_worker"); empty, the row itself."""
    prefix = f"{relation}__" if relation else ""
    return Coalesce(NullIf(models.F(f"{prefix}name"), models.Value("")), models.F(f"{prefix}ref"))


def _referral_scope(user) -> Q | None:
    """The Q a referral must match for `user`; None means everything, Q(pk__in=[]) nothing."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    staff = staff_of(user)
    if staff is None:
        return Q(pk__in=[])
    if staff.role == Role.DWP_CONTACT:
        return Q(contract__in=user.dwp_contracts.values("pk"))
    org = staff.organisation
    if org is None:
        return Q(pk__in=[])
    if staff.role == Role.KEY_WORKER:
        return Q(key_worker=staff)
    own_org = Q(organisation=org)
    if staff.role == Role.PERFORMANCE_MANAGER:
        site_ids = list(staff.sites.values_list("pk", flat=True))
        return own_org & Q(site__in=site_ids) if site_ids else own_org
    if org.kind == org.Kind.SUBCONTRACTOR:
        return own_org
    if staff.role == Role.PARTNERSHIPS_MANAGER:
        # The subcontractors assigned to them (DOMAIN.md 1), never another prime's even if misassigned.
        managed = staff.managed_organisations.filter(parent=org).values("pk")
        return own_org | Q(organisation__in=managed)
    return Q(contract__prime=org)


SEARCH_IDS = 100_000  # beyond this many matching participants the search's participants are a subquery
NAME_SEARCH_MIN = 3  # a trigram index finds substrings of three characters or more
# Checked in order: the first event code a referral has decides its stage.
STAGE_BY_EVENT = [
    ("EXITED", Stage.EXITED),
    ("JOB_OUTCOME", Stage.JOB_OUTCOME),
    ("JOB_START", Stage.IN_WORK),
    ("STARTED", Stage.STARTED),
    ("DID_NOT_START", Stage.DID_NOT_START),
    ("FAILED_TO_ATTEND", Stage.FAILED_TO_ATTEND),
]


class AnyOf(models.Lookup):
    """`column = ANY(array)` for a list of ids: one array parameter, not an IN list of as many parameters
    (each adapted by Django and psycopg, then parsed by PostgreSQL). The planner estimates it from the
    array's length, answers it from an index on the column (alone or in a BitmapOr) or, in a filter, tests
    each row against a hash of the array. The array is cast to the column's own type: a bigint column
    against the int4[] psycopg sends for small ids is compared element by element, without the hash."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        db_type = self.lhs.output_field.cast_db_type(connection)
        # The array's text form as one string: psycopg dumps a list element by element, in Python.
        array = "{" + ",".join(map(str, map(int, self.rhs))) + "}"
        return f"{lhs} = ANY(%s::{db_type}[])", [*params, array]


class ReferralQuerySet(models.QuerySet):
    def with_stage(self) -> ReferralQuerySet:
        """Annotate `stage` (a Stage value) from the referral's events, in SQL, so lists can sort on it.

        One correlated subquery over the referral's own events (an index probe on referral_id): a page of
        fifty referrals costs fifty probes however many are held. (Six EXISTS tests instead let PostgreSQL
        plan hashed subplans that scan every event of a code first: 1.5 s a page at a million referrals.)"""
        events = self.model._meta.get_field("events").related_model.objects
        has = {
            f"has_{code.lower()}": models.Max(
                models.Case(
                    models.When(code=code, then=models.Value(1)),
                    default=models.Value(0),
                    output_field=models.IntegerField(),
                )
            )
            for code, _ in STAGE_BY_EVENT
        }
        stage = models.Case(
            *[
                models.When(**{f"has_{code.lower()}": 1}, then=models.Value(stage))
                for code, stage in STAGE_BY_EVENT
            ],
            default=models.Value(Stage.REFERRED),
            output_field=models.CharField(),
        )
        derived = (
            events.filter(referral=models.OuterRef("pk"))
            .order_by()
            .values("referral")
            .annotate(**has)
            .annotate(stage=stage)
            .values("stage")
        )
        return self.annotate(
            stage=Coalesce(
                models.Subquery(derived, output_field=models.CharField()), models.Value(Stage.REFERRED)
            )
        )

    def search(self, value: str) -> ReferralQuerySet:
        """Referrals whose reference, or whose participant's, begins with `value`, any case, or whose
        participant's name holds `value` anywhere, any case and accent ("khan", "jose" finds José): prefix
        lookups on the references (the indexes of migration 0006) and, from NAME_SEARCH_MIN characters, a
        substring of the generated `search_name` (its trigram index, migration 0010).

        The matching participants are fetched first, in one query, and reach the referrals as one array
        (`AnyOf`), so PostgreSQL knows how many there are: for a rare name it ORs two index lookups (the
        reference prefix, the participant ids); for a common one a page walks the list's order (the
        referral date index, migration 0013) testing each referral against a hash of the array until the
        page is full. As a subquery, the name guessed at twice its participants and every referral was
        scanned, a count of the matches too (issue 13, docs/decisions.md). Beyond SEARCH_IDS participants
        (a prefix of thousands of references) they stay a subquery."""
        participants = self.model._meta.get_field("participant").related_model.objects
        matching = Q(ref__istartswith=value)
        if len(value) >= NAME_SEARCH_MIN:
            matching |= Q(search_name__contains=models.Func(models.Value(value), function="fp_search_text"))
        people = participants.filter(matching).order_by().values_list("pk", flat=True)
        ids = list(people[: SEARCH_IDS + 1])
        found = Q(ref__istartswith=value)
        if len(ids) > SEARCH_IDS:
            found |= Q(participant__in=people)
        elif ids:
            found |= AnyOf(models.F("participant_id"), ids)
        return self.filter(found)

    def visible_to(self, user) -> ReferralQuerySet:
        scope = _referral_scope(user)
        if scope is None:
            return self
        return self.filter(scope)


class ParticipantQuerySet(models.QuerySet):
    def visible_to(self, user) -> ParticipantQuerySet:
        if getattr(user, "is_superuser", False):
            return self
        referrals = self.model._meta.get_field("referrals").related_model.objects
        return self.filter(pk__in=referrals.visible_to(user).values("participant_id"))


class ContractQuerySet(models.QuerySet):
    def with_regime(self) -> ContractQuerySet:
        """Annotate `regime` (DOMAIN.md 17.1): `EPR` while the contract has an open EPR, else `PMR`. It is
        derived from the regimes app's recorded decisions; its EPR table is reached by name (as tasks are
        enqueued by name), so this app imports nothing from the app above it. One correlated EXISTS, no
        query per row."""
        from django.apps import apps

        open_epr = apps.get_model("regimes", "Epr").objects.filter(
            contract=models.OuterRef("pk"), status="OPEN"
        )
        return self.annotate(
            regime=models.Case(
                models.When(models.Exists(open_epr), then=models.Value("EPR")),
                default=models.Value("PMR"),
                output_field=models.CharField(),
            )
        )

    def visible_to(self, user) -> ContractQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        staff = staff_of(user)
        if staff is None:
            return self.none()
        if staff.role == Role.DWP_CONTACT:
            return self.filter(pk__in=user.dwp_contracts.values("pk"))
        if staff.organisation_id is None:
            return self.none()
        through = self.model.delivery_organisations.through
        delivered = through.objects.filter(organisation_id=staff.organisation_id).values("contract_id")
        return self.filter(Q(prime_id=staff.organisation_id) | Q(pk__in=delivered))


class ImportRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportRunQuerySet:
        """The imports a user started, and at a prime every import all of whose contracts are the prime's
        (an import's errors quote the rows of every organisation in it, so never a subcontractor's staff or
        another prime's); superusers: every import."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        started = Q(user=user)
        staff = staff_of(user)
        organisation = staff.organisation if staff is not None else None
        at_a_prime = organisation is not None and organisation.kind == organisation.Kind.PRIME
        if not at_a_prime or staff.role == Role.DWP_CONTACT:
            return self.filter(started)
        refs = list(organisation.contracts.values_list("ref", flat=True))
        return self.filter(started | (Q(contract_refs__contained_by=refs) & ~Q(contract_refs=[])))
