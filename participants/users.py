"""Logins and their staff profiles (DOMAIN.md 1): `add_user`, which `manage.py add_user` is thin over
(DATA.md "Command line")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from .errors import FlightpathError
from .models import Contract, Organisation, Role, Site, Staff
from .querysets import staff_of
from .roles import group_for


@dataclass
class AddedUser:
    user: AbstractUser
    staff: Staff
    created: bool
    contracts: list[Contract]


@transaction.atomic
def add_user(
    *,
    username: str,
    role: str,
    organisation_ref: str | None = None,
    contract_refs: Sequence[str] | None = None,
    site_refs: Sequence[str] | None = None,
    staff_ref: str | None = None,
    email: str | None = None,
    password: str | None = None,
) -> AddedUser:
    """Create or update the login `username` with one role and its staff profile.

    On an update, what is not given is kept (organisation, sites, contracts, staff record, email,
    password); what is given replaces what is held. A DWP contact belongs to no organisation and is named
    on `contract_refs`; every other role needs an organisation, and its sites must be that organisation's.
    `staff_ref` makes the login the imported staff record of that reference (a key worker's caseload comes
    with it). A new login without `password` has an unusable one. Every mistake is a FlightpathError whose
    field is the option at fault; nothing is written then."""
    users = get_user_model().objects
    if role not in Role.values:
        raise FlightpathError(f"unknown role {role!r} (one of {', '.join(Role.values)})", field="role")
    _validate(get_user_model().username_validator, username, "username")
    if email:
        _validate(validate_email, email, "email")
    user = users.filter(username=username).first()
    held = staff_of(user) if user is not None else None
    record = _staff_record(staff_ref, user) if staff_ref else held
    organisation = _organisation(role, organisation_ref, record)
    sites = _sites(role, site_refs, organisation, record)
    contracts = _contracts(role, contract_refs, user)

    created = user is None
    if created:
        user = users.create_user(username=username, email=email or "")
    elif email is not None:
        user.email = email
    if password:
        _validate(lambda value: validate_password(value, user), password, "password")
        user.set_password(password)
    user.save()
    user.groups.set([group_for(role)])

    if held is not None and record is not None and held.pk != record.pk:
        held.user = None  # the login becomes the imported record; its own record stays, without a login
        held.save(update_fields=["user"])
    own_ref = _own_ref(user)
    staff = record or Staff.objects.filter(ref=own_ref).first() or Staff(ref=own_ref, name=username)
    staff.user, staff.role, staff.organisation = user, role, organisation
    staff.save()
    staff.sites.set(sites)
    if role == Role.DWP_CONTACT:
        if contracts is not None:
            user.dwp_contracts.set(contracts)
    else:
        user.dwp_contracts.clear()  # named on a contract only as a DWP contact
    return AddedUser(user=user, staff=staff, created=created, contracts=list(user.dwp_contracts.all()))


def _validate(validator, value: str, field: str) -> None:
    try:
        validator(value)
    except ValidationError as exc:
        raise FlightpathError(" ".join(exc.messages), field=field) from None


def _own_ref(user) -> str:
    """A login without an imported staff record gets its own, in a namespace no import uses."""
    ref = f"login:{user.username}"
    return ref if len(ref) <= Staff._meta.get_field("ref").max_length else f"login:{user.pk}"


def _staff_record(staff_ref: str, user) -> Staff:
    record = Staff.objects.select_related("user").filter(ref=staff_ref).first()
    if record is None:
        raise FlightpathError(
            f"no staff record {staff_ref!r} (key workers' records come with an import, from referrals.csv)",
            field="staff_ref",
        )
    if record.user_id is not None and (user is None or record.user_id != user.pk):
        raise FlightpathError(
            f"staff record {staff_ref!r} is already the login {record.user.username!r}", field="staff_ref"
        )
    return record


def _organisation(role: str, organisation_ref: str | None, record: Staff | None) -> Organisation | None:
    if role == Role.DWP_CONTACT:
        if organisation_ref:
            raise FlightpathError("a DWP contact belongs to no organisation", field="organisation")
        return None
    if organisation_ref:
        organisation = Organisation.objects.filter(ref=organisation_ref).first()
        if organisation is None:
            raise FlightpathError(f"no organisation {organisation_ref!r}", field="organisation")
        return organisation
    if record is not None and record.organisation_id is not None:
        return record.organisation
    raise FlightpathError(f"a {Role(role).label.lower()} needs an organisation", field="organisation")


def _sites(role: str, site_refs: Sequence[str] | None, organisation, record: Staff | None) -> list[Site]:
    if site_refs is None:
        # Kept, as far as they are still the organisation's (none for a DWP contact).
        held = record.sites.all() if record is not None and record.pk else Site.objects.none()
        return list(held.filter(organisation=organisation)) if organisation is not None else []
    if role == Role.DWP_CONTACT and site_refs:
        raise FlightpathError("a DWP contact has no sites", field="site")
    found = {site.ref: site for site in Site.objects.select_related("organisation").filter(ref__in=site_refs)}
    for ref in site_refs:
        if ref not in found:
            raise FlightpathError(f"no site {ref!r}", field="site")
        if found[ref].organisation_id != organisation.pk:
            raise FlightpathError(
                f"site {ref!r} is {found[ref].organisation.ref}'s, not {organisation.ref}'s", field="site"
            )
    return [found[ref] for ref in dict.fromkeys(site_refs)]


def _contracts(role: str, contract_refs: Sequence[str] | None, user) -> list[Contract] | None:
    if contract_refs is None:
        return None
    if role != Role.DWP_CONTACT and contract_refs:
        raise FlightpathError("only a DWP contact is named on contracts", field="contract")
    found = {contract.ref: contract for contract in Contract.objects.filter(ref__in=contract_refs)}
    for ref in contract_refs:
        if ref not in found:
            raise FlightpathError(f"no contract {ref!r}", field="contract")
    return [found[ref] for ref in dict.fromkeys(contract_refs)]
