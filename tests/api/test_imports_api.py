"""`POST /api/v1/imports/`, `GET /api/v1/imports/` and `GET /api/v1/imports/{id}/` (DATA.md "MI API v1"):
202 and polling, 400 with the errors, 403 for who may not import, 404 outside scope, in the schema. The
201 / 400 answered within the request (in-process mode) are in tests/participants/test_import_worker.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from participants.models import ImportRun, Referral, Role
from tests.factories import ContractFactory, OrganisationFactory, StaffFactory, SubcontractorFactory
from tests.participants.import_support import SMALL, damaged_zip, with_rows, zip_bytes

pytestmark = pytest.mark.django_db

LIST = reverse("api-import-list")


@pytest.fixture(autouse=True)
def uploads_folder(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FLIGHTPATH_RECOMPUTE_TASKS = []
    return settings.MEDIA_ROOT / "imports"


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.create(user=user).key)
    return client


@pytest.fixture
def prime():
    return OrganisationFactory(ref="T-PRIME")


@pytest.fixture
def manager(prime):
    return StaffFactory(role=Role.PERFORMANCE_MANAGER, organisation=prime).user


def bundle(data: bytes, name: str = "bundle.zip") -> dict:
    return {"bundle": SimpleUploadedFile(name, data, content_type="application/zip")}


def left_in(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*")) if folder.exists() else []


def test_post_queues_the_import_answering_202_then_the_run_shows_its_progress_and_result(
    manager, django_capture_on_commit_callbacks
):
    api = client_for(manager)
    with django_capture_on_commit_callbacks(execute=False) as job:
        response = api.post(LIST, bundle(zip_bytes(SMALL)), format="multipart")
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["progress"], body["source"], body["user"]) == (
        "QUEUED",
        0,
        "api: bundle.zip",
        manager.username,
    )
    detail = reverse("api-import-detail", args=[body["id"]])
    assert api.get(detail).json()["status"] == "QUEUED"

    [send] = job
    send()
    body = api.get(detail).json()
    assert (body["status"], body["progress"], body["error_count"]) == ("SUCCEEDED", 100, 0)
    assert body["counts"]["events.csv"] == {"added": 5, "updated": 0, "unchanged": 0}
    assert body["contract_refs"] == ["T-1"] and set(body["checksums"]) == set(SMALL)
    assert Referral.objects.count() == 3


def test_a_bundle_with_bad_rows_ends_rejected_with_every_error_and_writes_nothing(
    manager, django_capture_on_commit_callbacks
):
    api = client_for(manager)
    files = {**SMALL, **with_rows("events.csv", "T-1,R1,NOPE,2025-02-01,,", "T-1,R9,STARTED,2025-02-01,,")}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(LIST, bundle(zip_bytes(files)), format="multipart")
    body = api.get(reverse("api-import-detail", args=[response.json()["id"]])).json()
    assert body["status"] == "REJECTED" and body["error_count"] == 2
    assert body["errors"][1] == "events.csv:8: referral_ref: unknown referral: 'R9'"
    assert not Referral.objects.exists()


def test_a_zip_whose_data_fail_their_checksum_ends_rejected_not_a_server_error(
    manager, django_capture_on_commit_callbacks
):
    api = client_for(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(LIST, bundle(damaged_zip()), format="multipart")
    assert response.status_code == 202
    body = api.get(reverse("api-import-detail", args=[response.json()["id"]])).json()
    assert body["status"] == "REJECTED"
    assert body["errors"] == [
        "events.csv:1: file: damaged in the .zip: its data fail their CRC-32 checksum (make the .zip again)"
    ]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"bundle": SimpleUploadedFile("bundle.zip", b"PK but no zip")}, "bundle.zip: not a .zip file"),
        ({"notes": "no file"}, "bundle: No file was submitted."),
    ],
)
def test_what_is_known_at_once_is_a_400_with_the_errors_and_records_nothing(
    manager, uploads_folder, data, error
):
    response = client_for(manager).post(LIST, data, format="multipart")
    assert (response.status_code, response.json()) == (400, {"errors": [error]})
    assert not ImportRun.objects.exists() and left_in(uploads_folder) == []


def test_a_zip_unpacking_past_the_import_limit_is_a_400_at_once(manager, settings):
    settings.FLIGHTPATH_IMPORT_MAX_BYTES = 100
    response = client_for(manager).post(LIST, bundle(zip_bytes(SMALL)), format="multipart")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error.startswith("bundle.zip: unpacks to ") and error.endswith("more than the limit of 100")


def test_an_upload_past_the_upload_limit_is_a_400_naming_the_limit(manager, settings, uploads_folder):
    settings.FLIGHTPATH_UPLOAD_MAX_BYTES = 1024
    data = zip_bytes({**SMALL, "notes.csv": "x" * 4000}, compression=zipfile.ZIP_STORED)
    response = client_for(manager).post(LIST, bundle(data), format="multipart")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert "is larger than the upload limit of 1 KiB" in error and "manage.py import_bundle" in error
    assert not ImportRun.objects.exists() and left_in(uploads_folder) == []


def test_a_body_that_is_not_multipart_is_a_400_with_the_errors(manager):
    response = client_for(manager).post(LIST, {"bundle": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0].startswith("bundle: Unsupported media type")


@pytest.mark.parametrize(
    "role", [Role.KEY_WORKER, Role.PARTNERSHIPS_MANAGER, Role.CLAIMS_OFFICER, Role.DWP_CONTACT]
)
def test_roles_that_do_not_import_get_403_and_nothing_is_kept(prime, role, uploads_folder):
    staff = StaffFactory(role=role, organisation=None if role == Role.DWP_CONTACT else prime)
    api = client_for(staff.user)
    assert api.post(LIST, bundle(zip_bytes(SMALL)), format="multipart").status_code == 403
    assert api.get(LIST).status_code == 403
    assert not ImportRun.objects.exists() and left_in(uploads_folder) == []


def test_a_subcontractors_performance_manager_gets_403_at_once(prime, uploads_folder):
    """Issue 10: they imported into the prime's contracts."""
    staff = StaffFactory(role=Role.PERFORMANCE_MANAGER, organisation=SubcontractorFactory(parent=prime))
    response = client_for(staff.user).post(LIST, bundle(zip_bytes(SMALL)), format="multipart")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the prime's performance and contract managers import data for its contracts."
    }
    assert not ImportRun.objects.exists() and left_in(uploads_folder) == []


