"""The KPI pages (DOMAIN.md 11, 17.12-15): ratings with their trend, the KPI table behind a rating with the
referrals behind each actual, the PIP a rating proposes, PIPs, and scores on the doors. Thin: the scope and
the rule come from participants.access and performance.querysets; the work from selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from participants import access
from participants.access import Action
from participants.errors import FlightpathError
from participants.models import KpiCode, KpiLevel, Referral
from participants.params import parse_choice, parse_month
from participants.selectors import visible_contract

from ..engine.months import month_first_day, month_of
from ..models import KpiRating, Pip, PipAction
from ..models.kpis import PipLevel
from ..querysets import visible_sites
from . import selectors, services
from .engine import AMBER, GREEN, RED
from .forms import ActionForm, CloseForm, DismissForm, RaisePipForm, ReviewForm
from .targets.selectors import may_set
from .units import pip_units

RAG_CLASSES = {GREEN: "kpi-rating kpi-green", AMBER: "kpi-rating kpi-amber", RED: "kpi-rating kpi-red"}
KPI_LABELS = dict(KpiCode.choices)


def _contract(request, ref: str):
    contract = visible_contract(request.user, ref)
    access.require(request.user, Action.VIEW, contract, in_scope=True)
    return contract


def may_manage(user, contract, level: str) -> bool:
    """A PIP or a proposal is the prime's managers' (MANAGE_CONTRACT); a subcontractor's, its partnerships
    manager's too (MANAGE_SUBCONTRACTORS) (DOMAIN.md 1, 11)."""
    if access.can(user, Action.MANAGE_CONTRACT, contract, in_scope=True):
        return True
    return level == KpiLevel.ORGANISATION and access.can(
        user, Action.MANAGE_SUBCONTRACTORS, contract, in_scope=True
    )


def _require_manage(user, contract, level: str) -> None:
    if not may_manage(user, contract, level):
        raise PermissionDenied(
            "Only the prime's managers (and, for a subcontractor, its partnerships manager) act on KPI "
            "ratings and PIPs."
        )


def _rating(request, contract, pk: int) -> KpiRating:
    return get_object_or_404(KpiRating.objects.filter(contract=contract).visible_to(request.user), pk=pk)


@login_required
def ratings_page(request, ref: str):
    contract = _contract(request, ref)
    quarters = selectors.rated_quarters(contract)
    context = {
        "contract": contract,
        "quarters": quarters,
        "levels": KpiLevel.choices,
        "rag_classes": RAG_CLASSES,
        "may_set_targets": may_set(request.user, contract),
    }
    try:
        level = parse_choice(request.GET.get("level"), ["", *KpiLevel.values], field="level", default="")
        quarter = (
            parse_month(request.GET["quarter"], field="quarter")
            if request.GET.get("quarter")
            else (quarters[0] if quarters else None)
        )
    except FlightpathError as error:
        return render(request, "performance/kpis/ratings.html", {**context, "error": error}, status=400)
    rows = (
        selectors.ratings_with_trend(contract, request.user, quarter_end=quarter, level=level)
        if quarter
        else []
    )
    counts = {rag: sum(1 for row in rows if row.rating.rag == rag) for rag in (GREEN, AMBER, RED)}
    return render(
        request,
        "performance/kpis/ratings.html",
        {**context, "rows": rows, "quarter": quarter, "level": level, "counts": counts},
    )


@login_required
def rating_page(request, ref: str, pk: int, *, dismiss_form=None, status=200):
    contract = _contract(request, ref)
    rating = _rating(request, contract, pk)
    kpis = [{**row, "label": KPI_LABELS.get(row["kpi"], row["kpi"])} for row in rating.kpis]
    return render(
        request,
        "performance/kpis/rating.html",
        {
            "contract": contract,
            "rating": rating,
            "kpis": kpis,
            "rag_classes": RAG_CLASSES,
            "may_manage": may_manage(request.user, contract, rating.level),
            "dismiss_form": dismiss_form or DismissForm(),
            "pips": list(rating.pips.all()),
        },
        status=status,
    )


@login_required
@require_POST
def accept_view(request, ref: str, pk: int):
    contract = _contract(request, ref)
    rating = _rating(request, contract, pk)
    _require_manage(request.user, contract, rating.level)
    try:
        pip = services.accept_proposal(rating=rating, user=request.user)
    except FlightpathError as error:
        messages.error(request, error.message)
        return redirect("performance:kpi-rating", contract.ref, rating.pk)
    messages.success(request, "PIP raised: add its SMART actions.")
    return redirect("performance:pip-detail", contract.ref, pip.pk)


@login_required
@require_POST
def dismiss_view(request, ref: str, pk: int):
    contract = _contract(request, ref)
    rating = _rating(request, contract, pk)
    _require_manage(request.user, contract, rating.level)
    form = DismissForm(request.POST)
    if not form.is_valid():
        return rating_page(request, ref, pk, dismiss_form=form, status=400)
    try:
        services.dismiss_proposal(rating=rating, user=request.user, reason=form.cleaned_data["reason"])
    except FlightpathError as error:
        form.add_error(error.field, error.message)
        return rating_page(request, ref, pk, dismiss_form=form, status=400)
    messages.success(request, "PIP dismissed.")
    return redirect("performance:kpi-rating", contract.ref, rating.pk)


