"""Import pages (DATA.md "Import bundle"): upload a bundle, list the runs, follow one run. Thin: the upload is
streamed to a private folder and queued (imports.uploads); the background job imports it with the service
`manage.py import_bundle` uses. The run's page polls itself (htmx) until the run ends."""

from __future__ import annotations

import django_tables2 as tables
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from ..errors import FlightpathError
from ..models import ImportRun
from . import uploads
from .forms import ImportBundleForm

POLL_SECONDS = 2


class ImportRunTable(tables.Table):
    id = tables.Column(verbose_name="Run", linkify=("import-detail", {"pk": tables.A("pk")}))
    started_at = tables.DateTimeColumn(format="j M Y H:i", verbose_name="Started")
    user = tables.Column(verbose_name="By", default="command line")
    source = tables.Column()
    status = tables.Column()
    contract_refs = tables.Column(verbose_name="Contracts", orderable=False)
    error_count = tables.Column(verbose_name="Errors")

    class Meta:
        model = ImportRun
        fields = ("id", "started_at", "user", "source", "status", "contract_refs", "error_count")
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_contract_refs(self, value):
        return ", ".join(value)


@login_required
def import_list(request):
    uploads.require_importer(request.user)
    table = ImportRunTable(ImportRun.objects.visible_to(request.user).select_related("user"))
    tables.RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "participants/import_list.html", {"table": table})


# The upload handler must be in place before the body is read, and the CSRF check reads it: so this view is
# exempt and `_import_new` checks the token (Django's documented pattern for per-view upload handlers).
@csrf_exempt
@login_required
def import_new(request):
    uploads.require_importer(request.user)
    context = {"form": ImportBundleForm(), "limit": uploads.size_text(settings.FLIGHTPATH_UPLOAD_MAX_BYTES)}
    if request.method == "POST" and uploads.request_size(request) > settings.FLIGHTPATH_UPLOAD_MAX_BYTES:
        # Refused from its Content-Length, before a byte of it is read.
        context["upload_error"] = uploads.too_large(uploads.request_size(request)).message
        return render(request, "participants/import_new.html", context)
    handler = uploads.BundleUploadHandler(request, field="files", limit=settings.FLIGHTPATH_UPLOAD_MAX_BYTES)
    request.upload_handlers = [handler]
    try:
        return _import_new(request, handler, context)
    finally:
        handler.discard()


@csrf_protect
def _import_new(request, handler: uploads.BundleUploadHandler, context: dict):
    if request.method != "POST":
        return render(request, "participants/import_new.html", context)
    if handler.exceeded:
        context["upload_error"] = uploads.too_large().message
        return render(request, "participants/import_new.html", context)
    form = context["form"] = ImportBundleForm(request.POST, request.FILES)
    if form.is_valid():
        files = form.cleaned_data["files"]
        try:
            run = uploads.queue_upload(
                user=request.user, files=files, source="upload: " + ", ".join(f.name for f in files)
            )
        except FlightpathError as exc:
            form.add_error("files", exc.message)
        else:
            handler.kept = True
            return redirect("import-detail", pk=run.pk)
    return render(request, "participants/import_new.html", context)


@login_required
def import_detail(request, pk: int):
    """The run, with its progress while it is queued or running; htmx asks again every POLL_SECONDS for the
    run's part of the page alone, until the run ends."""
    uploads.require_importer(request.user)
    run = get_object_or_404(ImportRun.objects.visible_to(request.user).select_related("user"), pk=pk)
    context = {"run": run, "more": run.error_count - len(run.errors), "poll_seconds": POLL_SECONDS}
    if request.headers.get("HX-Request"):
        return render(request, "participants/import_run.html", context)
    return render(request, "participants/import_detail.html", context)
