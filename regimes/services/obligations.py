"""Writing obligations (DOMAIN.md 17.7): every app of the workflow records what it owes through these two."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from participants.models import Contract

from ..models import Obligation


@transaction.atomic
def owe(
    *,
    contract: Contract,
    key: str,
    kind: str,
    due_date: dt.date,
    source: str,
    owner=None,
) -> Obligation:
    """Record that `kind` is owed by `due_date`; re-running with the same key updates the row (a job can be
    re-run), except that a DONE obligation stays done."""
    obligation, created = Obligation.objects.select_for_update().get_or_create(
        contract=contract,
        key=key,
        defaults={"kind": kind, "due_date": due_date, "source": source, "owner": owner},
    )
    if not created and obligation.status == Obligation.Status.OPEN:
        obligation.kind, obligation.due_date, obligation.source = kind, due_date, source
        if owner is not None:
            obligation.owner = owner
        obligation.save(update_fields=["kind", "due_date", "source", "owner"])
    return obligation


@transaction.atomic
def fulfil(*, contract: Contract, key: str, on: dt.date) -> int:
    """Mark the obligation of `key` done on `on` (the thing owed was submitted or held); 0 if none is open."""
    return Obligation.objects.filter(contract=contract, key=key, status=Obligation.Status.OPEN).update(
        status=Obligation.Status.DONE, done_on=on
    )
