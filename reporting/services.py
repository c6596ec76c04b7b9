"""The daily emails (beat schedules: compliance migration 0006 and participants migration 0004, 07:00
Europe/London), both on one daily-mail helper, `send_daily_mail`, through the outbox (participants.mail):
each recipient's message is keyed (kind, user, date), so a re-run after a failure sends only what is missing
and nobody gets a day's email twice:

- the due-soon digest: each key worker their open standards items due within the due-soon horizon or late
  (compliance.selectors.pages), scoped by visible_to, plain text and HTML;
- the review reminders: each key worker their overdue action-plan reviews and open FTA follow-ups
  (DOMAIN.md 4: overdue reviews raise reminders), plain text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.template.loader import render_to_string

from compliance.selectors.pages import due_soon_default_days, due_soon_for_contracts, due_soon_rows
from participants import mail as outbox
from participants.jobs import JobClaimed, job_run
from participants.models import Contract, OutboxMessage, Referral, Role, Staff
from participants.workspace.selectors import overdue_for_reminders

# The daily-mail helper ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DailyMail:
    """One daily email: its JobRun kind, its templates (reporting/email/<template>.txt, and .html when `html`)
    and what its run records as queued."""

    kind: str
    template: str
    html: bool
    sent_label: str


@dataclass(frozen=True)
class Letter:
    """One recipient's message: its subject and template context (today, site_url and user are added)."""

    subject: str
    context: dict = field(default_factory=dict)


# Builds the letters of a day, one per user, from the users who may get it (a queryset to filter by in SQL).
Letters = Callable[[QuerySet], Mapping]


def send_daily_mail(mail: DailyMail, *, today: date, letters: Letters, params: dict | None = None) -> int:
    """Queue `mail` for `today`, one message per user that `letters(recipients)` returns, where recipients are
    the active users with an email address, and send what is pending. A message already queued for that user
    and day (an earlier run, or one that failed midway) is not queued again; nothing when another run holds
    the claim. Returns the number of messages this run queued."""
    day = today.isoformat()
    recipients = get_user_model().objects.filter(is_active=True).exclude(email="")
    try:
        with job_run(mail.kind, params={"date": day, **(params or {})}) as run:
            messages = [
                _message(mail, user, letter, today=today) for user, letter in letters(recipients).items()
            ]
            queued = outbox.queue_many(messages=messages)
            outbox.send_pending()
            sent = OutboxMessage.objects.filter(
                key__in=[m.key for m in messages], state=OutboxMessage.State.SENT
            ).count()
            run.report(100, f"{queued} {mail.sent_label} queued; {sent} of {len(messages)} sent")
    except JobClaimed:
        return 0
    return queued


def _message(mail: DailyMail, user, letter: Letter, *, today: date) -> outbox.Outgoing:
    context = {**letter.context, "user": user, "today": today, "site_url": settings.SITE_URL}
    return outbox.Outgoing(
        key=f"{mail.kind}:user={user.pk}:{today.isoformat()}",
        kind=mail.kind,
        user=user,
        to=[user.email],
        subject=letter.subject,
        text=render_to_string(f"reporting/email/{mail.template}.txt", context),
        html=render_to_string(f"reporting/email/{mail.template}.html", context) if mail.html else "",
    )


# The due-soon digest -------------------------------------------------------------------------------------
# The JobRun kinds keep their names from before the move to reporting; they also begin the outbox keys.

DUE_SOON_DIGEST = DailyMail(
    kind="compliance.due_soon_digest", template="due_soon_digest", html=True, sent_label="due-soon digest(s)"
)


def send_due_soon_digests(*, today: date, days: int | None = None) -> int:
    """Email every key worker their open items due within `days` working days (default: the due-soon
    horizon) or late, scoped by visible_to. Empty lists send nothing. Returns the number of emails queued."""
    days = due_soon_default_days() if days is None else days

    def letters(recipients: QuerySet) -> dict:
        items = due_soon_for_contracts(Contract.objects.order_by("ref"), today=today, days=days)
        workers = (
            Staff.objects.filter(
                role=Role.KEY_WORKER, user__in=recipients, pk__in=items["key_worker_id"].dropna()
            )
            .select_related("user")
            .order_by("pk")
        )
        by_user = {}
        for staff in workers:
            mine = items[items["key_worker_id"] == staff.pk]
            rows = due_soon_rows(mine, Referral.objects.visible_to(staff.user).filter(key_worker=staff))
            if rows:
                late = sum(r["late"] for r in rows)
                by_user[staff.user] = Letter(
                    subject=f"Flightpath: {len(rows)} standards deadline(s) due soon or late",
                    context={"staff": staff, "rows": rows, "days": days, "late": late},
                )
        return by_user

    return send_daily_mail(DUE_SOON_DIGEST, today=today, letters=letters, params={"days": days})


# The review reminders ------------------------------------------------------------------------------------

REVIEW_REMINDERS = DailyMail(
    kind="participants.review_reminders",
    template="review_reminders",
    html=False,
    sent_label="reminder email(s)",
)


def send_review_reminders(*, today: date) -> int:
    """Email each key worker their overdue action-plan reviews and open FTA follow-ups. Returns the number of
    emails queued."""

    def letters(recipients: QuerySet) -> dict:
        plans, tasks = overdue_for_reminders(today, users=recipients)
        by_user: dict = defaultdict(lambda: {"plans": [], "tasks": []})
        for plan in plans:
            by_user[plan.referral.key_worker.user]["plans"].append(plan)
        for task in tasks:
            by_user[task.referral.key_worker.user]["tasks"].append(task)
        return {
            user: Letter(
                subject=f"Flightpath: {len(items['plans'])} overdue review(s), "
                f"{len(items['tasks'])} open follow-up(s)",
                context=items,
            )
            for user, items in sorted(by_user.items(), key=lambda pair: pair[0].pk)
        }

    return send_daily_mail(REVIEW_REMINDERS, today=today, letters=letters)
