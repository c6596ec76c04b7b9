"""The KPI targets page (issue 12; DOMAIN.md 11, 17.13), contracts/<ref>/kpis/targets/: a grid of one row per
unit and one column per KPI for a month and level, with the previous month copied forward into its blank
cells (shown, not saved), saved all-or-nothing; a spreadsheet upload; the download (`?export=csv|xlsx`).
Thin: who may comes from selectors.settable (participants.access), the work from services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from participants import access
from participants.access import Action
from participants.choices import Role
from participants.errors import FlightpathError
from participants.models import KpiCode, KpiLevel
from participants.params import parse_choice, parse_member, parse_month
from participants.selectors import visible_contract

from ...engine.months import month_first_day, month_of
from . import selectors, services, sheets
from .forms import UploadForm, cell_name, posted_cells
from .selectors import KPIS, Filters, Settable
from .services import TargetsRejected

PAGE_SIZE = 50  # rows of a grid page: 50 units x 10 KPIs stays well under DATA_UPLOAD_MAX_NUMBER_FIELDS
TEMPLATE = "performance/kpis/targets.html"
KPI_LABELS = dict(KpiCode.choices)
LEVEL_LABELS = {
    KpiLevel.STAFF: "Staff",
    **{value: label for value, label in KpiLevel.choices if value != "STAFF"},
}


def _contract(request, ref: str):
    contract = visible_contract(request.user, ref)
    access.require(request.user, Action.VIEW, contract, in_scope=True)
    return contract


def _previous(month: date) -> date:
    return month_first_day(month_of(month) - 1)


def _next(month: date) -> date:
    return month_first_day(month_of(month) + 1)


def _shown(value: Decimal | None) -> str:
    """A held target as a cell shows it: 3, 10.5 (not 3.00, 10.50)."""
    return "" if value is None else f"{value.normalize():f}"


@dataclass(frozen=True)
class State:
    """What the page shows: a month, a level, its filters and the page of units (from GET, or the hidden
    fields of a POST)."""

    month: date
    level: str
    filters: Filters
    page: str = ""

    def query(self, **extra) -> str:
        values = {
            "month": f"{self.month:%Y-%m}",
            "level": self.level,
            "site": self.filters.site,
            "organisation": self.filters.organisation,
            "role": self.filters.staff_role,
            "page": self.page,
            **extra,
        }
        return urlencode({key: value for key, value in values.items() if value})


def _state(data, contract, allowed: Settable) -> tuple[State, dict]:
    """The page's state from the request, and the filters' choices; FlightpathError (400) for a value that
    is not one, PermissionDenied for a level the user does not set."""
    options = {
        "sites": selectors.sites(contract, allowed.scope),
        "organisations": selectors.organisations(contract, allowed.scope),
    }
    raw_month = data.get("month")
    month = parse_month(raw_month) if raw_month else timezone.localdate().replace(day=1)
    level = parse_choice(data.get("level"), KpiLevel.values, field="level", default=KpiLevel.STAFF)
    if level not in allowed.levels:
        raise PermissionDenied(f"You do not set {level} targets.")
    site = organisation = role = ""
    if level == KpiLevel.STAFF:
        role = parse_choice(data.get("role"), ["", *Role.values], field="role", default="")
        if parse_member(
            data.get("site"), field="site", members=options["sites"], kind="site", of=contract.ref
        ):
            site = data["site"]
    if level in (KpiLevel.STAFF, KpiLevel.SITE) and parse_member(
        data.get("organisation"),
        field="organisation",
        members=options["organisations"],
        kind="delivering organisation",
        of=contract.ref,
    ):
        organisation = data["organisation"]
    return State(month, level, Filters(site, organisation, role), data.get("page", "")), options


def _grid(contract, state: State, allowed: Settable, *, typed=None, bad=None, copy: bool = False):
    """The page of units with a cell per KPI: what was typed (a re-shown POST), else the held target; with
    `copy`, blank cells filled from the previous month's targets. Three queries (four with `copy`)."""
    units = selectors.units(contract, state.level, scope=allowed.scope, filters=state.filters)
    page = Paginator(units, PAGE_SIZE).get_page(state.page)
    rows = [selectors.described(state.level, row) for row in page.object_list]
    refs = [row["ref"] for row in rows]
    held = selectors.targets(contract, state.level, state.month, refs)
    before = selectors.targets(contract, state.level, _previous(state.month), refs) if copy else {}
    typed, bad = typed or {}, bad or {}
    copied = 0
    for number, row in enumerate(rows):
        row["cells"] = []
        for kpi in KPIS:
            key = (row["ref"], kpi)
            value = typed[key] if key in typed else _shown(held.get(key))
            from_before = copy and not value.strip() and key in before
            if from_before:
                value, copied = _shown(before[key]), copied + 1
            row["cells"].append(
                {
                    "name": cell_name(row["ref"], kpi),
                    "id": f"cell-{number}-{kpi.lower()}",
                    "kpi": kpi,
                    "label": KPI_LABELS[kpi],
                    "value": value,
                    "copied": from_before,
                    "error": bad.get(key),
                    "held": _shown(held.get(key)),
                }
            )
    return page, rows, copied


