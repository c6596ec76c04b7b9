"""The daily what's-due email (issue 11): each owner's open obligations, one message per owner and day through
the outbox (participants.mail: idempotency key `regimes.whats_due:user=<id>:<YYYY-MM-DD>`)."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from participants import mail as outbox
from participants.jobs import JobClaimed, job_run

from ..selectors.obligations import open_obligations_due

KIND = "regimes.whats_due"


def send_whats_due_emails(*, today: dt.date | None = None) -> int:
    """Queue one what's-due email per owner with open obligations (overdue ones first), then send what is
    pending. A re-run the same day queues nothing new. Returns the number queued."""
    today = today or timezone.localdate()
    try:
        with job_run(KIND, params={"date": today.isoformat()}) as run:
            messages = []
            for owner, rows in groupby(open_obligations_due(today), key=lambda o: o.owner):
                rows = list(rows)
                context = {
                    "user": owner,
                    "today": today,
                    "site_url": settings.SITE_URL,
                    "overdue": [o for o in rows if o.due_date < today],
                    "upcoming": [o for o in rows if o.due_date >= today],
                }
                n = len(rows)
                messages.append(
                    outbox.Outgoing(
                        key=f"{KIND}:user={owner.pk}:{today.isoformat()}",
                        kind=KIND,
                        user=owner,
                        to=[owner.email],
                        subject=f"Flightpath: {n} obligation{'s' if n != 1 else ''} open"
                        + (f", {len(context['overdue'])} overdue" if context["overdue"] else ""),
                        text=render_to_string("regimes/email/whats_due.txt", context),
                    )
                )
            queued = outbox.queue_many(messages=messages)
            outbox.send_pending()
            run.report(100, f"{queued} what's-due email(s) queued")
    except JobClaimed:
        return 0
    return queued
