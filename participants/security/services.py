"""Two-factor sign-in: one authenticator app (a TOTP device of django-otp) per user, enrolled from the
Security page, confirmed with a code, asked for at every sign-in, removed with a code.

A wrong code is recorded on the device by django-otp (its own transaction), which makes each further try
wait longer (1 s, 2 s, 4 s, ...): the functions here check the code first and write afterwards, so the
refusal is never rolled back with the change it refused."""

from __future__ import annotations

from base64 import b32encode

import django_otp
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..errors import FlightpathError

AUTHENTICATOR_NAME = "Authenticator app"
# A user has two-factor sign-in on when they have a confirmed authenticator (an expression on users).
HAS_AUTHENTICATOR = Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))


def authenticator_of(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, the one asked for at sign-in."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_authenticator(user) -> TOTPDevice | None:
    """An authenticator being set up: shown as a QR code until a code from it confirms it."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def has_authenticator(user) -> bool:
    """Read from the user when the request's user came with it (backends.AuthenticatorAwareBackend)."""
    known = getattr(user, "has_authenticator", None)
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists() if known is None else known


def must_enrol(user) -> bool:
    """Superusers reach everything: where the setting asks it (production), they sign in with a second
    factor or not at all."""
    return user.is_superuser and settings.FLIGHTPATH_2FA_REQUIRED_FOR_SUPERUSERS


def secret_of(device: TOTPDevice) -> str:
    """The device's key as an app asks for it when typed in rather than scanned: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def start_enrolment(*, user) -> TOTPDevice:
    """A new authenticator for the user, unconfirmed (so not yet asked for) until `confirm_enrolment`; any
    earlier unfinished one is dropped. A confirmed one stays in use until the new one is confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def confirm_enrolment(*, user, code: str) -> TOTPDevice:
    """Confirm the pending authenticator with a code it shows; it replaces any earlier one."""
    device = pending_authenticator(user)
    if device is None:
        raise FlightpathError(
            "Set up two-factor sign-in first: no authenticator is waiting for a code.", field="code"
        )
    _check(user, device, code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def verify_sign_in(*, user, code: str) -> TOTPDevice:
    """The user's authenticator when `code` is its current code (the second step of signing in)."""
    device = authenticator_of(user)
    if device is None:
        raise FlightpathError("You have no authenticator to give a code from.", field="code")
    return _check(user, device, code)


def remove_authenticator(*, user, code: str) -> None:
    """Turn two-factor sign-in off, with a current code (so an unattended session cannot); not for a superuser
    who must keep it (they may enrol a new phone instead)."""
    device = authenticator_of(user)
    if device is None:
        raise FlightpathError("Two-factor sign-in is not on.", field="code")
    if must_enrol(user):
        raise FlightpathError(
            "Superusers must keep two-factor sign-in: set it up on a new phone instead.", field="code"
        )
    _check(user, device, code)
    TOTPDevice.objects.filter(user=user).delete()


def _check(user, device: TOTPDevice, code: str) -> TOTPDevice:
    allowed, refusal = device.verify_is_allowed()
    if not allowed:
        wait = max(1, int((refusal["locked_until"] - timezone.now()).total_seconds()) + 1)
        raise FlightpathError(f"Too many wrong codes: try again in {wait} seconds.", field="code")
    verified = django_otp.verify_token(user, device.persistent_id, "".join(code.split()))
    if verified is None:
        raise FlightpathError(
            "That code is not right, or was used already: enter the code your app shows now.", field="code"
        )
    return verified
