"""The daily what's-due email (issue 11): each owner's open obligations, one message per owner and day through
the outbox (participants.mail: idempotency key `regimes.whats_due:user=<id>:<YYYY-MM-DD>`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from participants import mail as outbox
from participants.jobs import JobClaimed, job_run
from performance.kpis.selectors import pip_actions_open

from ..selectors.obligations import open_obligations_due

KIND = "regimes.whats_due"


def send_whats_due_emails(*, today: dt.date | None = None) -> int:
    """Queue one what's-due email per owner with open obligations or open PIP actions (overdue ones first),
    then send what is pending. A re-run the same day queues nothing new. Returns the number queued."""
    today = today or timezone.localdate()
    try:
        with job_run(KIND, params={"date": today.isoformat()}) as run:
            owners, obligations, actions = {}, defaultdict(list), defaultdict(list)
            for o in open_obligations_due(today):
                owners[o.owner_id] = o.owner
                obligations[o.owner_id].append(o)
            for a in pip_actions_open():
                owners.setdefault(a.owner_id, a.owner)
                actions[a.owner_id].append(a)
            messages = [
                _message(owner, obligations[pk], actions[pk], today) for pk, owner in sorted(owners.items())
            ]
            queued = outbox.queue_many(messages=messages)
            outbox.send_pending()
            run.report(100, f"{queued} what's-due email(s) queued")
    except JobClaimed:
        return 0
    return queued


def _message(owner, rows: list, actions: list, today: dt.date) -> outbox.Outgoing:
    overdue = [o for o in rows if o.due_date < today]
    late_actions = sum(1 for a in actions if a.due_date < today)
    context = {
        "user": owner,
        "today": today,
        "site_url": settings.SITE_URL,
        "overdue": overdue,
        "upcoming": [o for o in rows if o.due_date >= today],
        "pip_actions": actions,
    }
    parts = []
    if rows:
        parts.append(f"{len(rows)} obligation{'s' if len(rows) != 1 else ''} open")
    if actions:
        parts.append(f"{len(actions)} PIP action{'s' if len(actions) != 1 else ''} open")
    late = len(overdue) + late_actions
    return outbox.Outgoing(
        key=f"{KIND}:user={owner.pk}:{today.isoformat()}",
        kind=KIND,
        user=owner,
        to=[owner.email],
        subject="Flightpath: " + ", ".join(parts) + (f", {late} overdue" if late else ""),
        text=render_to_string("regimes/email/whats_due.txt", context),
    )