@login_required
def referrals_page(request, ref: str, pk: int):
    """The referrals behind one actual (`?kpi=`) of a rating (drill-down), those the user may see, 50 a
    page."""
    contract = _contract(request, ref)
    rating = _rating(request, contract, pk)
    kpi = request.GET.get("kpi", "")
    if kpi not in {row["kpi"] for row in rating.kpis}:
        return render(
            request,
            "performance/kpis/referrals.html",
            {"contract": contract, "rating": rating, "error": f"kpi: {kpi!r} is not judged in this rating."},
            status=400,
        )
    frame = selectors.credited_referrals(
        contract, level=rating.level, ref=rating.ref, kpi=kpi, quarter_end=rating.quarter_end
    )
    visible = set(
        Referral.objects.visible_to(request.user)
        .filter(contract=contract, ref__in=frame["referral_ref"].unique().tolist())
        .values_list("ref", flat=True)
    )
    items = [
        {"referral_ref": r, "date": d} for r, d in frame.itertuples(index=False, name=None) if r in visible
    ]
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "performance/kpis/referrals.html",
        {
            "contract": contract,
            "rating": rating,
            "kpi": kpi,
            "label": KPI_LABELS.get(kpi, kpi),
            "page": page,
            "total": len(frame),
            "shown": len(items),
        },
    )


def _raisable_levels(user, contract) -> set[str]:
    return {level for level in PipLevel.values if may_manage(user, contract, level)}


@login_required
def pip_list(request, ref: str):
    """The PIPs the user looks after; their managers raise one by hand for a unit they see."""
    contract = _contract(request, ref)
    levels = _raisable_levels(request.user, contract)
    form, status = None, 200
    if levels:
        units = pip_units(contract, request.user, levels=levels)
        form = RaisePipForm(request.POST or None, units=units, initial={"opened_on": timezone.localdate()})
    if request.method == "POST":
        if form is None:
            _require_manage(request.user, contract, PipLevel.CONTRACT)
        if form.is_valid():
            try:
                pip = services.raise_pip(contract=contract, user=request.user, **form.cleaned_data)
            except FlightpathError as error:
                error.add_to(form)
            else:
                messages.success(request, f"PIP raised for {pip.name or pip.ref}.")
                return redirect("performance:pip-detail", contract.ref, pip.pk)
        status = 400
    pips = Pip.objects.filter(contract=contract).visible_to(request.user).prefetch_related("actions")
    return render(
        request,
        "performance/kpis/pip_list.html",
        {"contract": contract, "pips": pips, "form": form},
        status=status,
    )


def _owners(contract):
    organisations = [contract.prime_id, *contract.delivery_organisations.values_list("pk", flat=True)]
    return (
        get_user_model()
        .objects.filter(staff__organisation__in=organisations, is_active=True)
        .order_by("first_name", "username")
        .distinct()
    )


@login_required
def pip_page(request, ref: str, pk: int):
    """A PIP: its SMART actions, reviews and outcome; its managers add actions, hold reviews and close it."""
    contract = _contract(request, ref)
    pip = get_object_or_404(Pip.objects.filter(contract=contract).visible_to(request.user), pk=pk)
    manage = may_manage(request.user, contract, pip.level)
    forms = {
        "action": ActionForm(owners=_owners(contract)),
        "review": ReviewForm(),
        "close": CloseForm(initial={"closed_on": timezone.localdate()}),
    }
    status = 200
    if request.method == "POST":
        _require_manage(request.user, contract, pip.level)
        which = request.POST.get("form", "")
        try:
            if which == "action":
                forms["action"] = form = ActionForm(request.POST, owners=_owners(contract))
                if form.is_valid():
                    services.add_action(pip=pip, **form.cleaned_data)
                    return redirect("performance:pip-detail", contract.ref, pip.pk)
            elif which == "status":
                action = get_object_or_404(PipAction, pip=pip, pk=request.POST.get("action"))
                services.set_action_status(action=action, status=request.POST.get("status", ""))
                return redirect("performance:pip-detail", contract.ref, pip.pk)
            elif which == "review":
                forms["review"] = form = ReviewForm(request.POST)
                if form.is_valid():
                    services.record_review(pip=pip, **form.cleaned_data)
                    return redirect("performance:pip-detail", contract.ref, pip.pk)
            elif which == "close":
                forms["close"] = form = CloseForm(request.POST)
                if form.is_valid():
                    services.close_pip(pip=pip, **form.cleaned_data)
                    return redirect("performance:pip-detail", contract.ref, pip.pk)
            else:
                messages.error(request, "Nothing to save: choose a form.")
        except FlightpathError as error:
            messages.error(request, f"{error.field}: {error.message}" if error.field else error.message)
        status = 400
    today = timezone.localdate()
    return render(
        request,
        "performance/kpis/pip.html",
        {
            "contract": contract,
            "pip": pip,
            "may_manage": manage,
            "forms": forms,
            "today": today,
            "statuses": PipAction.Status.choices,
        },
        status=status,
    )


@login_required
def scores_page(request, ref: str):
    """Scores on the doors (DOMAIN.md 14): this month's league table by key worker within each site the
    user sees."""
    contract = _contract(request, ref)
    today = timezone.localdate()
    try:
        month = month_of(parse_month(request.GET["month"])) if request.GET.get("month") else month_of(today)
    except FlightpathError as error:
        return render(
            request, "performance/kpis/scores.html", {"contract": contract, "error": error}, status=400
        )
    sites = visible_sites(request.user)
    refs = None if sites is None else set(sites.values_list("ref", flat=True))
    leagues = selectors.leagues(contract, month, site_refs=refs)
    labels = {code: label for code, label in KpiCode.choices}
    return render(
        request,
        "performance/kpis/scores.html",
        {
            "contract": contract,
            "leagues": [{"league": league, "labels": [labels[k] for k in league.kpis]} for league in leagues],
            "month_date": month_first_day(month),
        },
    )
