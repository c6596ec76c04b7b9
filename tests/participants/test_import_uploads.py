"""Background uploads (issue 10; participants.imports.uploads): the upload streamed to a private folder in
chunks and cut off past the limit, the job that claims a queued run once, reports its progress, removes the
upload, and records an error of the system as FAILED."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from participants.imports import services, writer
from participants.imports.uploads import (
    IMPORT_JOB,
    BundleUploadHandler,
    StoredUpload,
    queue_upload,
    run_upload,
    uploads_root,
)
from participants.jobs import JobClaimed
from participants.models import ImportRun, JobRun, Referral, Role
from tests.factories import OrganisationFactory, StaffFactory

from .import_support import SMALL, zip_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FLIGHTPATH_RECOMPUTE_TASKS = []
    return settings.MEDIA_ROOT


@pytest.fixture
def uploader():
    return StaffFactory(role=Role.PERFORMANCE_MANAGER, organisation=OrganisationFactory(ref="T-PRIME")).user


class CountingHandler(BundleUploadHandler):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.chunks: list[int] = []

    def receive_data_chunk(self, raw_data, start):
        self.chunks.append(len(raw_data))
        return super().receive_data_chunk(raw_data, start)


def parse(handler: BundleUploadHandler, data: bytes, **more):
    body = encode_multipart(
        BOUNDARY, {"csrfmiddlewaretoken": "token", "bundle": SimpleUploadedFile("bundle.zip", data), **more}
    )
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    return MultiPartParser(meta, io.BytesIO(body), [handler]).parse()


def stored(data: bytes, name: str = "bundle.zip") -> tuple[BundleUploadHandler, StoredUpload]:
    """What the handler leaves for the view: the file on disk in its own folder."""
    handler = BundleUploadHandler(field="bundle", limit=10**9)
    handler.new_file("bundle", name, "application/zip", len(data))
    for start in range(0, len(data), 1000):
        handler.receive_data_chunk(data[start : start + 1000], start)
    return handler, handler.file_complete(len(data))


def queued(user, django_capture_on_commit_callbacks, data: bytes | None = None) -> ImportRun:
    _, upload = stored(zip_bytes(SMALL) if data is None else data)
    with django_capture_on_commit_callbacks(execute=False):
        return queue_upload(user=user, files=[upload], source="upload: bundle.zip")


def test_an_upload_is_written_to_a_private_folder_chunk_by_chunk_never_whole_in_memory(settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024**2  # Django's handlers would keep this one in memory
    data = bytes(range(256)) * 1024  # 256 KiB
    handler = CountingHandler(field="bundle", limit=1024**2)
    post, files = parse(handler, data)
    upload = files["bundle"]
    assert isinstance(upload, StoredUpload) and upload.path.read_bytes() == data
    assert upload.path.parent.parent == uploads_root() and upload.size == len(data)
    assert len(handler.chunks) >= 4 and max(handler.chunks) <= 64 * 1024  # the parser's chunks, one at a time
    assert post["csrfmiddlewaretoken"] == "token"


def test_only_the_bundles_field_is_stored():
    handler = BundleUploadHandler(field="bundle", limit=1024**2)
    _, files = parse(handler, b"PK", extra=SimpleUploadedFile("events.csv", b"smuggled"))
    assert "extra" not in files and [path.name for path in handler.folder.iterdir()] == ["bundle.zip"]


def test_past_the_limit_the_handler_stops_storing_and_keeps_nothing():
    handler = BundleUploadHandler(field="bundle", limit=100_000)
    post, files = parse(handler, bytes(range(256)) * 1024)
    assert handler.exceeded and "bundle" not in files
    assert post["csrfmiddlewaretoken"] == "token"  # the rest of the form is still read
    assert [path for path in handler.folder.iterdir()] == []
    handler.discard()
    assert not handler.folder.exists()


def test_a_queued_upload_is_imported_once_a_second_run_of_the_job_does_nothing(
    uploader, django_capture_on_commit_callbacks
):
    run = queued(uploader, django_capture_on_commit_callbacks)
    folder = uploads_root() / Path(run.upload).parts[1]
    assert folder.is_dir() and run.status == ImportRun.Status.QUEUED
    assert run_upload(import_run_id=run.pk) == ImportRun.Status.SUCCEEDED
    run.refresh_from_db()
    assert run.counts["events.csv"] == {"added": 5, "updated": 0, "unchanged": 0}
    assert (run.upload, run.progress) == ("", 100) and not folder.exists()
    job = JobRun.objects.get(kind=f"{IMPORT_JOB}.{run.pk}")
    assert (job.status, job.params) == (JobRun.Status.SUCCEEDED, {"import_run": run.pk})

    # The task delivered again (a worker that acked late, say): nothing is imported or recorded twice.
    assert run_upload(import_run_id=run.pk) == ImportRun.Status.SUCCEEDED
    assert ImportRun.objects.count() == 1 and JobRun.objects.count() == 1
    run.refresh_from_db()
    assert run.counts["events.csv"] == {"added": 5, "updated": 0, "unchanged": 0}
    assert Referral.objects.count() == 3


def test_the_job_reports_its_step_on_the_run_while_it_imports(
    uploader, django_capture_on_commit_callbacks, monkeypatch
):
    run = queued(uploader, django_capture_on_commit_callbacks)
    seen = []
    write = services._validate_and_write

    def watched(**kwargs):
        seen.append(ImportRun.objects.values_list("status", "progress", "message").get(pk=run.pk))
        return write(**kwargs)

    monkeypatch.setattr(services, "_validate_and_write", watched)
    run_upload(import_run_id=run.pk)
    assert seen == [(ImportRun.Status.RUNNING, 30, "checking and writing 11 rows")]


def test_a_run_left_running_by_a_stopped_worker_is_taken_over(uploader, django_capture_on_commit_callbacks):
    run = queued(uploader, django_capture_on_commit_callbacks)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, progress=30)
    assert run_upload(import_run_id=run.pk) == ImportRun.Status.SUCCEEDED
    assert Referral.objects.count() == 3


def test_while_another_worker_runs_the_same_upload_the_job_is_retried_later_and_keeps_the_upload(
    uploader, django_capture_on_commit_callbacks
):
    run = queued(uploader, django_capture_on_commit_callbacks)
    JobRun.objects.create(kind=f"{IMPORT_JOB}.{run.pk}", params={"import_run": run.pk})
    with pytest.raises(JobClaimed):  # the task retries it later (RETRY_WHEN_CLAIMED), to find it done
        run_upload(import_run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.QUEUED
    assert (uploads_root().parent / run.upload).is_file()


def test_an_error_of_the_system_is_recorded_failed_on_the_run_and_the_job_not_raised(
    uploader, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    run = queued(uploader, django_capture_on_commit_callbacks)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "_merge_ddas", broken)
    assert run_upload(import_run_id=run.pk) == ImportRun.Status.FAILED
    run.refresh_from_db()
    assert (run.status, run.errors, run.upload) == (ImportRun.Status.FAILED, ["RuntimeError: disk full"], "")
    assert JobRun.objects.get(kind=f"{IMPORT_JOB}.{run.pk}").status == JobRun.Status.FAILED
    assert not Referral.objects.exists() and f"import {run.pk} failed" in caplog.text


def test_an_upload_the_worker_cannot_find_fails_saying_where_it_looked(
    uploader, django_capture_on_commit_callbacks
):
    run = queued(uploader, django_capture_on_commit_callbacks)
    path = uploads_root().parent / run.upload
    path.unlink()
    assert run_upload(import_run_id=run.pk) == ImportRun.Status.FAILED
    run.refresh_from_db()
    assert run.errors == [f"the upload is not in {path} (the web and the workers must share MEDIA_ROOT)"]
