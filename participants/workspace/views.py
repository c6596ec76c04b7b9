"""The key workers' workspace pages (DOMAIN.md 1, 4, 11): caseloads, the participant page and its forms.

Thin views: parse input, call a selector or a service, render. Every row comes through `visible_to`
(404 outside the user's scope); DWP contacts are read-only (403 on every write)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from ..errors import FlightpathError
from ..models import (
    ActionPlan,
    Appointment,
    EvidenceDocument,
    FollowUpTask,
    JourneyEvent,
    Participant,
    PeerSupportGroup,
    Referral,
    Role,
    SmartGoal,
    Staff,
)
from ..querysets import staff_of
from ..tables import CaseloadTable
from . import rules as rules
from . import selectors as sel
from . import services as services
from .filtersets import CaseloadFilterSet
from .forms import (
    ActionPlanForm,
    AppointmentForm,
    AttendanceForm,
    CancelForm,
    ClaimChecklistForm,
    EarningsForm,
    EvidenceForm,
    FollowUpDoneForm,
    InWorkContactForm,
    JobStartForm,
    NoteForm,
    PsgForm,
    RebookForm,
    ReviewForm,
    goal_formset,
)

SECTIONS = ("jobs", "evidence", "notes", "history")


# Helpers ---------------------------------------------------------------------------------------------------


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _require_writer(request) -> None:
    """DWP contacts see, never record (DOMAIN.md 1)."""
    staff = staff_of(request.user)
    if not request.user.is_superuser and (staff is None or staff.role == Role.DWP_CONTACT):
        raise PermissionDenied("Your role can view these records but not change them.")


def _referral(request, referral_id: int) -> Referral:
    try:
        return sel.visible_referral(request.user, referral_id)
    except Referral.DoesNotExist as exc:
        raise Http404("No such referral.") from exc


def _run(form, call) -> bool:
    """Call a service; a FlightpathError becomes an error on the field it names (or the whole form)."""
    try:
        call()
    except FlightpathError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
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


def _action(
    request, referral: Referral, *, form, title: str, submit: str, call, success: str, multipart: bool = False
) -> HttpResponse:
    """The shape of every small form: GET shows it, POST validates, calls the service, and on an error
    re-renders with what was typed and the message; inline (htmx) or as a page of its own."""
    _require_writer(request)
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
    try:
        participant = sel.visible_participant(request.user, pk)
    except Participant.DoesNotExist as exc:
        raise Http404("No such participant.") from exc
    referrals = sel.participant_page(participant, request.user)
    today = timezone.localdate()
    for referral in referrals:
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
            "can_write": _can_write(request.user),
        },
    )


def _can_write(user) -> bool:
    staff = staff_of(user)
    return user.is_superuser or (staff is not None and staff.role != Role.DWP_CONTACT)


@login_required
def participant_section(request, pk: int, section: str):
    """A lazily loaded section of the participant page (htmx), so the page itself stays a few queries."""
    if section not in SECTIONS:
        raise Http404("No such section.")
    try:
        participant = sel.visible_participant(request.user, pk)
    except Participant.DoesNotExist as exc:
        raise Http404("No such participant.") from exc
    user = request.user
    context = {"participant": participant, "can_write": _can_write(user)}
    if section == "jobs":
        context["jobs"] = sel.participant_jobs(participant, user)
        context["contacts"] = sel.participant_in_work_contacts(participant, user)
    elif section == "evidence":
        context["documents"] = sel.participant_evidence(participant, user)
        context["claims"] = sel.participant_claims(participant, user)
        context["can_check_claims"] = _can_check_claims(user)
    elif section == "notes":
        context["notes"] = sel.participant_notes(participant, user)
    else:
        context["history"] = sel.participant_history(participant, user)
    return render(request, f"participants/workspace/section_{section}.html", context)


# Appointments and failure to attend ------------------------------------------------------------------------


@login_required
def appointment_book(request, referral_id: int):
    referral = _referral(request, referral_id)
    form = AppointmentForm(request.POST or None)
    return _action(
        request,
        referral,
        form=form,
        title="Book an appointment",
        submit="Book appointment",
        call=lambda data: services.book_appointment(referral=referral, user=request.user, **data),
        success="Appointment booked.",
    )


def _appointment(request, pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.filter(referral__in=Referral.objects.visible_to(request.user)).select_related(
            "referral__contract"
        ),
        pk=pk,
    )


@login_required
def appointment_rebook(request, pk: int):
    appointment = _appointment(request, pk)
    form = RebookForm(
        request.POST or None, initial={"starts_at": appointment.starts_at, "location": appointment.location}
    )
    return _action(
        request,
        appointment.referral,
        form=form,
        title=f"Rebook {appointment}",
        submit="Rebook",
        call=lambda data: services.rebook_appointment(appointment=appointment, user=request.user, **data),
        success="Appointment rebooked.",
    )


@login_required
def appointment_cancel(request, pk: int):
    appointment = _appointment(request, pk)
    form = CancelForm(request.POST or None)
    return _action(
        request,
        appointment.referral,
        form=form,
        title=f"Cancel {appointment}",
        submit="Cancel appointment",
        call=lambda data: services.cancel_appointment(appointment=appointment, user=request.user, **data),
        success="Appointment cancelled.",
    )


@login_required
def appointment_outcome(request, pk: int):
    appointment = _appointment(request, pk)
    form = AttendanceForm(request.POST or None)
    return _action(
        request,
        appointment.referral,
        form=form,
        title=f"Record attendance: {appointment}",
        submit="Record attendance",
        call=lambda data: services.record_attendance(appointment=appointment, user=request.user, **data),
        success="Attendance recorded.",
    )


@login_required
def follow_up_done(request, pk: int):
    task = get_object_or_404(
        FollowUpTask.objects.filter(referral__in=Referral.objects.visible_to(request.user)).select_related(
            "referral"
        ),
        pk=pk,
    )
    form = FollowUpDoneForm(request.POST or None)
    return _action(
        request,
        task.referral,
        form=form,
        title=f"Follow-up done: {task.description}",
        submit="Mark done",
        call=lambda data: services.complete_follow_up(task=task, user=request.user, **data),
        success="Follow-up marked done.",
    )


# Peer support groups, jobs, earnings, in-work support, notes -----------------------------------------------


@login_required
def psg_move(request, referral_id: int):
    referral = _referral(request, referral_id)
    form = PsgForm(request.POST or None)
    return _action(
        request,
        referral,
        form=form,
        title="Move peer support group",
        submit="Move",
        call=lambda data: services.move_psg(referral=referral, user=request.user, **data),
        success="Peer support group changed.",
    )


@login_required
def job_start(request, referral_id: int):
    referral = _referral(request, referral_id)
    form = JobStartForm(request.POST or None)
    return _action(
        request,
        referral,
        form=form,
        title="Record a job start",
        submit="Record job start",
        call=lambda data: services.record_job_start(referral=referral, user=request.user, **data),
        success="Job start recorded.",
    )


@login_required
def earnings(request, referral_id: int):
    referral = _referral(request, referral_id)
    form = EarningsForm(request.POST or None)
    return _action(
        request,
        referral,
        form=form,
        title="Record an earnings milestone",
        submit="Record milestone",
        call=lambda data: services.record_earnings_milestone(referral=referral, user=request.user, **data),
        success="Earnings milestone recorded.",
    )


@login_required
def in_work_contact(request, referral_id: int):
    referral = _referral(request, referral_id)
    form = InWorkContactForm(request.POST or None, referral=referral)
    return _action(
        request,
        referral,
        form=form,
        title="Record in-work support contact",
        submit="Record contact",
        call=lambda data: services.record_in_work_contact(referral=referral, user=request.user, **data),
        success="In-work support contact recorded.",
    )


@login_required
def note_add(request, referral_id: int):
    referral = _referral(request, referral_id)
    form = NoteForm(request.POST or None)
    return _action(
        request,
        referral,
        form=form,
        title="Add a note",
        submit="Add note",
        call=lambda data: services.add_note(referral=referral, user=request.user, **data),
        success="Note added.",
    )


# Evidence and claims ---------------------------------------------------------------------------------------


@login_required
def evidence_upload(request, referral_id: int):
    referral = _referral(request, referral_id)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    return _action(
        request,
        referral,
        form=form,
        title="Upload evidence",
        submit="Upload",
        multipart=True,
        call=lambda data: services.upload_evidence(
            referral=referral,
            user=request.user,
            uploaded_file=data["file"],
            kind=data["kind"],
            claim_code=data["claim_code"],
        ),
        success="Evidence uploaded.",
    )


@login_required
def evidence_download(request, pk: int):
    """Evidence is private: served only here, to users who may see its referral (404 otherwise)."""
    document = get_object_or_404(
        EvidenceDocument.objects.filter(referral__in=Referral.objects.visible_to(request.user)), pk=pk
    )
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _can_check_claims(user) -> bool:
    staff = staff_of(user)
    return user.is_superuser or (
        staff is not None and staff.role in (Role.CLAIMS_OFFICER, Role.CONTRACT_MANAGER)
    )


@login_required
def claim_checklist(request, event_id: int):
    event = get_object_or_404(
        JourneyEvent.objects.filter(
            referral__in=Referral.objects.visible_to(request.user), code__in=sel.CLAIM_CODES
        ).select_related("referral"),
        pk=event_id,
    )
    if not _can_check_claims(request.user):
        raise PermissionDenied("Only claims officers check outcome claims.")
    existing = getattr(event, "claim_checklist", None)
    initial = {f"item_{item}": ticked for item, ticked in (existing.answers if existing else {}).items()}
    initial["note"] = existing.note if existing else ""
    form = ClaimChecklistForm(request.POST or None, initial=initial)
    title = (
        f"Claim checklist: {event.get_code_display()} on {event.event_date:%d %b %Y}, "
        f"referral {event.referral.ref}"
    )
    return _action(
        request,
        event.referral,
        form=form,
        title=title,
        submit="Save checklist",
        call=lambda data: services.save_claim_checklist(
            event=event, answers=form.answers(), note=data["note"], user=request.user
        ),
        success="Claim checklist saved.",
    )


# Action plans ----------------------------------------------------------------------------------------------


def _plan_context(referral: Referral) -> dict:
    plan = ActionPlan.objects.filter(referral=referral).prefetch_related("goals").first()
    versions = list(plan.versions.select_related("created_by").order_by("-number")) if plan else []
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        newer.changes = rules.plan_changes(
            older.goals if older else [], newer.goals, dict(SmartGoal.Status.choices)
        )
    reviews = list(plan.reviews.select_related("reviewed_by")) if plan else []
    return {
        "referral": referral,
        "plan": plan,
        "versions": versions,
        "reviews": reviews,
        "today": timezone.localdate(),
    }


@login_required
def action_plan(request, referral_id: int):
    referral = _referral(request, referral_id)
    context = _plan_context(referral)
    context.update(review_form=ReviewForm(), can_write=_can_write(request.user))
    return render(request, "participants/workspace/action_plan.html", context)


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


@login_required
def action_plan_edit(request, referral_id: int):
    """Write or revise the plan. Optimistic locking: the form carries the version it was opened at; if
    someone saved since, the save is refused with a message and the typed text is shown again, untouched."""
    _require_writer(request)
    referral = _referral(request, referral_id)
    plan = ActionPlan.objects.filter(referral=referral).prefetch_related("goals").first()
    goals = list(plan.goals.all()) if plan else []
    formset_class = goal_formset(extra=1 if goals else 3)
    conflict_plan = None
    if request.method == "POST":
        data = request.POST.copy()
        if "add_goal" in data:
            data["goals-TOTAL_FORMS"] = str(int(data.get("goals-TOTAL_FORMS", 0)) + 1)
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
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
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
    _require_writer(request)
    referral = _referral(request, referral_id)
    plan = get_object_or_404(ActionPlan, referral=referral)
    form = ReviewForm(request.POST)
    if form.is_valid() and _run(
        form, lambda: services.record_review(plan=plan, user=request.user, **form.cleaned_data)
    ):
        return _done(request, referral, "Review recorded.", to=reverse("action-plan", args=[referral.pk]))
    context = _plan_context(referral)
    context.update(review_form=form, can_write=True)
    return render(request, "participants/workspace/action_plan.html", context)


@login_required
def action_plan_pdf(request, referral_id: int):
    """The latest plan as a PDF for a DWP work coach (DOMAIN.md 14 exports)."""
    from weasyprint import HTML

    referral = _referral(request, referral_id)
    context = _plan_context(referral)
    if context["plan"] is None:
        raise Http404("This referral has no action plan yet.")
    html = render_to_string("participants/workspace/action_plan_pdf.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="action-plan-{referral.ref}.pdf"'
    return response
