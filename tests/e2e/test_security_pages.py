"""Signing in and the Security page in a real browser: set up two-factor sign-in from the QR code's key, then
sign in with a code; the admin, the API documentation and the browsable API under the content security
policy (tests/e2e/conftest.py fails any test whose pages break it)."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def code_for(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app given `secret` shows (now, or a period on)."""
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    violations = results.response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


def test_set_up_two_factor_sign_in_then_sign_in_with_a_code(login, live_server):
    UserFactory(username="erin")
    page = login("erin")
    page.get_by_role("link", name="Security").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.locator("svg.totp-qr")).to_be_visible()
    assert serious_violations(page) == []
    secret = page.locator("#totp-secret").inner_text()

    confirm = page.get_by_role("form", name="Confirm two-factor sign-in")
    confirm.get_by_label("Code from your authenticator app").fill("12")
    confirm.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_text("Enter the 6 digits your authenticator app shows.")).to_be_visible()
    confirm = page.get_by_role("form", name="Confirm two-factor sign-in")
    confirm.get_by_label("Code from your authenticator app").fill(code_for(secret))
    confirm.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("alert")).to_contain_text("Two-factor sign-in is on")

    page.get_by_role("button", name="Log out").click()
    login("erin")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Code from your authenticator app").fill(code_for(secret, 1))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Security")).to_be_visible()


def test_admin_api_docs_and_browsable_api_work_under_the_policy(login, live_server):
    UserFactory(username="root", is_superuser=True, is_staff=True)
    page = login("root")
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(f"{live_server.url}/admin/auth/user/")
    expect(page.get_by_role("link", name="root")).to_be_visible()
    page.goto(f"{live_server.url}/admin/auth/user/add/")
    expect(page.get_by_label("Username")).to_be_visible()
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_role("heading", name=re.compile("Flightpath MI API"))).to_be_visible(timeout=20_000)
    expect(page.get_by_text("/api/v1/contracts/", exact=True).first).to_be_visible()
    page.goto(f"{live_server.url}/api/v1/contracts/")
    expect(page.get_by_role("heading", name=re.compile("Contract"))).to_be_visible()
