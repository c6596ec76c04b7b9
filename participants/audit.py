"""The access log's one writer: every view of a participant's personal data (the participant page and its
sections, the action plan and its PDF, evidence, every export carrying participant references) calls
`log_access` once, after the access check has passed and before it answers."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Sized

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import AccessLog, Participant

logger = logging.getLogger(__name__)


def log_access(
    request: HttpRequest, *, participants: Iterable[Participant] = (), rows: QuerySet | Sized | None = None
) -> None:
    """Record one read: who (the request's user), when, what (the URL name, the query parameters and the
    participants a page shows, or the number of rows an export carries) and from where.

    `participants`: the people a page shows (kept by id and reference). `rows`: what an export writes,
    counted here (one COUNT for a queryset); an export is one row, never one per participant. Never fails
    the request: a log that cannot be written goes to the error log and the read goes ahead."""
    try:
        # A savepoint: a failed insert must not break the transaction the request may be in.
        with transaction.atomic():
            AccessLog.objects.create(**_entry(request, list(participants), rows))
    except Exception:
        logger.exception("access log: could not record a read of %s", request.get_full_path())


def _entry(request: HttpRequest, participants: list[Participant], rows) -> dict:
    user = request.user if request.user.is_authenticated else None
    match = request.resolver_match
    if rows is None:
        count = len(participants)
    else:
        count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    return {
        "user": user,
        "username": user.get_username() if user else "",
        "view": (match.view_name if match else "")[:100],
        "path": request.get_full_path()[:2000],
        "filters": {key: values[0] if len(values) == 1 else values for key, values in request.GET.lists()},
        "participant_ids": [participant.pk for participant in participants],
        "participant_refs": [participant.ref for participant in participants],
        "count": count,
        "ip_address": _address(request.META.get("REMOTE_ADDR")),
        "forwarded_for": request.META.get("HTTP_X_FORWARDED_FOR", "")[:200],
    }


def _address(value: str | None) -> str | None:
    """The client's address, when it is one (a Unix-socket server passes an empty or non-IP value)."""
    try:
        return str(ipaddress.ip_address(value or ""))
    except ValueError:
        return None