def test_no_credentials_is_refused(uploads_folder):
    response = APIClient().post(LIST, bundle(zip_bytes(SMALL)), format="multipart")
    assert response.status_code in (401, 403)
    assert left_in(uploads_folder) == []


def test_the_list_holds_the_callers_imports_and_their_primes_not_anothers(
    prime, manager, django_assert_max_num_queries
):
    ContractFactory(ref="T-1", prime=prime)
    ContractFactory(ref="ELSE-1", prime=OrganisationFactory(ref="ELSE"))
    colleague = StaffFactory(role=Role.CONTRACT_MANAGER, organisation=prime).user
    own = ImportRun.objects.create(user=manager, source="mine", status=ImportRun.Status.QUEUED)
    primes = ImportRun.objects.create(user=colleague, source="colleague's", contract_refs=["T-1"])
    ImportRun.objects.create(user=colleague, source="colleague's, not read yet", contract_refs=[])
    ImportRun.objects.create(source="command line, both", contract_refs=["T-1", "ELSE-1"])
    other = ImportRun.objects.create(source="another prime's", contract_refs=["ELSE-1"])
    api = client_for(manager)
    with django_assert_max_num_queries(6):
        body = api.get(LIST).json()
    assert body["count"] == 2 and {run["id"] for run in body["results"]} == {own.pk, primes.pk}
    assert api.get(reverse("api-import-detail", args=[other.pk])).status_code == 404
    assert api.get(reverse("api-import-detail", args=[primes.pk])).status_code == 200


def test_the_schema_documents_the_imports_endpoints_and_their_answers(manager):
    api = APIClient()
    api.force_authenticate(manager)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    create = schema["paths"]["/api/v1/imports/"]["post"]
    assert {"201", "202", "400", "403"} <= set(create["responses"])
    assert "multipart/form-data" in create["requestBody"]["content"]
    assert "get" in schema["paths"]["/api/v1/imports/"] and "get" in schema["paths"]["/api/v1/imports/{id}/"]
    assert schema["components"]["schemas"]["ImportRunStatusEnum"]["enum"] == [
        "QUEUED",
        "RUNNING",
        "SUCCEEDED",
        "REJECTED",
        "FAILED",
    ]
