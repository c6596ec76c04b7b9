"""The key workers' workspace pages (DOMAIN.md 1, 4, 11): caseloads, the participant page and its forms.

Thin views: parse input, call a selector or a service, render. Every row comes through `visible_to`
(404 outside the user's scope); every write asks `participants.access` for RECORD_JOURNEY on the referral
(the claim checklist: CHECK_CLAIMS), 403 for a role that may not, and the pages show a button only where
`access.can` says so. The small forms are rows of `actions.ACTIONS`, served by one generic view; the
pages that differ are written out below it."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from .. import access
from ..audit import log_access
from ..errors import FlightpathError
from ..models import (
    ActionPlan,
    EvidenceDocument,
    JourneyEvent,
    PeerSupportGroup,
    Referral,
    Staff,
)
from ..querysets import staff_of
from . import kpi_records
from . import person_selectors as person_sel
from . import selectors as sel
from . import services as services
from .actions import Action
from .filtersets import CaseloadFilterSet
from .forms import (
    ActionPlanForm,
    ClaimChecklistForm,
    ReviewForm,
    goal_formset,
)
from .tables import CaseloadTable

SECTIONS = ("jobs", "support", "kpi-records", "evidence", "notes", "history")
RECORD = access.Action.RECORD_JOURNEY  # every write of the workspace
CHECK_CLAIMS = access.Action.CHECK_CLAIMS  # the claim checklist


# Helpers ---------------------------------------------------------------------------------------------------


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _run(form, call) -> bool:
    """Call a service; a FlightpathError becomes an error on the field it names (or the whole form)."""
    try:
        call()
    except FlightpathError as exc:
        exc.add_to(form)
        return False
    return True


def _done(request, referral: Referral, message: str, *, to: str | None = None) -> HttpResponse:
    messages.success(request, message)
    # No #fragment: a redirect to the same path with only a new fragment would not reload the page.
    url = to or reverse("participant-detail", args=[referral.participant_id])
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _form_action(
    request,
    referral: Referral,
    *,
    form,
    title: str,
    submit: str,
    call,
    success: str,
    multipart: bool = False,
    needs: access.Action = RECORD,
) -> HttpResponse:
    """The shape of every small form: the user may take `needs` on the referral, which the caller found in
    their scope (403 otherwise, GET too); GET shows it, POST validates, calls the service, and on an error
    re-renders with what was typed and the message; inline (htmx) or as a page of its own."""
    access.require(request.user, needs, referral, in_scope=True)
    if request.method == "POST" and form.is_valid() and _run(form, lambda: call(form.cleaned_data)):
        return _done(request, referral, success)
    context = {
        "form": form,
        "title": title,
        "submit": submit,
        "referral": referral,
        "action": request.get_full_path(),
        "multipart": multipart,
    }
    if _is_htmx(request):
        return render(request, "participants/workspace/_form.html", context)
    return render(request, "participants/workspace/form_page.html", context)


# The small forms, as data ----------------------------------------------------------------------------------


def action_view(action: Action) -> Callable[..., HttpResponse]:
    """The view of one row of ACTIONS: find its target (404 outside the user's scope), then `_form_action`."""

    def view(request: HttpRequest, **url: int) -> HttpResponse:
        (target_id,) = url.values()  # each action's route has one argument, its target's id
        target = action.target.find(request.user, target_id)
        form = action.form(request.POST or None, request.FILES or None, **action.form_options(target))
        return _form_action(
            request,
            action.target.referral(target),
            form=form,
            title=action.title.format(object=target),
            submit=action.submit,
            call=lambda data: action.service(
                **{action.target.keyword: target}, user=request.user, **action.arguments(data)
            ),
            success=action.success,
            multipart=action.multipart,
        )

    view.__name__ = view.__qualname__ = action.name.replace("-", "_")
    return login_required(view)


# Caseloads -------------------------------------------------------------------------------------------------


@login_required
def caseload(request, team: bool = False):
    today = timezone.localdate()
    rows = sel.caseload(request.user, team=team, today=today)
    key_workers = None
    if team:
        key_workers = Staff.objects.filter(pk__in=rows.order_by().values("key_worker_id")).order_by("name")
    filterset = CaseloadFilterSet(request.GET, queryset=rows, team=team, key_workers=key_workers)
    filtered = filterset.qs if filterset.is_valid() else rows.none()
    table = CaseloadTable(filtered, today=today, team=team)
    RequestConfig(request, paginate={"per_page": 100 if team else 200}).configure(table)
    staff = staff_of(request.user)
    team_rows = sel.team_summary(sel.active(rows))
    context = {
        "table": table,
        "filter": filterset,
        "team": team,
        "staff": staff,
        "title": "Team caseload" if team else "My caseload",
        "summary": sel.caseload_summary(team_rows),
        "team_rows": team_rows if team else None,
    }
    return render(request, "participants/workspace/caseload.html", context)


@login_required
def team_caseload(request):
    return caseload(request, team=True)


# The participant page --------------------------------------------------------------------------------------


@login_required
def participant_detail(request, pk: int):
    participant = sel.visible_participant(request.user, pk)
    log_access(request, participants=[participant])
    referrals = sel.participant_page(participant, request.user)
    today = timezone.localdate()
    for referral in referrals:
        referral.can_record = access.can(request.user, RECORD, referral, in_scope=True)
        referral.psg = sel.current_psg(referral)
        referral.psg_label = PeerSupportGroup(referral.psg).label if referral.psg else ""
        referral.psg_moves = sel.psg_history(referral)
    return render(
        request,
        "participants/participant_detail.html",
        {
            "participant": participant,
            "referrals": referrals,
            "today": today,
            "sections": SECTIONS,
            "support": person_sel.participant_support_totals(participant, request.user),
            "can_edit": access.can(request.user, RECORD, participant, in_scope=True),
            "can_see_nino": access.can(request.user, access.Action.VIEW_NINO, participant, in_scope=True),
        },
    )


@login_required
def participant_section(request, pk: int, section: str):
    """A lazily loaded section of the participant page (htmx), so the page itself stays a few queries."""
    if section not in SECTIONS:
        raise Http404("No such section.")
    participant = sel.visible_participant(request.user, pk)
    log_access(request, participants=[participant])
    user = request.user
    context = {"participant": participant}
    if section == "jobs":
        context["jobs"] = sel.participant_jobs(participant, user)
        context["can_record"] = access.can(user, RECORD, participant, in_scope=True)
        context["contacts"] = sel.participant_in_work_contacts(participant, user)
    elif section == "evidence":
        context["documents"] = sel.participant_evidence(participant, user)
        context["claims"] = sel.participant_claims(participant, user)
        context["can_check_claims"] = access.can(user, CHECK_CLAIMS, participant, in_scope=True)
    elif section == "support":
        context["records"] = person_sel.participant_support(participant, user)
        context["totals"] = person_sel.participant_support_totals(participant, user)
    elif section == "kpi-records":
        context.update(kpi_records.participant_kpi_records(participant, user))
    elif section == "notes":
        context["notes"] = sel.participant_notes(participant, user)
    else:
        context["history"] = sel.participant_history(participant, user)
    return render(request, f"participants/workspace/section_{section.replace('-', '_')}.html", context)


# Evidence and claims ---------------------------------------------------------------------------------------


@login_required
def evidence_download(request, pk: int):
    """Evidence is private: served only here, to users who may see its referral (404 otherwise)."""
    document = get_object_or_404(
        EvidenceDocument.objects.filter(referral__in=Referral.objects.visible_to(request.user)), pk=pk
    )
    log_access(request, participants=[document.referral.participant])
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def claim_checklist(request, event_id: int):
    """A small form, but only claims officers may use it and it opens with the saved answers ticked."""
    event = get_object_or_404(
        JourneyEvent.objects.filter(
            referral__in=Referral.objects.visible_to(request.user), code__in=sel.CLAIM_CODES
        ).select_related("referral"),
        pk=event_id,
    )
    existing = getattr(event, "claim_checklist", None)
    initial = {f"item_{item}": ticked for item, ticked in (existing.answers if existing else {}).items()}
    initial["note"] = existing.note if existing else ""
    form = ClaimChecklistForm(request.POST or None, initial=initial)
    title = (
        f"Claim checklist: {event.get_code_display()} on {event.event_date:%d %b %Y}, "
        f"referral {event.referral.ref}"
    )
    return _form_action(
        request,
        event.referral,
        form=form,
        title=title,
        submit="Save checklist",
        call=lambda data: services.save_claim_checklist(
            event=event, answers=form.answers(), note=data["note"], user=request.user
        ),
        success="Claim checklist saved.",
        needs=CHECK_CLAIMS,
    )


# Action plans ----------------------------------------------------------------------------------------------


def _plan_page(request, referral: Referral, review_form: ReviewForm) -> HttpResponse:
    log_access(request, participants=[referral.participant])
    context = {
        "referral": referral,
        "today": timezone.localdate(),
        "review_form": review_form,
        "can_record": access.can(request.user, RECORD, referral, in_scope=True),
        **sel.action_plan_history(referral),
    }
    return render(request, "participants/workspace/action_plan.html", context)


@login_required
def action_plan(request, referral_id: int):
    return _plan_page(request, sel.visible_referral(request.user, referral_id), ReviewForm())


def _goals_from(formset) -> list[dict]:
    return [
        {
            "key": data.get("key") or "",
            "goal": data["goal"],
            "measure": data["measure"],
            "owner": data["owner"],
            "due_date": data["due_date"].isoformat(),
            "status": data["status"],
        }
        for data in formset.cleaned_data
        if data and not data.get("DELETE")
    ]


def _one_more(total: str) -> str:
    """The goal formset's TOTAL_FORMS plus one, for "add a goal". A value that is not a count is passed on
    as it came: the formset then reports its management form as broken, a form error rather than a 500."""
    try:
        return str(int(total) + 1)
    except ValueError:
        return total


@login_required
def action_plan_edit(request, referral_id: int):
    """Write or revise the plan. Optimistic locking: the form carries the version it was opened at; if
    someone saved since, the save is refused with a message and the typed text is shown again, untouched."""
    referral = sel.visible_referral(request.user, referral_id)
    access.require(request.user, RECORD, referral, in_scope=True)
    plan = ActionPlan.objects.filter(referral=referral).prefetch_related("goals").first()
    goals = list(plan.goals.all()) if plan else []
    formset_class = goal_formset(extra=1 if goals else 3)
    conflict_plan = None
    if request.method == "POST":
        data = request.POST.copy()
        if "add_goal" in data:
            data["goals-TOTAL_FORMS"] = _one_more(data.get("goals-TOTAL_FORMS", "0"))
        form, formset = ActionPlanForm(data), formset_class(data, prefix="goals")
        if "add_goal" not in data and form.is_valid() and formset.is_valid():
            try:
                services.save_action_plan(
                    referral=referral,
                    expected_version=form.cleaned_data["version"],
                    goals=_goals_from(formset),
                    agreed_on=form.cleaned_data["agreed_on"],
                    change_note=form.cleaned_data["change_note"],
                    user=request.user,
                )
                return _done(
                    request, referral, "Action plan saved.", to=reverse("action-plan", args=[referral.pk])
                )
            except services.ActionPlanConflict as exc:
                conflict_plan = ActionPlan.objects.prefetch_related("goals").get(referral=referral)
                data["version"] = str(conflict_plan.version)  # saving again now means "keep mine"
                form, formset = ActionPlanForm(data), formset_class(data, prefix="goals")
                form.is_valid()
                form.add_error(None, exc.message)
            except FlightpathError as exc:
                exc.add_to(form)
    else:
        form = ActionPlanForm(
            initial={"version": plan.version if plan else 0, "agreed_on": plan.agreed_on if plan else None}
        )
        formset = formset_class(
            prefix="goals",
            initial=[
                {
                    "key": g.key,
                    "goal": g.goal,
                    "measure": g.measure,
                    "owner": g.owner,
                    "due_date": g.due_date,
                    "status": g.status,
                }
                for g in goals
            ],
        )
    return render(
        request,
        "participants/workspace/action_plan_edit.html",
        {
            "referral": referral,
            "plan": plan,
            "form": form,
            "formset": formset,
            "conflict_plan": conflict_plan,
        },
    )


@login_required
@require_POST
def action_plan_review(request, referral_id: int):
    referral = sel.visible_referral(request.user, referral_id)
    access.require(request.user, RECORD, referral, in_scope=True)
    plan = get_object_or_404(ActionPlan, referral=referral)
    form = ReviewForm(request.POST)
    if form.is_valid() and _run(
        form, lambda: services.record_review(plan=plan, user=request.user, **form.cleaned_data)
    ):
        return _done(request, referral, "Review recorded.", to=reverse("action-plan", args=[referral.pk]))
    return _plan_page(request, referral, form)
