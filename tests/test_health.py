"""/health/ reports database and broker (200 when both answer, 503 otherwise)."""

import pytest

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_health_is_200_when_database_and_broker_answer(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_is_503_when_the_broker_does_not_answer(client):
    previous = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/health/")
    finally:
        celery_app.conf.broker_url = previous
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"


def test_health_needs_no_login(client):
    response = client.get("/health/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
