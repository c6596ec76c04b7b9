"""The upload page, the ImportRun list and detail pages, and `manage.py import_bundle`."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from participants.models import ImportRun, JourneyEvent, Referral, Role
from tests.factories import OrganisationFactory, StaffFactory

from .import_support import SMALL, small, with_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    staff = StaffFactory(role=Role.PERFORMANCE_MANAGER, organisation=OrganisationFactory(ref="T-PRIME"))
    client.force_login(staff.user)
    return staff.user


def zipped(files: dict[str, str]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"bundle/{name}", text)
    return SimpleUploadedFile("bundle.zip", buffer.getvalue(), content_type="application/zip")


def test_upload_page_shows_the_form(client, manager):
    response = client.get(reverse("import-new"))
    assert response.status_code == 200
    assert b'type="file"' in response.content and b"multiple" in response.content


def test_key_worker_may_not_import(client):
    staff = StaffFactory(role=Role.KEY_WORKER)
    client.force_login(staff.user)
    assert client.get(reverse("import-new")).status_code == 403
    assert client.get(reverse("import-list")).status_code == 403


def test_uploading_a_zip_imports_it_and_shows_the_run(client, manager):
    response = client.post(reverse("import-new"), {"files": zipped(SMALL)})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import-detail", args=[run.pk])
    assert (run.status, run.user, run.source) == (ImportRun.Status.SUCCEEDED, manager, "upload: bundle.zip")
    assert Referral.objects.count() == 3
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"events.csv" in page.content and b"Succeeded" in page.content
    listing = client.get(reverse("import-list"))
    assert listing.status_code == 200 and reverse("import-detail", args=[run.pk]).encode() in listing.content


def test_uploading_the_csv_files_together_imports_them(client, manager):
    files = [SimpleUploadedFile(name, text.encode(), content_type="text/csv") for name, text in SMALL.items()]
    response = client.post(reverse("import-new"), {"files": files})
    assert response.status_code == 302
    assert JourneyEvent.objects.count() == 5


def test_a_bad_bundle_shows_every_error_and_writes_nothing(client, manager):
    files = {**SMALL, **with_rows("events.csv", "T-1,R1,NOPE,2025-02-01,,", "T-1,R9,STARTED,2025-02-01,,")}
    response = client.post(reverse("import-new"), {"files": zipped(files)})
    assert response.status_code == 200
    content = response.content.decode()
    assert "nothing was imported" in content
    assert "events.csv:7: event: unknown event code" in content
    assert "events.csv:8: referral_ref: unknown referral: &#x27;R9&#x27;" in content
    assert 'name="files"' in content  # the form is shown again
    assert Referral.objects.count() == 0 and JourneyEvent.objects.count() == 0
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


def test_mixing_a_zip_with_csv_files_is_a_form_error(client, manager):
    files = [zipped(SMALL), SimpleUploadedFile("events.csv", b"x", content_type="text/csv")]
    response = client.post(reverse("import-new"), {"files": files})
    assert response.status_code == 200
    assert "Upload one .zip, or CSV files, not both." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_runs_of_other_organisations_are_hidden(client, manager):
    other = StaffFactory(role=Role.CONTRACT_MANAGER, organisation=OrganisationFactory(ref="ELSEWHERE"))
    run = ImportRun.objects.create(user=other.user, source="x", contract_refs=["NOT-YOURS"])
    assert client.get(reverse("import-detail", args=[run.pk])).status_code == 404


def test_command_imports_a_folder_and_prints_the_counts(tmp_path):
    out = io.StringIO()
    call_command("import_bundle", str(small(tmp_path)), stdout=out)
    assert "events.csv: 5 added, 0 updated, 0 unchanged" in out.getvalue()
    assert ImportRun.objects.get().source == str(tmp_path)


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
