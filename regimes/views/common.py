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
    """On its field the message loses its leading 'field name: ' (the field's label is shown with it)."""
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message.split(": ", 1)[-1])
    else:
        form.add_error(None, exc.message)


def today() -> dt.date:
    return timezone.localdate()
