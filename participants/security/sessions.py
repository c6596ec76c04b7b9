"""Sessions in the database that end FLIGHTPATH_SESSION_IDLE_MINUTES after the last request (settings:
SESSION_COOKIE_AGE, and SESSION_EXPIRE_AT_BROWSER_CLOSE for the cookie).

Every request moves the expiry on, but the row is rewritten only once the stored expiry is a minute or more
old: writing it on every request (SESSION_SAVE_EVERY_REQUEST) would be an UPDATE in a transaction on every
page and every htmx panel, for a precision of seconds nobody needs. A session therefore ends between 29 and
30 minutes (by default) after its last request."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

REWRITE_AFTER = timedelta(minutes=1)


class SessionStore(DatabaseSessionStore):
    def load(self) -> dict:
        stored = self._get_session_from_db()
        if stored is None:
            return {}
        # Not get_expiry_age(): it reads the session being loaded. No session sets an expiry of its own.
        fresh_expiry = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
        if stored.expire_date < fresh_expiry - REWRITE_AFTER:
            self.modified = True  # SessionMiddleware writes it at the response, with a new expiry
        return self.decode(stored.session_data)
