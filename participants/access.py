"""Who may do what: the one rule every page, htmx partial, export, API endpoint, import, email and admin
action asks (DOMAIN.md 1).

Two questions, always both, in this order:
1. Is the object in the user's scope? `visible_to(user)` (querysets.py) decides; outside it the answer is
   404, so a caller learns nothing of what exists elsewhere.
2. May the user's role take the action on it? `roles.ROLE_ACTIONS` (the one table of what a role may do)
   decides, and for the contract-level actions (`PRIME_ACTIONS`) the contract must be the user's own
   prime's; otherwise 403.

Usage in a view::

    access.require(request.user, Action.MANAGE_CONTRACT, contract)   # 404 / 403, or returns
    if access.can(request.user, Action.RECORD_JOURNEY, referral): ... # for showing a button

An object the view fetched through `visible_to` already (a `visible_*` selector, which answers 404 outside
the scope) is passed with `in_scope=True`: only the second question is asked, without a second query.

Superusers (support staff) may do everything; anonymous users nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .choices import Role
from .models import Contract, Organisation, Participant, Referral
from .querysets import staff_of
from .roles import PRIME_ACTIONS, ROLE_ACTIONS, SLICED_FIGURE_ROLES, Action

__all__ = ["Action", "actions_of", "can", "figure_organisations", "may", "require", "prime_of"]

REFUSALS = {
    Action.VIEW: "You may not see this.",
    Action.RECORD_JOURNEY: "Your role can view these records but not change them.",
    Action.CHECK_CLAIMS: "Only claims officers check outcome claims.",
    Action.MANAGE_CONTRACT: "Only the prime's performance and contract managers manage this contract.",
    Action.IMPORT: "Only the prime's performance and contract managers import data for its contracts.",
    Action.MANAGE_SUBCONTRACTORS: "Only partnerships managers manage subcontractors.",
    Action.RECORD_DECISION: "Only the DWP contacts named on the contract record its regime decisions.",
    Action.RECORD_DECISION_FOR_DWP: (
        "Only the prime's contract managers record a decision DWP sent by letter."
    ),
    Action.VIEW_NINO: "Only key workers, team leaders and claims officers see National Insurance numbers.",
    Action.ADMINISTER: "Only support staff use the admin.",
}


def actions_of(user) -> frozenset[Action]:
    """Every action the user's role may take somewhere (before any object is looked at)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(Action)
    staff = staff_of(user)
    if staff is None:
        return frozenset()
    return ROLE_ACTIONS.get(Role(staff.role), frozenset())


def may(user, action: Action) -> bool:
    """The role half of the rule only: may the user take `action` on anything at all (menus, buttons)."""
    return action in actions_of(user)


def prime_of(user) -> Organisation | None:
    """The prime the user works for, when they work at one (a subcontractor's staff have none)."""
    staff = staff_of(user)
    if staff is None or staff.organisation is None:
        return None
    organisation = staff.organisation
    return organisation if organisation.kind == Organisation.Kind.PRIME else None


def _visible(user, obj) -> bool:
    if obj is None or getattr(user, "is_superuser", False):
        return True
    if isinstance(obj, Contract):
        return Contract.objects.visible_to(user).filter(pk=obj.pk).exists()
    if isinstance(obj, Referral):
        return Referral.objects.visible_to(user).filter(pk=obj.pk).exists()
    if isinstance(obj, Participant):
        return Participant.objects.visible_to(user).filter(pk=obj.pk).exists()
    raise TypeError(f"access: no scope rule for {type(obj).__name__}")


def _contract_of(obj) -> Contract | None:
    if isinstance(obj, Contract):
        return obj
    if isinstance(obj, Referral):
        return obj.contract
    return None


def _allowed(user, action: Action, obj) -> bool:
    """The role half, with the object: the action is the role's, and a contract-level action is on the
    user's own prime's contract (a DWP contact's decision on a contract they are named on)."""
    if action not in actions_of(user):
        return False
    if user.is_superuser:
        return True
    contract = _contract_of(obj)
    if action in PRIME_ACTIONS:
        # Without an object (the import pages, a menu): the user must work at a prime at all.
        prime = prime_of(user)
        return prime is not None and (contract is None or contract.prime_id == prime.pk)
    if action == Action.RECORD_DECISION and contract is not None:
        return contract.dwp_contacts.filter(pk=user.pk).exists()
    return True


def can(user, action: Action, obj=None, *, in_scope: bool = False) -> bool:
    """Both halves: `obj` (a Contract, Referral, Participant or None) is in scope and the action allowed."""
    return (in_scope or _visible(user, obj)) and _allowed(user, action, obj)


def require(user, action: Action, obj=None, *, in_scope: bool = False) -> None:
    """Raise Http404 when `obj` is outside the user's scope, PermissionDenied (403) when it is in scope but
    the action is not the user's to take; return otherwise."""
    if not in_scope and not _visible(user, obj):
        raise Http404("Not found.")
    if not _allowed(user, action, obj):
        raise PermissionDenied(REFUSALS[action])


def figure_organisations(user, contract: Contract) -> frozenset[int] | None:
    """The delivering organisations whose figures of `contract` (a contract in the user's scope) the user
    may see: None for every slice and the whole contract (superusers, DWP contacts, the prime's staff),
    else the organisations of their referral scope: a subcontractor's staff their own organisation, a
    partnerships manager (SLICED_FIGURE_ROLES) theirs and the subcontractors assigned to them. A figure of
    another organisation is outside the scope: 404."""
    if getattr(user, "is_superuser", False):
        return None
    staff = staff_of(user)
    if staff is None or staff.organisation is None:
        return None if staff is not None and staff.role == Role.DWP_CONTACT else frozenset()
    if staff.role == Role.DWP_CONTACT:
        return None
    organisation = staff.organisation
    if organisation.kind == Organisation.Kind.SUBCONTRACTOR:
        return frozenset({organisation.pk})
    if staff.role in SLICED_FIGURE_ROLES:
        managed = staff.managed_organisations.filter(parent=organisation).values_list("pk", flat=True)
        return frozenset({organisation.pk, *managed})
    return None if organisation.pk == contract.prime_id else frozenset({organisation.pk})
