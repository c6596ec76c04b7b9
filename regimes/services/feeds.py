"""The private iCalendar feed of a user's obligations: its secret token, made on first use and rotatable."""

from __future__ import annotations

import secrets

from django.db import transaction

from ..models import CalendarFeed


def feed_of(*, user) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return feed


@transaction.atomic
def rotate_feed(*, user) -> CalendarFeed:
    """A new secret: the old URL stops working at once (a calendar app that had it sees a 404)."""
    feed = feed_of(user=user)
    feed.token = secrets.token_urlsafe(32)
    feed.save(update_fields=["token", "created_at"])
    return feed
