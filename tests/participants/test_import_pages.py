"""The upload page (a background job with its progress), the ImportRun list and detail pages, and
`manage.py import_bundle` (in the foreground, as before)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from participants.models import ImportRun, JourneyEvent, Referral, Role
from tests.factories import OrganisationFactory, StaffFactory, SubcontractorFactory

from .import_support import SMALL, damaged_zip, small, with_rows, zip_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads_folder(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FLIGHTPATH_RECOMPUTE_TASKS = []  # the recompute after an import is tested with the service
    return settings.MEDIA_ROOT / "imports"


@pytest.fixture
def manager(client):
    staff = StaffFactory(role=Role.PERFORMANCE_MANAGER, organisation=OrganisationFactory(ref="T-PRIME"))
    client.force_login(staff.user)
    return staff.user


def zipped(files: dict[str, str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("bundle.zip", zip_bytes(files), content_type="application/zip")


def left_in(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*")) if folder.exists() else []


def test_upload_page_shows_the_form_and_the_upload_limit(client, manager, settings):
    settings.FLIGHTPATH_UPLOAD_MAX_BYTES = 200 * 1024**2
    response = client.get(reverse("import-new"))
    assert response.status_code == 200
    assert b'type="file"' in response.content and b"multiple" in response.content
    assert "Up to 200 MiB in all." in response.content.decode()


def test_key_worker_may_not_import(client):
    staff = StaffFactory(role=Role.KEY_WORKER)
    client.force_login(staff.user)
    assert client.get(reverse("import-new")).status_code == 403
    assert client.get(reverse("import-list")).status_code == 403


def test_a_subcontractors_performance_manager_may_not_import(client, uploads_folder):
    """Issue 10: their role's model permission let them upload into the prime's contracts."""
    staff = StaffFactory(role=Role.PERFORMANCE_MANAGER, organisation=SubcontractorFactory(ref="T-SUB"))
    client.force_login(staff.user)
    assert client.get(reverse("import-new")).status_code == 403
    assert client.post(reverse("import-new"), {"files": zipped(SMALL)}).status_code == 403
    assert not ImportRun.objects.exists() and left_in(uploads_folder) == []


def test_an_upload_is_kept_privately_and_queued_then_the_job_imports_it_and_removes_it(
    client, manager, uploads_folder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as job:
        response = client.post(reverse("import-new"), {"files": zipped(SMALL)})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import-detail", args=[run.pk])
    assert (run.status, run.user, run.source) == (ImportRun.Status.QUEUED, manager, "upload: bundle.zip")
    # Streamed to its own folder under MEDIA_ROOT (not the system's temporary folder), byte for byte.
    [kept] = [path for path in left_in(uploads_folder) if path.is_file()]
    assert kept.name == "bundle.zip" and kept.read_bytes() == zip_bytes(SMALL)
    assert run.upload == str(kept.relative_to(uploads_folder.parent))

    page = client.get(response["Location"]).content.decode()
    assert "Queued" in page and "<progress" in page and 'hx-trigger="every 2s"' in page
    assert not Referral.objects.exists()

    [send] = job
    send()  # the commit's callback: in-process mode, so the job runs now
    run.refresh_from_db()
    assert (run.status, run.progress, run.upload) == (ImportRun.Status.SUCCEEDED, 100, "")
    assert Referral.objects.count() == 3 and left_in(uploads_folder) == []
    page = client.get(response["Location"]).content.decode()
    assert "Succeeded" in page and "events.csv" in page
    assert "hx-trigger" not in page and "<progress" not in page  # polling stops once the run has ended
    listing = client.get(reverse("import-list"))
    assert listing.status_code == 200 and reverse("import-detail", args=[run.pk]).encode() in listing.content


def test_the_run_page_answers_htmx_with_the_run_alone_and_its_step(client, manager):
    run = ImportRun.objects.create(
        user=manager,
        source="upload: b.zip",
        status=ImportRun.Status.RUNNING,
        progress=30,
        message="checking and writing 1,234 rows",
    )
    response = client.get(reverse("import-detail", args=[run.pk]), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content
    assert 'id="import-run"' in content
    assert "Checking and writing 1,234 rows" in content and 'value="30"' in content
    assert 'hx-trigger="every 2s"' in content


def test_uploading_the_csv_files_together_imports_them(client, manager, django_capture_on_commit_callbacks):
    files = [SimpleUploadedFile(name, text.encode(), content_type="text/csv") for name, text in SMALL.items()]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-new"), {"files": files})
    assert response.status_code == 302
    assert JourneyEvent.objects.count() == 5
    assert ImportRun.objects.get().status == ImportRun.Status.SUCCEEDED


def test_a_bad_bundle_is_rejected_on_its_page_with_every_error_and_writes_nothing(
    client, manager, uploads_folder, django_capture_on_commit_callbacks
):
    files = {**SMALL, **with_rows("events.csv", "T-1,R1,NOPE,2025-02-01,,", "T-1,R9,STARTED,2025-02-01,,")}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-new"), {"files": zipped(files)})
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REJECTED
    content = client.get(response["Location"]).content.decode()
    assert "Rejected" in content and "nothing was imported" in content
    assert "events.csv:7: event: unknown event code" in content
    assert "events.csv:8: referral_ref: unknown referral: &#x27;R9&#x27;" in content
    assert Referral.objects.count() == 0 and JourneyEvent.objects.count() == 0
    assert left_in(uploads_folder) == []


def test_a_zip_whose_data_fail_their_checksum_is_rejected_on_the_page(
    client, manager, django_capture_on_commit_callbacks
):
    """Issue 10: a server error before."""
    upload = SimpleUploadedFile("bundle.zip", damaged_zip(), content_type="application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-new"), {"files": upload})
    page = client.get(response["Location"])
    assert page.status_code == 200
    damaged = "events.csv:1: file: damaged in the .zip: its data fail their CRC-32 checksum"
    assert damaged in page.content.decode()
    assert ImportRun.objects.get().status == ImportRun.Status.REJECTED and not Referral.objects.exists()


def test_a_file_named_zip_that_is_not_one_is_a_form_error_and_queues_nothing(client, manager, uploads_folder):
    upload = SimpleUploadedFile("bundle.zip", b"not a zip at all", content_type="application/zip")
    response = client.post(reverse("import-new"), {"files": upload})
    assert response.status_code == 200
    assert "bundle.zip: not a .zip file" in response.content.decode()
    assert not ImportRun.objects.exists() and left_in(uploads_folder) == []


def test_an_upload_past_the_limit_is_refused_naming_the_limit_and_nothing_is_kept(
    client, manager, settings, uploads_folder
):
    settings.FLIGHTPATH_UPLOAD_MAX_BYTES = 2048
    stored = zip_bytes({**SMALL, "notes.csv": "x" * 5000}, compression=zipfile.ZIP_STORED)
    upload = SimpleUploadedFile("bundle.zip", stored, content_type="application/zip")
    response = client.post(reverse("import-new"), {"files": upload})
    content = response.content.decode()
    assert response.status_code == 200
    assert "is larger than the upload limit of 2 KiB" in content and "manage.py import_bundle" in content
    assert not ImportRun.objects.exists() and left_in(uploads_folder) == []


def test_mixing_a_zip_with_csv_files_is_a_form_error(client, manager, uploads_folder):
    files = [zipped(SMALL), SimpleUploadedFile("events.csv", b"x", content_type="text/csv")]
    response = client.post(reverse("import-new"), {"files": files})
    assert response.status_code == 200
    assert "Upload one .zip, or CSV files, not both." in response.content.decode()
    assert not ImportRun.objects.exists() and left_in(uploads_folder) == []


def test_the_upload_form_still_checks_its_csrf_token(manager):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager)
    assert strict.post(reverse("import-new"), {"files": zipped(SMALL)}).status_code == 403
    assert not ImportRun.objects.exists()


def test_runs_of_other_organisations_are_hidden(client, manager):
    other = StaffFactory(role=Role.CONTRACT_MANAGER, organisation=OrganisationFactory(ref="ELSEWHERE"))
    run = ImportRun.objects.create(user=other.user, source="x", contract_refs=["NOT-YOURS"])
    assert client.get(reverse("import-detail", args=[run.pk])).status_code == 404
    assert reverse("import-detail", args=[run.pk]).encode() not in client.get(reverse("import-list")).content


def test_command_imports_a_folder_in_the_foreground_and_prints_the_counts(tmp_path, settings):
    settings.FLIGHTPATH_UPLOAD_MAX_BYTES = 10  # the upload limit is not the command line's
    out = io.StringIO()
    call_command("import_bundle", str(small(tmp_path)), stdout=out)
    assert "events.csv: 5 added, 0 updated, 0 unchanged" in out.getvalue()
    run = ImportRun.objects.get()
    assert (run.source, run.status, run.user) == (str(tmp_path), ImportRun.Status.SUCCEEDED, None)


def test_command_fails_listing_every_bad_row(tmp_path):
    folder = small(tmp_path, **with_rows("referrals.csv", "T-1,R4,P4,2025-01-32,LTU,,,,,,,,,"))
    with pytest.raises(CommandError) as caught:
        call_command("import_bundle", str(folder))
    assert "referrals.csv:5: referral_date: not a date (expected YYYY-MM-DD): '2025-01-32'" in str(
        caught.value
    )
    assert Referral.objects.count() == 0


def test_command_rejects_a_path_that_is_not_a_bundle(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CommandError, match="not a folder or a .zip file"):
        call_command("import_bundle", str(tmp_path / "notes.txt"))
