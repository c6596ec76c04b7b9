"""Signing in: lockout after repeated failures by username and by address (django-axes), the password rules,
and sessions that end with the browser and after a period idle."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from demo.people import DEMO_PASSWORD, DEMO_PEOPLE, SUPERUSER
from participants.security.addresses import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def attempt(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_username_even_with_the_right_one(client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    UserFactory(username="ann")
    for _ in range(4):
        assert attempt(client, "ann", "wrong").status_code == 200  # the form again, with its error
    locked = attempt(client, "ann", "wrong")
    assert locked.status_code == 429
    assert b"Signing in is paused" in locked.content
    assert b"for 30 minutes" in locked.content
    assert attempt(client, "ann", "pass").status_code == 429  # the right password does not get in either
    assert "_auth_user_id" not in client.session


def test_the_username_stays_locked_from_another_address(client):
    UserFactory(username="ann")
    for n in range(5):
        attempt(client, "ann", "wrong", address=f"10.0.1.{n}")
    assert attempt(client, "ann", "pass", address="10.9.9.9").status_code == 429


def test_five_failures_from_one_address_lock_that_address_for_every_username(client):
    UserFactory(username="bob")
    for n in range(5):
        attempt(client, f"guess{n}", "wrong", address="10.0.0.7")
    assert attempt(client, "bob", "pass", address="10.0.0.7").status_code == 429
    # Bob from his own desk is not locked out: only that address is.
    assert attempt(client, "bob", "pass", address="10.0.0.8").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client):
    UserFactory(username="ann")
    for _ in range(5):
        attempt(client, "ann", "wrong")
    assert attempt(client, "ann", "pass").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    response = attempt(client, "ann", "pass")
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_a_success_does_not_wipe_the_failures_of_others_from_that_address(client):
    """Otherwise anyone with a login could guess another's password without end, signing in between."""
    UserFactory(username="mallory")
    UserFactory(username="victim")
    for _ in range(4):
        attempt(client, "victim", "wrong", address="10.0.0.5")
    assert attempt(client, "mallory", "pass", address="10.0.0.5").status_code == 302
    client.logout()
    assert attempt(client, "victim", "wrong", address="10.0.0.6").status_code == 429


def test_the_address_behind_trusted_proxies_is_the_one_the_nearest_proxy_saw(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="172.16.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 81.2.69.160")
    settings.FLIGHTPATH_TRUSTED_PROXIES = 0
    assert client_ip(request) == "172.16.0.2"  # no proxy trusted: a header anyone can write is ignored
    settings.FLIGHTPATH_TRUSTED_PROXIES = 1
    assert client_ip(request) == "81.2.69.160"  # not 6.6.6.6, which the client itself sent
    settings.FLIGHTPATH_TRUSTED_PROXIES = 2
    assert client_ip(request) == "6.6.6.6"


def test_passwords_need_twelve_characters_and_not_a_common_one():
    user = UserFactory.build(username="carol", first_name="Carol")
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Tr0ub4dor&3", user)
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password1234", user)
    with pytest.raises(ValidationError, match="entirely numeric"):
        validate_password("204861739215", user)
    validate_password("correct horse battery", user)


def test_the_demo_password_meets_the_rules_for_every_demo_login():
    for username in [SUPERUSER, *(person.username for person in DEMO_PEOPLE)]:
        validate_password(DEMO_PASSWORD, UserFactory.build(username=username))


def test_the_password_change_page_applies_the_rules(client):
    user = UserFactory(username="dan")
    client.force_login(user)
    page = reverse("password-change")
    short = client.post(
        page, {"old_password": "pass", "new_password1": "short-one", "new_password2": "short-one"}
    )
    assert short.status_code == 200 and b"at least 12 characters" in short.content
    done = client.post(
        page,
        {"old_password": "pass", "new_password1": "a long enough one", "new_password2": "a long enough one"},
    )
    assert done.status_code == 302 and done["Location"] == reverse("security")
    user.refresh_from_db()
    assert user.check_password("a long enough one")


def test_the_session_cookie_ends_with_the_browser(client):
    UserFactory(username="ann")
    response = attempt(client, "ann", "pass")
    cookie = response.cookies["sessionid"]
    assert cookie.value and not cookie["expires"] and not cookie["max-age"]


def test_each_request_moves_the_idle_expiry_on(client, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(UserFactory())
    session = Session.objects.get(session_key=client.session.session_key)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    assert client.get(reverse("home")).status_code == 200
    expiry = Session.objects.get(pk=session.pk).expire_date
    assert dt.timedelta(minutes=29) < expiry - timezone.now() <= dt.timedelta(minutes=30)


def test_a_request_soon_after_the_last_write_writes_nothing(client):
    """The expiry is rewritten once it is a minute old, not on every page and htmx panel."""
    client.force_login(UserFactory())
    written = Session.objects.get().expire_date
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    sessions = [q["sql"].split()[0] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert sessions == ["SELECT"]
    assert Session.objects.get().expire_date == written


def test_a_session_idle_for_longer_than_the_limit_has_ended(client):
    client.force_login(UserFactory())
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
