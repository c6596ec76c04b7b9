"""Uploaded bundles (the upload page and `POST /api/v1/imports/`) import in a background job (issue 10).

The request streams the upload straight to a private folder under MEDIA_ROOT (`BundleUploadHandler`: never
whole in memory, refused past settings.FLIGHTPATH_UPLOAD_MAX_BYTES), checks what it can at once and queues
an ImportRun (`queue_upload`). The job (`run_upload`, task participants.tasks.import_upload) claims the run
once, imports it with the service the command line uses, reporting its progress on the run, and removes the
upload. A second delivery of the task for the same run finds it done and does nothing. The command line
(`manage.py import_bundle`) keeps importing in the foreground, with no upload limit.
"""

from __future__ import annotations

import logging
import shutil
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.utils import timezone

from .. import access
from ..errors import FlightpathError
from ..jobs import JobClaimed, enqueue, job_run
from ..models import ImportRun
from ..roles import Action
from .reading import bundle_members
from .services import import_bundle

logger = logging.getLogger(__name__)

UPLOADS = "imports"  # the private folder under MEDIA_ROOT (never served: MEDIA_ROOT has no URL)
IMPORT_JOB = "participants.import"  # claimed per run: "participants.import.<ImportRun id>"
IMPORT_TASK = "participants.tasks.import_upload"
PENDING = (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)


def uploads_root() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOADS


def require_importer(user) -> None:
    """The importer's half of the rule before anything is read (access: the role imports, at a prime; 403
    otherwise). Which contracts and organisations the bundle may name is checked by the import itself,
    against the uploader."""
    access.require(user, Action.IMPORT)


