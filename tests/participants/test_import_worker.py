"""Uploads that really commit (TESTING.md): through a real Celery worker and the Redis broker, where the
upload's request ends before the import starts; and in the in-process mode (no broker), where the job runs
right after the upload commits, within the request (the API's 201 and 400)."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.celery import app
from participants.models import ImportRun, Referral, Role
from tests.compliance.test_worker import restore_seeded_rows  # noqa: F401 (module fixture: seeded rows back)
from tests.factories import OrganisationFactory, StaffFactory

from .import_support import SMALL, with_rows, zip_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(settings, tmp_path) -> APIClient:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FLIGHTPATH_RECOMPUTE_TASKS = []
    staff = StaffFactory(role=Role.CONTRACT_MANAGER, organisation=OrganisationFactory(ref="T-PRIME"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.create(user=staff.user).key)
    return client


def post(api: APIClient, files: dict[str, str]):
    upload = SimpleUploadedFile("bundle.zip", zip_bytes(files), content_type="application/zip")
    return api.post(reverse("api-import-list"), {"bundle": upload}, format="multipart")


def test_in_process_an_import_finished_within_the_request_answers_201_with_its_counts(api, settings):
    response = post(api, SMALL)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "SUCCEEDED" and body["counts"]["referrals.csv"]["added"] == 3
    assert ImportRun.objects.get(pk=body["id"]).upload == ""
    assert not list((settings.MEDIA_ROOT / "imports").iterdir())


def test_in_process_a_bundle_rejected_within_the_request_answers_400_with_every_error(api):
    response = post(api, {**SMALL, **with_rows("events.csv", "T-1,R9,STARTED,2025-02-01,,")})
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == ["events.csv:7: referral_ref: unknown referral: 'R9'"]
    assert (body["status"], body["error_count"]) == ("REJECTED", 1)
    assert not Referral.objects.exists()


def test_a_real_worker_imports_an_upload_after_its_request_has_answered(api, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            response = post(api, SMALL)
            assert response.status_code == 202 and response.json()["status"] == "QUEUED"
            detail = reverse("api-import-detail", args=[response.json()["id"]])
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                body = api.get(detail).json()
                if body["status"] not in ("QUEUED", "RUNNING"):
                    break
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = True
    assert body["status"] == "SUCCEEDED", body
    assert (body["progress"], body["counts"]["events.csv"]["added"]) == (100, 5)
    assert Referral.objects.count() == 3
    assert not list((settings.MEDIA_ROOT / "imports").iterdir())
