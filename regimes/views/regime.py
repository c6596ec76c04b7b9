"""Pages of the regimes app: the regime of a contract (state, recommendations, decisions), what's due (per
person and per contract), the private calendar feed and the contract timeline. Thin: parse, select, call a
service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from participants import access
from participants.access import Action
from participants.errors import FlightpathError
from participants.selectors import visible_contract
from performance.kpis.selectors import pip_actions_due

from ..forms.regime import DecisionForm, DismissForm, DueFilterForm, TimelineFilterForm
from ..models import Obligation, Recommendation
from ..selectors import calendar, timeline
from ..selectors.obligations import contract_obligations, owner_obligations, with_status
from ..selectors.recommendations import contract_recommendations
from ..selectors.state import decision_history, regime_state
from ..services.decisions import RuleRefused, dismiss_recommendation, record_decision
from ..services.feeds import feed_of, rotate_feed


def _may_decide(user, contract) -> bool:
    return access.can(user, Action.RECORD_DECISION, contract, in_scope=True) or access.can(
        user, Action.RECORD_DECISION_FOR_DWP, contract, in_scope=True
    )


def _require_decider(user, contract) -> None:
    if not _may_decide(user, contract):
        raise PermissionDenied(access.REFUSALS[Action.RECORD_DECISION])


def _prefill(recommendation: Recommendation) -> dict:
    """The decision a confirmation records, pre-filled from the recommendation (17.6)."""
    initial = {
        "decision": recommendation.decision_kind,
        "recommendation": recommendation.pk,
        "reason": recommendation.message,
    }
    if recommendation.group:
        initial["group"] = recommendation.group
    if recommendation.quarter_end:
        initial["quarter_end"] = f"{recommendation.quarter_end:%Y-%m}"
    if recommendation.pin_id:
        initial["pin"] = str(recommendation.pin_id)
    if recommendation.indicator:
        initial["indicator"] = recommendation.indicator
    return initial


def _regime_page(request, contract, *, form=None, dismiss_form=None, error: str = "", status: int = 200):
    state = regime_state(contract)
    may_decide = _may_decide(request.user, contract)
    if form is None and may_decide:
        initial = {}
        confirm = request.GET.get("confirm")
        if confirm and confirm.isdigit():
            rec = Recommendation.objects.filter(
                contract=contract, pk=int(confirm), status=Recommendation.Status.OPEN
            ).first()
            initial = _prefill(rec) if rec and rec.decision_kind else {}
        form = DecisionForm(initial=initial, contract=contract, state=state)
    context = {
        "contract": contract,
        "state": state,
        "recommendations": list(contract_recommendations(contract, status=Recommendation.Status.OPEN)),
        "decided_recommendations": list(
            contract_recommendations(contract).exclude(status=Recommendation.Status.OPEN)[:20]
        ),
        "decisions": decision_history(contract),
        "obligations": list(contract_obligations(contract).filter(status=Obligation.Status.OPEN)),
        "may_decide": may_decide,
        "records_for_dwp": may_decide
        and not access.can(request.user, Action.RECORD_DECISION, contract, in_scope=True),
        "form": form,
        "dismiss_form": dismiss_form,
        "error": error,
    }
    return render(request, "regimes/regime.html", context, status=status)


@login_required
def regime(request, ref: str):
    contract = visible_contract(request.user, ref)
    access.require(request.user, Action.VIEW, contract, in_scope=True)
    return _regime_page(request, contract)


@login_required
def standing(request, ref: str):
    """The regime panel of the contract overview (htmx): state, open recommendations and obligations."""
    contract = visible_contract(request.user, ref)
    access.require(request.user, Action.VIEW, contract, in_scope=True)
    return render(
        request,
        "regimes/includes/standing.html",
        {
            "contract": contract,
            "state": regime_state(contract),
            "open_recommendations": contract_recommendations(
                contract, status=Recommendation.Status.OPEN
            ).count(),
            "obligations": list(contract_obligations(contract).filter(status=Obligation.Status.OPEN)[:5]),
        },
    )


@login_required
@require_POST
def decide(request, ref: str):
    contract = visible_contract(request.user, ref)
    _require_decider(request.user, contract)
    state = regime_state(contract)
    form = DecisionForm(request.POST, contract=contract, state=state)
    if not form.is_valid():
        return _regime_page(request, contract, form=form, status=400)
    recommendation = None
    if form.cleaned_data.get("recommendation"):
        recommendation = Recommendation.objects.filter(
            contract=contract, pk=form.cleaned_data["recommendation"], status=Recommendation.Status.OPEN
        ).first()
        if recommendation is None:
            form.add_error(None, "This recommendation is no longer open.")
            return _regime_page(request, contract, form=form, status=400)
    try:
        recorded = record_decision(
            contract=contract, user=request.user, recommendation=recommendation, **form.service_arguments()
        )
    except RuleRefused as exc:
        return _regime_page(request, contract, form=form, error=exc.message, status=409)
    except FlightpathError as exc:
        exc.add_to(form)
        return _regime_page(request, contract, form=form, status=400)
    owed = ", ".join(f"{o.get_kind_display()} by {o.due_date:%d %b %Y}" for o in recorded.obligations)
    messages.success(request, f"Recorded: {recorded.decision}." + (f" Owed: {owed}." if owed else ""))
    return redirect("regimes:regime", ref=contract.ref)


@login_required
@require_POST
def dismiss(request, ref: str):
    contract = visible_contract(request.user, ref)
    _require_decider(request.user, contract)
    form = DismissForm(request.POST)
    if not form.is_valid():
        return _regime_page(
            request,
            contract,
            dismiss_form=form,
            error="Give a reason to dismiss a recommendation.",
            status=400,
        )
    rec = Recommendation.objects.filter(contract=contract, pk=form.cleaned_data["recommendation"]).first()
    if rec is None:
        raise Http404("No such recommendation.")
    try:
        dismiss_recommendation(recommendation=rec, user=request.user, reason=form.cleaned_data["reason"])
    except RuleRefused as exc:
        return _regime_page(request, contract, error=exc.message, status=409)
    messages.success(request, f"Dismissed: {rec.message}.")
    return redirect("regimes:regime", ref=contract.ref)


def _due_rows(queryset, form: DueFilterForm):
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    kind = form.cleaned_data.get("kind") if form.is_valid() else ""
    if kind:
        queryset = queryset.filter(kind=kind)
    if status in ("OPEN", "OVERDUE", "DONE"):
        return with_status(queryset, status)
    if status == "ALL":
        return queryset
    return queryset.filter(status=Obligation.Status.OPEN)


@login_required
def due_mine(request):
    form = DueFilterForm(request.GET)
    rows = list(_due_rows(owner_obligations(request.user), form)[:500])
    feed = feed_of(user=request.user)
    feed_url = request.build_absolute_uri(reverse("regimes:feed", args=[feed.token]))
    today = timezone.localdate()
    pip_actions = [(a, a.due_date < today) for a in pip_actions_due(request.user)[:500]]
    return render(
        request,
        "regimes/due.html",
        {
            "rows": rows,
            "filter": {"form": form},
            "mine": True,
            "feed_url": feed_url,
            "pip_actions": pip_actions,
        },
    )


@login_required
def due_contract(request, ref: str):
    contract = visible_contract(request.user, ref)
    access.require(request.user, Action.VIEW, contract, in_scope=True)
    form = DueFilterForm(request.GET)
    rows = list(_due_rows(contract_obligations(contract), form)[:500])
    return render(request, "regimes/due.html", {"rows": rows, "filter": {"form": form}, "contract": contract})


@login_required
@require_POST
def feed_rotate(request):
    rotate_feed(user=request.user)
    messages.success(request, "Your calendar feed has a new private address; the old one no longer works.")
    # From the Security page (issue 11) back to it; from anywhere else to the "What's due" page.
    return redirect("security" if request.POST.get("back") == "security" else "regimes:due-mine")


def feed(request, token: str):
    """No login (calendar apps cannot sign in): the secret token is the key and scopes it to its user."""
    user = calendar.feed_user(token)
    if user is None:
        raise Http404("No such feed.")
    response = HttpResponse(calendar.obligations_calendar(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="flightpath-due.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def timeline_page(request, ref: str):
    contract = visible_contract(request.user, ref)
    access.require(request.user, Action.VIEW, contract, in_scope=True)
    form = TimelineFilterForm(request.GET, kinds=timeline.kinds())
    if not form.is_valid():
        return render(
            request,
            "regimes/timeline.html",
            {"contract": contract, "filter": {"form": form}, "entries": []},
            status=400,
        )
    data = form.cleaned_data
    entries = timeline.entries(
        contract, kind=data.get("kind") or "", since=data.get("since"), until=data.get("until")
    )
    return render(
        request, "regimes/timeline.html", {"contract": contract, "filter": {"form": form}, "entries": entries}
    )
