"""Pages of the compliance app: standards with RAG and trend, failing items, the due-soon worklist and the
assurance records (DOMAIN.md 9, 13, 15). Thin: parse, call a selector or service, render.

Contract-level writes (tender standards, CMO samples and their records, PAT ratings, validation rounds) ask
`participants.access` for MANAGE_CONTRACT on the contract: the prime's performance and contract managers
only (404 outside the user's scope, 403 in it); the pages offer those buttons only where `access.can`
says so."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from participants import access
from participants.audit import log_access
from participants.errors import FlightpathError
from participants.exports import REFERRAL_CSV_COLUMNS, csv_response, excel_response, values_of
from participants.journey import report_groups
from participants.models import Contract, Referral, Staff, ValidationRound
from participants.params import error_text, parse_date, parse_id
from participants.selectors import latest_data_date, visible_contract

from . import charts
from .engine import MET, NOT_MET
from .filtersets import DueSoonFilterSet, FailingItemFilterSet
from .forms import CmoRecordForm, CmoSampleForm, PatRatingForm, TenderStandardForm, ValidationRoundForm
from .models import CmoSample, CmoSampleRecord, PatRating, Standard
from .selectors import pages as selectors_pages
from .selectors import standards as selectors
from .services import assurance as services_assurance
from .services import snapshots as services
from .tables import CmoSampleRecordTable, DueSoonTable, FailingItemTable

MANAGE = access.Action.MANAGE_CONTRACT
BACK = "compliance:assurance"  # where a form page's Cancel goes: the contract's assurance records
EXPORT_FIELDS = [
    "referral_ref",
    "group",
    "start_date",
    "deadline",
    "end_date",
    "age_working_days",
    "key_worker_name",
    "site_name",
]


def _standards_query(request, contract: Contract) -> selectors.StandardsQuery:
    """The query string with the default as-of: the latest snapshot, else the latest data date, else today."""
    params = request.GET.copy()
    if not params.get("as_of"):
        default = selectors_pages.default_as_of(contract) or latest_data_date(contract.pk) or date.today()
        params["as_of"] = default.isoformat()
    return selectors.standards_query(contract, params)


@login_required
def contract_standing(request, ref: str):
    """The standards panel of the contract overview (loaded there with htmx): how many standards are met at
    the latest snapshot, and the ones that are not."""
    contract = visible_contract(request.user, ref)
    as_of, rows = selectors_pages.standing(contract)
    return render(
        request,
        f"compliance/includes/standing{'_compact' if request.GET.get('compact') else ''}.html",
        {
            "contract": contract,
            "as_of": as_of,
            "rows": rows,
            "not_met": [r for r in rows if r.figures.status == NOT_MET],
            "met": sum(r.figures.status == MET for r in rows),
            "has_standards": bool(rows) or bool(selectors.contract_standards(contract)),
        },
    )


@login_required
def standards(request, ref: str):
    contract = visible_contract(request.user, ref)
    try:
        query = _standards_query(request, contract)
    except FlightpathError as exc:
        return render(
            request, "compliance/standards.html", {"contract": contract, "error": error_text(exc)}, status=400
        )
    rows = selectors_pages.standard_rows(contract, selectors.standards_figures(contract, query))
    trend = selectors_pages.standards_trend(contract, as_of=query.as_of, group=query.group)
    return render(
        request,
        "compliance/standards.html",
        {
            "contract": contract,
            "query": query,
            "rows": rows,
            "groups": report_groups(contract.programme.groups),
            "snapshot_dates": selectors.snapshot_dates(contract)[:36],
            "trend_json": charts.standards_trend(trend, rows),
            "can_manage": access.can(request.user, MANAGE, contract, in_scope=True),
        },
    )


# Contracts' own (tender) standards ------------------------------------------------------------------------


def _copied_standard(contract: Contract, code: str | None) -> dict:
    """Initial values copied from one of the contract's standards (?copy=CODE), to tighten a shipped one."""
    source = selectors.standard_by_code(contract, code) if code else None
    if source is None:
        return {}
    fields = TenderStandardForm.Meta.fields
    return {name: getattr(source, name) for name in fields}


