"""The iCalendar (RFC 5545) feed of a user's obligations, written with the `icalendar` library: one all-day
VEVENT per obligation on its due date, with a stable UID so calendar apps update rather than duplicate."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from ..models import CalendarFeed
from .obligations import owner_obligations


def feed_user(token: str):
    """The active user whose feed `token` is, or None."""
    feed = CalendarFeed.objects.filter(token=token, user__is_active=True).select_related("user").first()
    return feed.user if feed else None


def obligations_calendar(user) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Flightpath//Obligations//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Flightpath: what's due")
    stamp = timezone.now()
    host = settings.SITE_URL.split("//", 1)[-1]
    for o in owner_obligations(user):
        event = Event()
        event.add("uid", f"obligation-{o.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", o.due_date)
        event.add("dtend", o.due_date + dt.timedelta(days=1))
        done = "Done: " if o.status == o.Status.DONE else ""
        event.add("summary", f"{done}{o.get_kind_display()}: {o.contract.ref} ({o.source})")
        event.add(
            "description",
            f"{o.display_status.title()}. "
            f"{settings.SITE_URL}{reverse('regimes:due-contract', args=[o.contract.ref])}",
        )
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
