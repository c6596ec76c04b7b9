"""What the regimes pages share: the access questions and attaching a service's refusal to its form."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from participants import access
from participants.errors import FlightpathError

MANAGE = access.Action.MANAGE_CONTRACT
DECIDE = access.Action.RECORD_DECISION


def may_review(user, contract) -> bool:
    """CPRs and deep dives are kept by DWP's contact on the contract or the prime's managers."""
    return access.can(user, DECIDE, contract, in_scope=True) or access.can(
        user, MANAGE, contract, in_scope=True
    )


def require_review(user, contract) -> None:
    if not access.can(user, DECIDE, contract, in_scope=True):
        access.require(user, MANAGE, contract, in_scope=True)


def attach(form, exc: FlightpathError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def today() -> dt.date:
    return timezone.localdate()