@login_required
def tender_standard_edit(request, ref: str, pk: int | None = None):
    contract = visible_contract(request.user, ref)
    access.require(request.user, MANAGE, contract, in_scope=True)
    standard = get_object_or_404(Standard, contract=contract, pk=pk) if pk else Standard()
    form = TenderStandardForm(
        request.POST or None,
        instance=standard,
        contract=contract,
        initial=None if pk else _copied_standard(contract, request.GET.get("copy")),
    )
    if request.method == "POST" and form.is_valid():
        saved = services.save_tender_standard(contract=contract, standard=form.save(commit=False))
        messages.success(request, f"Saved {saved.code}. Its figures are being recomputed.")
        return redirect("compliance:standards", ref=contract.ref)
    return render(
        request,
        "compliance/tender_standard_form.html",
        {
            "contract": contract,
            "form": form,
            "standard": standard if pk else None,
            "shipped": selectors.contract_standards(contract),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def tender_standard_delete(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    access.require(request.user, MANAGE, contract, in_scope=True)
    standard = get_object_or_404(Standard, contract=contract, pk=pk)
    services.delete_tender_standard(contract=contract, standard=standard)
    messages.success(request, f"Deleted {standard.code}.")
    return redirect("compliance:standards", ref=contract.ref)


@login_required
def failing_items(request, ref: str, code: str):
    contract = visible_contract(request.user, ref)
    standard = selectors.standard_by_code(contract, code)
    if standard is None:
        return render(
            request,
            "compliance/failing_items.html",
            {"contract": contract, "error": f"{code} is not a standard of {contract.ref}."},
            status=404,
        )
    filterset = FailingItemFilterSet(request.GET, request=request, contract=contract)
    try:
        query = _standards_query(request, contract)
        if not filterset.is_valid():
            raise FlightpathError("; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()))
    except FlightpathError as exc:
        context = {"contract": contract, "standard": standard, "filter": filterset, "error": error_text(exc)}
        return render(request, "compliance/failing_items.html", context, status=400)
    rows = selectors_pages.failing_item_rows(
        contract, standard, query, user=request.user, filters=filterset.chosen()
    )
    export = request.GET.get("export")
    filename = f"{contract.ref}-{standard.code}-{query.as_of}-failing"
    if export == "csv":
        log_access(request, rows=rows)
        return csv_response(f"{filename}.csv", EXPORT_FIELDS, values_of(_iterate(rows), EXPORT_FIELDS))
    if export == "xlsx":
        log_access(request, rows=rows)
        return excel_response(
            f"{filename}.xlsx", EXPORT_FIELDS, values_of(_iterate(rows), EXPORT_FIELDS), sheet="Failing items"
        )
    table = FailingItemTable(rows)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "compliance/failing_items.html",
        {"contract": contract, "standard": standard, "query": query, "filter": filterset, "table": table},
    )


def _iterate(rows):
    return rows.iterator(chunk_size=5000) if hasattr(rows, "iterator") else iter(rows)


def _today(request) -> date:
    """Today in the site's time zone; `?today=` for looking at past data (demo bundles, screenshots)."""
    value = request.GET.get("today")
    return parse_date(value, field="today") if value else timezone.localdate()


@login_required
def due_soon(request):
    filterset = DueSoonFilterSet(request.GET, request=request)
    fragment = request.headers.get("HX-Request") == "true"
    try:
        today = _today(request)
        if not filterset.is_valid():
            raise FlightpathError("; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items()))
    except FlightpathError as exc:
        template = "compliance/due_soon_panel.html" if fragment else "compliance/due_soon.html"
        return render(request, template, {"filter": filterset, "error": error_text(exc)}, status=400)
    data = filterset.form.cleaned_data
    days = data.get("days")
    filterset.form.fields["days"].widget.attrs["placeholder"] = selectors_pages.due_soon_default_days()
    filters = selectors_pages.DueSoonFilters(
        days=selectors_pages.due_soon_default_days() if days is None else days,
        key_worker=getattr(data.get("key_worker"), "pk", None),
        site=getattr(data.get("site"), "pk", None),
        organisation=getattr(data.get("organisation"), "pk", None),
        state=data.get("state") or "",
    )
    rows = selectors_pages.due_soon_items(request.user, today=today, filters=filters)
    late = sum(1 for r in rows if r["late"])
    context = {"filter": filterset, "rows": rows, "today": today, "days": filters.days, "late": late}
    if fragment:
        # The caseload panel: what can still be prevented first, then the late ones.
        soonest = sorted(rows, key=lambda r: (r["late"], r["deadline"]))
        return render(
            request, "compliance/due_soon_panel.html", {**context, "rows": soonest, "due": len(rows) - late}
        )
    by = data.get("group_by") or ""
    grouped = selectors_pages.group_due_soon(rows, by) if by else [("", rows)]
    groups = []
    for i, (name, items) in enumerate(grouped):
        table = DueSoonTable(items, prefix=f"g{i}-" if by else "")
        RequestConfig(request, paginate={"per_page": 25 if by else 50}).configure(table)
        groups.append((name, len(items), table))
    return render(request, "compliance/due_soon.html", {**context, "groups": groups, "group_by": by})


# Assurance records (DOMAIN.md 13) ---------------------------------------------------------------------------


@login_required
def assurance(request, ref: str):
    contract = visible_contract(request.user, ref)
    samples = list(CmoSample.objects.filter(contract=contract))
    ratings = list(PatRating.objects.filter(contract=contract).select_related("owner"))
    flags = selectors_pages.pat_flags(ratings, today=timezone.localdate())
    return render(
        request,
        "compliance/assurance.html",
        {
            "contract": contract,
            "samples": samples,
            "ratings": [(r, flags.get(r.pk)) for r in ratings],
            "rounds": ValidationRound.objects.filter(contract=contract).order_by("-period_end", "-round"),
            "can_edit": access.can(request.user, MANAGE, contract, in_scope=True),
        },
    )


@login_required
def cmo_sample_new(request, ref: str):
    contract = visible_contract(request.user, ref)
    access.require(request.user, MANAGE, contract, in_scope=True)
    form = CmoSampleForm(request.POST or None, contract=contract)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        population = {k: d[k] for k in ("group", "organisation") if d.get(k)}
        try:
            sample = services_assurance.draw_cmo_sample(
                contract=contract,
                size=d["size"],
                period_start=d["period_start"],
                period_end=d["period_end"],
                check_date=d["check_date"],
                population_filter=population,
                seed=d.get("seed"),
            )
        except FlightpathError as exc:
            exc.add_to(form)
        else:
            messages.success(request, f"Drew {sample.size} of {sample.population_size} referrals.")
            return redirect("compliance:cmo-sample", ref=contract.ref, pk=sample.pk)
    return render(
        request,
        "compliance/form_page.html",
        {"contract": contract, "form": form, "title": "Draw a CMO sample", "back": BACK},
        status=400 if form.errors else 200,
    )


@login_required
def cmo_sample(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    if request.method == "POST":  # recording a check: the prime's managers only
        access.require(request.user, MANAGE, contract, in_scope=True)
    sample = get_object_or_404(CmoSample, contract=contract, pk=pk)
    # Only the sampled referrals the user may see (the sample's error rate counts them all).
    records = CmoSampleRecord.objects.filter(
        sample=sample, referral__in=Referral.objects.visible_to(request.user)
    ).select_related("referral", "sample")
    editing = None
    form = None
    error = None
    try:
        record_id = parse_id(request.POST.get("record") or request.GET.get("record"), field="record")
    except FlightpathError as exc:  # a link or form tampered with: the page, with the message, as a 400
        record_id, error = None, error_text(exc)
    if record_id:
        editing = get_object_or_404(records, pk=record_id)
        initial = {"self_check": editing.self_check, "cmo_result": editing.cmo_result, "notes": editing.notes}
        initial.update({f"item_{i}": editing.answers.get(item) for i, item in enumerate(sample.checklist)})
        form = CmoRecordForm(request.POST or None, initial=initial, checklist=sample.checklist)
    if request.method == "POST" and form is not None:
        if form.is_valid():
            try:
                services_assurance.record_check(
                    record=editing,
                    answers=form.answers(),
                    self_check=form.cleaned_data["self_check"],
                    cmo_result=form.cleaned_data["cmo_result"],
                    notes=form.cleaned_data["notes"],
                )
            except FlightpathError as exc:
                exc.add_to(form)
            else:
                messages.success(request, f"Saved the check of {editing.referral.ref}.")
                return redirect("compliance:cmo-sample", ref=contract.ref, pk=sample.pk)
    table = CmoSampleRecordTable(records)
    RequestConfig(request, paginate={"per_page": 100}).configure(table)
    available = selectors_pages.export_available_from(sample)
    return render(
        request,
        "compliance/cmo_sample.html",
        {
            "contract": contract,
            "sample": sample,
            "table": table,
            "errors": selectors_pages.sample_errors(sample),
            "export_from": available,
            "export_open": timezone.localdate() >= available,
            "editing": editing,
            "form": form,
            "can_edit": access.can(request.user, MANAGE, contract, in_scope=True),
            "error": error,
        },
        status=400 if error or (form is not None and form.errors) else 200,
    )


@login_required
def cmo_sample_export(request, ref: str, pk: int):
    """The sample list (CSV), available from the lead days before the check (seeds/003 para 39)."""
    contract = visible_contract(request.user, ref)
    sample = get_object_or_404(CmoSample, contract=contract, pk=pk)
    available = selectors_pages.export_available_from(sample)
    if timezone.localdate() < available:
        return HttpResponse(
            f"The sample list for the check on {sample.check_date:%d %b %Y} is available from "
            f"{available:%d %b %Y} ({selectors_pages.export_lead_days()} days before the check).",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    referrals = Referral.objects.visible_to(request.user).values("pk")
    rows = (
        sample.records.filter(referral__in=referrals)
        .order_by("position")
        .values_list("position", *[f"referral__{path}" for _, path in REFERRAL_CSV_COLUMNS])
    )
    log_access(request, rows=rows)
    return csv_response(
        f"{contract.ref}-cmo-sample-{sample.check_date}.csv",
        ["position", *[name for name, _ in REFERRAL_CSV_COLUMNS]],
        rows.iterator(),
    )


@login_required
def pat_rating_edit(request, ref: str, pk: int | None = None):
    contract = visible_contract(request.user, ref)
    access.require(request.user, MANAGE, contract, in_scope=True)
    instance = get_object_or_404(PatRating, contract=contract, pk=pk) if pk else None
    owners = Staff.objects.filter(organisation=contract.prime).order_by("name") | Staff.objects.filter(
        pk=getattr(instance, "owner_id", None)
    )
    initial = {}
    if instance is not None:
        initial = {
            "date": instance.date,
            "rating": instance.rating,
            "reasons": ", ".join(instance.reasons),
            "findings": instance.findings,
            "action_plan": instance.action_plan,
            "owner": instance.owner_id,
            "due_date": instance.due_date,
            "action_plan_done_on": instance.action_plan_done_on,
        }
    form = PatRatingForm(request.POST or None, initial=initial, owners=owners)
    if request.method == "POST" and form.is_valid():
        try:
            services_assurance.save_pat_rating(contract=contract, instance=instance, **form.cleaned_data)
        except FlightpathError as exc:
            exc.add_to(form)
        else:
            messages.success(request, "PAT rating saved.")
            return redirect(reverse("compliance:assurance", args=[contract.ref]) + "#pat")
    title = "Edit PAT rating" if instance else "Record a PAT rating"
    return render(
        request,
        "compliance/form_page.html",
        {"contract": contract, "form": form, "title": title, "back": BACK},
        status=400 if form.errors else 200,
    )


@login_required
def validation_round_edit(request, ref: str, pk: int | None = None):
    contract = visible_contract(request.user, ref)
    access.require(request.user, MANAGE, contract, in_scope=True)
    instance = get_object_or_404(ValidationRound, contract=contract, pk=pk) if pk else None
    initial = {}
    if instance is not None:
        initial = {
            f: getattr(instance, f) for f in ("round", "period_start", "period_end", "invalid_pct", "status")
        }
    form = ValidationRoundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services_assurance.save_validation_round(
                contract=contract, instance=instance, **form.cleaned_data
            )
        except FlightpathError as exc:
            exc.add_to(form)
        else:
            messages.success(request, "Validation round saved.")
            return redirect(reverse("compliance:assurance", args=[contract.ref]) + "#validation")
    title = f"Edit validation round {instance.round}" if instance else "Add a validation round"
    return render(
        request,
        "compliance/form_page.html",
        {"contract": contract, "form": form, "title": title, "back": BACK},
        status=400 if form.errors else 200,
    )
