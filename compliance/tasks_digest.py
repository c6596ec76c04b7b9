"""The daily due-soon digest (beat schedule: migration 0006, 07:00 Europe/London): each key worker with a
login and an email address gets their own due-soon list (compliance.selectors.pages), plain text and HTML.
Empty lists send nothing. Once per day: a second run on the same day sends nothing (JobRun record)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import timezone

from participants.jobs import job_run
from participants.models import Contract, JobRun, Referral, Role, Staff

from .selectors.pages import due_soon_default_days, due_soon_for_contracts, due_soon_rows

DIGEST_JOB = "compliance.due_soon_digest"


def send_due_soon_digests_for(*, today: date, days: int | None = None) -> int:
    """Email every key worker (with an active login and an email address) their open items due within `days`
    working days or late, scoped by visible_to. Returns the number of emails sent."""
    days = due_soon_default_days() if days is None else days
    if JobRun.objects.filter(
        kind=DIGEST_JOB, status=JobRun.Status.SUCCEEDED, params__date=today.isoformat()
    ).exists():
        return 0
    with job_run(DIGEST_JOB, params={"date": today.isoformat(), "days": days}) as run:
        if run is None:
            return 0
        items = due_soon_for_contracts(Contract.objects.order_by("ref"), today=today, days=days)
        workers = (
            Staff.objects.filter(
                role=Role.KEY_WORKER, user__is_active=True, pk__in=items["key_worker_id"].dropna()
            )
            .exclude(user__email="")
            .select_related("user")
            .order_by("pk")
        )
        messages = []
        for staff in workers:
            mine = items[items["key_worker_id"] == staff.pk]
            rows = due_soon_rows(mine, Referral.objects.visible_to(staff.user).filter(key_worker=staff))
            if rows:
                messages.append(_message(staff, rows, today=today, days=days))
        sent = get_connection().send_messages(messages) if messages else 0
        run.report(100, f"{sent or 0} due-soon digest(s) sent")
        return sent or 0


def _message(staff: Staff, rows: list[dict], *, today: date, days: int) -> EmailMultiAlternatives:
    context = {
        "staff": staff,
        "rows": rows,
        "today": today,
        "days": days,
        "late": sum(r["late"] for r in rows),
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=f"Flightpath: {len(rows)} standards deadline(s) due soon or late",
        body=render_to_string("compliance/email/due_soon_digest.txt", context),
        to=[staff.user.email],
    )
    message.attach_alternative(
        render_to_string("compliance/email/due_soon_digest.html", context), "text/html"
    )
    return message


@shared_task(name="compliance.tasks_digest.send_due_soon_digests")
def send_due_soon_digests() -> int:
    return send_due_soon_digests_for(today=timezone.localdate())
