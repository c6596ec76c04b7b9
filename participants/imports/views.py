"""Import pages (DATA.md "Import bundle"): upload a bundle, list the runs, show one run. Thin: the upload
is saved to a temporary folder and handed to the same service as `manage.py import_bundle`, which checks
the bundle against the uploader. The pages are for the prime's performance and contract managers
(`access`: Action.IMPORT, 403 for anyone else)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from .. import access
from ..errors import FlightpathError
from ..models import Contract, ImportRun
from .checks import BundleRejected
from .forms import ImportBundleForm
from .services import import_bundle

LIST_LIMIT = 200


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


def _visible_runs(user, runs: list[ImportRun]) -> list[ImportRun]:
    """Runs the user started, or whose contracts they may all see (superusers: every run)."""
    if user.is_superuser:
        return runs
    visible = set(Contract.objects.visible_to(user).values_list("ref", flat=True))
    return [
        run
        for run in runs
        if run.user_id == user.pk or (run.contract_refs and set(run.contract_refs) <= visible)
    ]


@login_required
def import_list(request):
    access.require(request.user, access.Action.IMPORT)
    table = ImportRunTable(
        _visible_runs(request.user, list(ImportRun.objects.select_related("user")[:LIST_LIMIT]))
    )
    tables.RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "participants/import_list.html", {"table": table})


@login_required
def import_new(request):
    access.require(request.user, access.Action.IMPORT)
    form = ImportBundleForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["files"]
        with tempfile.TemporaryDirectory(prefix="flightpath-import-") as folder:
            if len(files) == 1 and files[0].name.lower().endswith(".zip"):
                path = Path(folder) / "bundle.zip"
                _save(files[0], path)
            else:
                path = Path(folder)
                for upload in files:
                    _save(upload, path / Path(upload.name).name)
            try:
                result = import_bundle(
                    path=path, user=request.user, source="upload: " + ", ".join(f.name for f in files)
                )
            except BundleRejected as exc:
                context.update(
                    errors=exc.errors,
                    error_count=exc.error_count,
                    rejected=True,
                    more=exc.error_count - len(exc.errors),
                )
                return render(request, "participants/import_new.html", context)
            except FlightpathError as exc:
                form.add_error("files", exc.message)
                return render(request, "participants/import_new.html", context)
        messages.success(request, f"Import {result.run.pk} succeeded.")
        return redirect("import-detail", pk=result.run.pk)
    return render(request, "participants/import_new.html", context)


def _save(upload, path: Path) -> None:
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)


@login_required
def import_detail(request, pk: int):
    access.require(request.user, access.Action.IMPORT)
    run = get_object_or_404(ImportRun.objects.select_related("user"), pk=pk)
    if not _visible_runs(request.user, [run]):
        raise Http404("No such import.")
    return render(
        request, "participants/import_detail.html", {"run": run, "more": run.error_count - len(run.errors)}
    )