def _render(request, contract, allowed, state, options, *, status=200, **context):
    grid = context.pop("grid", None)
    page, rows, copied = grid or _grid(contract, state, allowed)
    base = reverse("performance:kpi-targets", args=[contract.ref])
    context = {
        "contract": contract,
        "state": state,
        "options": options,
        "levels": [(level, LEVEL_LABELS[level]) for level in allowed.levels],
        "level_label": LEVEL_LABELS[state.level],
        "roles": Role.choices,
        "kpis": [(kpi, KPI_LABELS[kpi]) for kpi in KPIS],
        "page": page,
        "rows": rows,
        "copied": copied,
        "previous_month": _previous(state.month),
        "previous_url": f"{base}?{State(_previous(state.month), state.level, state.filters).query()}",
        "next_url": f"{base}?{State(_next(state.month), state.level, state.filters).query()}",
        "page_query": State(state.month, state.level, state.filters).query(),
        "upload_form": UploadForm(),
        **context,
    }
    return render(request, TEMPLATE, context, status=status)


def _refused(request, contract, allowed, error: FlightpathError):
    """A page parameter that is not one: the page for this month's defaults, with the error (400)."""
    state, options = _state({}, contract, allowed)
    return _render(request, contract, allowed, state, options, status=400, error=error)


def _saved_message(counts: services.TargetCounts, what: str) -> str:
    if not counts.written:
        return f"{what}: nothing changed."
    return (
        f"{what}: {counts.set} set, {counts.changed} changed, {counts.cleared} cleared. The KPI ratings are "
        "being recomputed in the background."
    )


@login_required
def targets_page(request, ref: str):
    contract = _contract(request, ref)
    allowed = selectors.settable(request.user, contract)
    data = request.POST if request.method == "POST" else request.GET
    try:
        state, options = _state(data, contract, allowed)
    except FlightpathError as error:
        return _refused(request, contract, allowed, error)
    if request.method != "POST":
        if (kind := request.GET.get("export")) in ("csv", "xlsx"):
            rows = selectors.download_rows(
                contract, state.level, state.month, scope=allowed.scope, filters=state.filters
            )
            return sheets.download(contract, state.level, state.month, rows, kind=kind)
        return _render(request, contract, allowed, state, options)
    action = request.POST.get("action", "")
    cells = posted_cells(request.POST)
    if action == "copy":
        grid = _grid(contract, state, allowed, typed=cells, copy=True)
        return _render(request, contract, allowed, state, options, grid=grid, copy_done=True)
    if action != "save":
        error = FlightpathError("Nothing to do: save the targets or copy the previous month forward.")
        return _render(request, contract, allowed, state, options, status=400, error=error)
    try:
        counts = services.save_grid(
            contract=contract,
            user=request.user,
            level=state.level,
            month=state.month,
            cells=cells,
            settable=allowed,
        )
    except TargetsRejected as rejected:
        grid = _grid(contract, state, allowed, typed=cells, bad=rejected.cells)
        return _render(request, contract, allowed, state, options, status=400, grid=grid, rejected=rejected)
    except FlightpathError as error:
        grid = _grid(contract, state, allowed, typed=cells)
        return _render(request, contract, allowed, state, options, status=400, grid=grid, error=error)
    messages.success(request, _saved_message(counts, f"Targets for {state.month:%B %Y} saved"))
    return redirect(f"{reverse('performance:kpi-targets', args=[contract.ref])}?{state.query()}")


@login_required
@require_POST
def upload_view(request, ref: str):
    """An uploaded spreadsheet of targets, upserted all-or-nothing; back to the page it was sent from."""
    contract = _contract(request, ref)
    allowed = selectors.settable(request.user, contract)
    try:
        state, options = _state(request.POST, contract, allowed)
    except FlightpathError as error:
        return _refused(request, contract, allowed, error)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["spreadsheet"]
        try:
            counts = services.upload_targets(
                contract=contract,
                user=request.user,
                frame=sheets.read_sheet(upload),
                settable=allowed,
                source=upload.name,
            )
        except TargetsRejected as rejected:
            return _render(
                request,
                contract,
                allowed,
                state,
                options,
                status=400,
                upload_form=form,
                upload_rejected=rejected,
            )
        except FlightpathError as error:
            error.add_to(form)
        else:
            messages.success(request, _saved_message(counts, f"{upload.name} loaded"))
            return redirect(f"{reverse('performance:kpi-targets', args=[contract.ref])}?{state.query()}")
    return _render(request, contract, allowed, state, options, status=400, upload_form=form)
