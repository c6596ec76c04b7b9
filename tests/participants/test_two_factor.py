"""Two-factor sign-in with an authenticator app (TOTP): enrolled from the Security page, asked for at every
sign-in, removed with a code; required of superusers where the setting says (production)."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def code_of(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's app shows now (or `steps_ahead` periods on: a code is accepted once only)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A code the device does not accept now (it accepts the previous, current and next periods')."""
    accepted = {code_of(device, steps) for steps in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def sign_in(client, username: str, password: str = "pass"):
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 302, response.content
    return response


def test_a_user_enrols_from_the_security_page_with_a_code_from_the_app(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after a wrong code (see test_wrong_codes_make_...)
    user = UserFactory(username="erin")
    client.force_login(user)
    page = client.get(reverse("security"))
    assert page.status_code == 200 and b"Set up two-factor sign-in" in page.content

    assert client.post(reverse("security-enrol"))["Location"] == reverse("security")
    pending = TOTPDevice.objects.get(user=user)
    assert not pending.confirmed
    page = client.get(reverse("security")).content.decode()
    assert '<svg width="' in page and 'class="totp-qr"' in page  # the QR code, drawn here
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert len(secret.replace(" ", "")) == 32

    wrong = client.post(reverse("security-confirm"), {"code": wrong_code(pending)})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=pending.pk).confirmed

    done = client.post(reverse("security-confirm"), {"code": code_of(pending)})
    assert done.status_code == 302
    assert TOTPDevice.objects.get(pk=pending.pk).confirmed
    assert "Two-factor sign-in is on" in client.get(reverse("security")).content.decode()


def test_an_enrolled_user_gives_a_code_before_any_page(client):
    user = UserFactory(username="erin")
    device = enrolled(user)
    sign_in(client, "erin")
    for url in (reverse("home"), reverse("contract-list"), reverse("security"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("two-factor") + "?next=")
    api = client.get("/api/v1/contracts/")
    assert api.status_code == 403 and "Two-factor sign-in is not complete" in api.json()["detail"]

    wrong = client.post(reverse("two-factor"), {"code": "12345", "next": "/contracts/"})
    assert wrong.status_code == 400 and "Enter the 6 digits" in wrong.content.decode()
    right = client.post(reverse("two-factor"), {"code": code_of(device), "next": "/contracts/"})
    assert right.status_code == 302 and right["Location"] == "/contracts/"
    assert client.get(reverse("contract-list")).status_code == 200


def test_the_code_step_never_sends_anyone_off_the_site(client):
    device = enrolled(UserFactory(username="erin"))
    sign_in(client, "erin")
    response = client.post(reverse("two-factor"), {"code": code_of(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_wrong_codes_make_the_next_try_wait(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = enrolled(UserFactory(username="erin"))
    sign_in(client, "erin")
    assert client.post(reverse("two-factor"), {"code": wrong_code(device)}).status_code == 400
    refused = client.post(reverse("two-factor"), {"code": code_of(device)})
    assert refused.status_code == 400 and "Too many wrong codes: try again in" in refused.content.decode()
    assert client.get(reverse("home")).status_code == 302  # still not through


def test_a_code_is_accepted_once_only(client):
    device = enrolled(UserFactory(username="erin"))
    code = code_of(device)
    sign_in(client, "erin")
    assert client.post(reverse("two-factor"), {"code": code})["Location"] == reverse("home")
    client.logout()
    sign_in(client, "erin")
    again = client.post(reverse("two-factor"), {"code": code})
    assert again.status_code == 400 and "was used already" in again.content.decode()


def test_turning_it_off_takes_a_current_code(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = UserFactory(username="erin")
    device = enrolled(user)
    sign_in(client, "erin")
    client.post(reverse("two-factor"), {"code": code_of(device)})
    refused = client.post(reverse("security-remove"), {"code": wrong_code(device)})
    assert refused.status_code == 400 and TOTPDevice.objects.filter(user=user).exists()
    assert client.post(reverse("security-remove"), {"code": code_of(device, 1)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    client.logout()
    sign_in(client, "erin")
    assert client.get(reverse("home")).status_code == 200  # no code asked any more


def test_a_new_phone_replaces_the_old_one_once_confirmed(client):
    user = UserFactory(username="erin")
    old = enrolled(user)
    sign_in(client, "erin")
    client.post(reverse("two-factor"), {"code": code_of(old)})
    client.post(reverse("security-enrol"))
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()  # still in use until confirmed
    client.post(reverse("security-confirm"), {"code": code_of(new)})
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", "confirmed")) == [(new.pk, True)]


def test_where_required_a_superuser_without_an_authenticator_must_enrol_before_anything(client, settings):
    settings.FLIGHTPATH_2FA_REQUIRED_FOR_SUPERUSERS = True
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    sign_in(client, "root")
    for url in (reverse("home"), "/admin/", reverse("password-change")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("security")), url
    page = client.get(reverse("security"))
    assert page.status_code == 200 and b"you must set up two-factor sign-in" in page.content
    client.post(reverse("security-enrol"))
    device = TOTPDevice.objects.get(user=admin)
    assert client.post(reverse("security-confirm"), {"code": code_of(device)}).status_code == 302
    assert client.get("/admin/").status_code == 200
    # ... and may not turn it off.
    refused = client.post(reverse("security-remove"), {"code": code_of(device, 1)})
    assert refused.status_code == 400 and b"Superusers must keep two-factor sign-in" in refused.content
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


def test_without_the_requirement_a_superuser_signs_in_with_a_password(client, settings):
    settings.FLIGHTPATH_2FA_REQUIRED_FOR_SUPERUSERS = False
    UserFactory(username="admin", is_superuser=True, is_staff=True)
    sign_in(client, "admin")
    assert client.get("/admin/").status_code == 200


def test_an_api_token_needs_no_code(client):
    user = UserFactory(username="erin", is_superuser=True)
    enrolled(user)
    token = Token.objects.create(user=user)
    response = client.get("/api/v1/contracts/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
