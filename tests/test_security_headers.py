"""Security headers on every page: the content security policy (no inline script or style without a nonce,
no eval, nothing from elsewhere), framing refused, a referrer policy; production passes `check --deploy`."""

from __future__ import annotations

import base64
import hashlib
import importlib
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

from config.settings import base
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
# What production settings require of the environment.
PRODUCTION_ENV = {
    "SECRET_KEY": "test-only-Qm3v8Zr1Lx6Tg0Wb5Ny2Hd7Kc4Pf9Js0Ua3Ee8Ri1Oo6",
    "ALLOWED_HOSTS": "flightpath.example.org",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/flightpath"),
    "EMAIL_URL": "smtp://127.0.0.1:2525",  # production refuses a mail backend that delivers nothing
}


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.parametrize(
    "url",
    ["/accounts/login/", "/", "/contracts/", "/referrals/", "/accounts/security/", "/api/docs/", "/admin/"],
)
def test_every_page_has_the_content_security_policy_and_the_other_headers(client, url):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(url)
    assert response.status_code == 200, url
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no nonce asked for by any of our pages: no inline script
    assert "'unsafe-inline'" not in policy["style-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_api_answers_carry_the_policy_too(client):
    client.force_login(UserFactory(is_superuser=True))
    assert "default-src 'self'" in client.get("/api/v1/contracts/")["Content-Security-Policy"]


def test_pages_load_no_inline_script_and_the_strict_plotly_build():
    """Every template: scripts come from files (a JSON data block is not a script), inline styles only with
    the response's nonce, no inline handlers or style attributes, and charts use plotly's strict build (no
    `new Function`)."""
    templates = settings.BASE_DIR / "templates"
    for path in templates.rglob("*.html"):
        if "email" in path.parts or path.name.endswith("_pdf.html"):
            continue  # mail and PDFs are not pages a browser runs
        text = path.read_text()
        for line in text.splitlines():
            if "<script" in line:
                assert "src=" in line or 'type="application/json"' in line, f"{path}: {line.strip()}"
            if "<style" in line:
                assert 'nonce="{{ request.csp_nonce }}"' in line, f"{path}: {line.strip()}"
        assert " style=" not in text and " onclick=" not in text, path
    scripts = (templates / "includes" / "plotly_scripts.html").read_text()
    assert "vendor/plotly/plotly-strict.min.js" in scripts


def test_the_policy_allows_the_stylesheets_the_vendored_plotly_injects():
    """plotly's bundle writes its map stylesheet into a <style> element as it loads: the policy allows that
    text by its hash, which must follow the bundle when plotly is upgraded."""
    bundle = (settings.BASE_DIR / "static" / "vendor" / "plotly" / "plotly-strict.min.js").read_text()
    assert "plotly.js (strict - minified) v4.1.1" in bundle[:100]
    injected = re.findall(r"\.textContent='((?:[^'\\]|\\.)*)'", bundle)
    assert injected, "no stylesheet found in the bundle: has plotly changed how it injects one?"
    allowed = base.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    for css in injected:
        digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed


def test_production_settings_pass_check_deploy():
    # As in a deployment: without the browser tests' async-safety switch (tests/conftest.py).
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="config.settings.production")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def settings_module(monkeypatch):
    """Load config/settings/<name>.py afresh as the environment gives it (production's required variables
    set, no overrides of the settings under test)."""

    def load(name: str):
        for key, value in PRODUCTION_ENV.items():
            monkeypatch.setenv(key, value)
        for key in ("FLIGHTPATH_2FA_REQUIRED_FOR_SUPERUSERS", "FLIGHTPATH_TRUSTED_PROXIES"):
            monkeypatch.delenv(key, raising=False)
        for module in ("base", name):  # base reads the environment (EMAIL_URL among it) when imported
            monkeypatch.delitem(sys.modules, f"config.settings.{module}", raising=False)
        return importlib.import_module(f"config.settings.{name}")

    return load


@pytest.mark.parametrize(("name", "required"), [("production", True), ("local", False), ("test", False)])
def test_superusers_need_two_factor_in_production_only(settings_module, name, required):
    """Off locally, so `make run`'s demo `admin` logs in with the demo password alone."""
    assert settings_module(name).FLIGHTPATH_2FA_REQUIRED_FOR_SUPERUSERS is required


def test_production_reads_the_client_address_behind_one_proxy(settings_module):
    production = settings_module("production")
    assert production.FLIGHTPATH_TRUSTED_PROXIES == 1 and production.REST_FRAMEWORK["NUM_PROXIES"] == 1
    assert production.SESSION_EXPIRE_AT_BROWSER_CLOSE and production.SESSION_COOKIE_SECURE