def size_text(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


def too_large(size: int | None = None) -> FlightpathError:
    limit = settings.FLIGHTPATH_UPLOAD_MAX_BYTES
    what = f"The upload ({size_text(size)})" if size else "The upload"
    return FlightpathError(
        f"{what} is larger than the upload limit of {size_text(limit)}. Split the bundle, or ask an "
        "administrator to import it on the command line (manage.py import_bundle), which has no such limit.",
        field="bundle",
    )


def request_size(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class StoredUpload(UploadedFile):
    """An uploaded file as the handler wrote it to disk, with its `path`."""

    def __init__(self, path: Path, name: str, content_type, charset, content_type_extra):
        super().__init__(path.open("wb+"), name, content_type, 0, charset, content_type_extra)
        self.path = path


class BundleUploadHandler(FileUploadHandler):
    """Streams the files of one request's `field` into a new folder under MEDIA_ROOT/imports/, chunk by
    chunk (files of any other field are dropped unread, so the folder holds the bundle and nothing else), and
    stops storing once they pass the upload limit (`exceeded`; the rest is read and dropped). `discard()`
    removes the folder unless a queued run took it (`kept`)."""

    def __init__(self, request=None, *, field: str, limit: int):
        super().__init__(request)
        self.field = field
        self.limit = limit
        self.folder: Path | None = None
        self.received = 0
        self.exceeded = False
        self.kept = False

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != self.field:
            raise SkipFile
        if self.folder is None:
            self.folder = uploads_root() / uuid.uuid4().hex
            self.folder.mkdir(parents=True)
        path = self.folder / _safe_name(file_name)
        self.file = StoredUpload(path, file_name, self.content_type, self.charset, self.content_type_extra)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            self.file.close()
            self.file.path.unlink(missing_ok=True)
            raise SkipFile
        self.file.write(raw_data)
        return None  # nothing left for another handler: the chunk is on disk

    def file_complete(self, file_size: int) -> StoredUpload:
        upload = self.file
        del self.file  # a file skipped later makes the parser close `file`: never a completed one
        upload.flush()
        upload.seek(0)
        upload.size = file_size
        return upload

    def discard(self) -> None:
        if self.folder is not None and not self.kept:
            shutil.rmtree(self.folder, ignore_errors=True)


def _safe_name(name: str) -> str:
    """The file's own name, with nothing in it that could leave the folder or hide in a listing."""
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(name).name)
    return cleaned.lstrip(".") or "upload"


@transaction.atomic
def queue_upload(*, user, files: list[StoredUpload], source: str, zip_only: bool = False) -> ImportRun:
    """Queue the import of uploaded files (one .zip of a bundle, or its CSV files) once the caller's
    transaction commits. What the .zip's directory tells without unpacking it (not a .zip, too large once
    unpacked) is refused at once (FlightpathError) and queues nothing."""
    if not files:
        raise FlightpathError("No file was uploaded.", field="bundle")
    first = files[0].path
    if len(files) == 1 and (zip_only or first.suffix.lower() == ".zip"):
        if not zipfile.is_zipfile(first):
            raise FlightpathError(f"{files[0].name}: not a .zip file", field="bundle")
        bundle_members(first, max_bytes=settings.FLIGHTPATH_IMPORT_MAX_BYTES)
        bundle = first
    else:
        bundle = first.parent
    run = ImportRun.objects.create(
        user=user,
        source=source[:500],
        status=ImportRun.Status.QUEUED,
        message="waiting for the import job",
        upload=str(bundle.relative_to(Path(settings.MEDIA_ROOT))),
    )
    enqueue(IMPORT_TASK, run.pk)
    return run


def run_upload(*, import_run_id: int) -> str:
    """The background job of one upload: claim the queued run once, import it as the command line does,
    remove the upload; returns the run's status. The claim is the run's own (a task delivered twice at once:
    JobClaimed, retried later, then done already); two different uploads wait for each other on the
    import's lock, as two commands do. An error that is not the bundle's is recorded FAILED on the run and
    the job, and logged, not raised: in the in-process mode the job runs in the upload's request."""
    if not ImportRun.objects.filter(pk=import_run_id, status__in=PENDING).exists():
        return ImportRun.objects.filter(pk=import_run_id).values_list("status", flat=True).first() or "gone"
    try:
        with job_run(f"{IMPORT_JOB}.{import_run_id}", params={"import_run": import_run_id}) as job:
            return _claim_and_import(import_run_id, job)
    except JobClaimed:
        raise
    except Exception:
        logger.exception("import %s failed", import_run_id)
        return ImportRun.Status.FAILED


def _claim_and_import(import_run_id: int, job) -> str:
    # The run's claim is held, so a run still RUNNING was left by a worker that stopped (job_run took its
    # claim over; the write, all in one transaction, rolled back): it is run again. One already ended is not.
    claimed = ImportRun.objects.filter(pk=import_run_id, status__in=PENDING).update(
        status=ImportRun.Status.RUNNING, progress=5, message="reading the bundle"
    )
    run = ImportRun.objects.select_related("user").get(pk=import_run_id)
    if not claimed:
        return run.status
    path = Path(settings.MEDIA_ROOT) / run.upload
    if not run.upload or not path.exists():
        # A worker that does not share the web's MEDIA_ROOT, or an upload removed by hand: not the bundle's
        # fault, so FAILED, saying where the file was looked for.
        error = f"the upload is not in {path} (the web and the workers must share MEDIA_ROOT)"
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.FAILED,
            finished_at=timezone.now(),
            errors=[error],
            error_count=1,
            message="",
        )
        return ImportRun.Status.FAILED

    def report(percent: int, step: str) -> None:
        ImportRun.objects.filter(pk=run.pk).update(progress=percent, message=step[:200])
        job.report(percent, step)

    try:
        import_bundle(path=path, user=run.user, source=run.source, run=run, progress=report)
    except FlightpathError:
        pass  # recorded REJECTED, with every error, by import_bundle
    finally:
        _remove_upload(run)
    run.refresh_from_db(fields=["status"])
    return run.status


def _remove_upload(run: ImportRun) -> None:
    """The upload's own folder (MEDIA_ROOT/imports/<hex>/), whatever the run's outcome."""
    root = uploads_root().resolve()
    path = (Path(settings.MEDIA_ROOT) / run.upload).resolve()
    if path.is_relative_to(root) and path != root:
        shutil.rmtree(root / path.relative_to(root).parts[0], ignore_errors=True)
    ImportRun.objects.filter(pk=run.pk).update(upload="", progress=100, message="")
