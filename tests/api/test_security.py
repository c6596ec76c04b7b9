"""The API's schema and documentation only for signed-in callers; throttling per user, documented."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from config.settings import base
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_the_schema_is_refused_without_credentials(client):
    assert client.get("/api/schema/").status_code in (401, 403)


def test_the_schema_answers_a_session_or_a_token():
    user = UserFactory()
    session = APIClient()
    session.force_login(user)
    assert session.get("/api/schema/", {"format": "json"}).status_code == 200
    assert token_client(user).get("/api/schema/", {"format": "json"}).json()["info"]["title"] == (
        "Flightpath MI API"
    )


def test_the_docs_send_an_anonymous_visitor_to_log_in(client):
    response = client.get("/api/docs/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/api/docs/"
    assert client.get("/api/docs/?script").status_code == 302


def test_the_docs_page_has_no_inline_script_or_style(client):
    client.force_login(UserFactory())
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui-bundle.js" in page and "<style" not in page
    assert '<script src="/api/docs/?script=' in page and "<script>" not in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


@pytest.fixture
def low_rates(monkeypatch):
    """Rates low enough to reach (DRF's throttles read their rates once, at import: set them there)."""
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "2/minute"})
    yield
    cache.clear()


def test_each_user_has_their_own_rate_then_a_429_with_retry_after(low_rates):
    alice, bob = token_client(UserFactory(username="alice")), token_client(UserFactory(username="bob"))
    assert [alice.get("/api/v1/contracts/").status_code for _ in range(3)] == [200, 200, 200]
    throttled = alice.get("/api/v1/contracts/")
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert "throttled" in throttled.json()["detail"]
    assert bob.get("/api/v1/contracts/").status_code == 200  # Bob's rate is his own


def test_the_429_is_in_the_schema_with_its_retry_after(client):
    client.force_login(UserFactory())
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/contracts/"]["get"]
    assert operation["responses"]["429"]["headers"]["Retry-After"]["schema"]["type"] == "integer"
    assert operation["responses"]["429"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_the_throttle_rates_are_settings_with_defaults():
    assert base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {"anon": "30/minute", "user": "120/minute"}
    assert base.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ]
