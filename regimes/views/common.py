"""What the regimes pages share: the access questions, and today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from participants import access

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


def requires(action: access.Action) -> Callable[[Any, Any], None]:
    """The check of a page that takes `action` on the contract (404 outside the user's scope, 403 in it)."""

    def require(user, contract) -> None:
        access.require(user, action, contract, in_scope=True)

    return require


def today() -> dt.date:
    return timezone.localdate()
