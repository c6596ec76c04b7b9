"""CPR and deep dive pages (DOMAIN.md 10, 17.9): the CPR with its agenda, key questions and answers and the
Contract Assessment Report (its own action points and those carried from earlier CPRs), the CAR as PDF;
deep dives and go-look-sees with their letter (PDF), outcome note and follow-up actions.

Kept by the DWP contact named on the contract or the prime's managers (views.common.require_review)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from participants.errors import FlightpathError
from participants.selectors import visible_contract

from .. import letters
from ..forms.plans import (
    ActionPointForm,
    AnswerForm,
    CprForm,
    DateOnlyForm,
    DeepDiveForm,
    PointStatusForm,
    QuestionForm,
)
from ..models import ActionPoint, KeyQuestion
from ..selectors import reviews as selectors
from ..services import reviews as services
from .common import attach, may_review, require_review, today


def _form_page(request, contract, form, title, back):
    context = {"contract": contract, "form": form, "title": title, "back": back}
    return render(request, "regimes/form_page.html", context, status=400 if form.errors else 200)


def _cpr_context(contract, cpr) -> dict:
    raised, carried = selectors.car_action_points(cpr)
    return {
        "contract": contract,
        "cpr": cpr,
        "questions": list(cpr.questions.all()),
        "raised": raised,
        "carried": carried,
    }


@login_required
def cpr_edit(request, ref: str, pk: int | None = None):
    contract = visible_contract(request.user, ref)
    require_review(request.user, contract)
    cpr = selectors.cpr_of(contract, pk) if pk else None
    fields = ("month", "meeting_on", "agenda", "attendees", "assessment")
    initial = {f: getattr(cpr, f) for f in fields} if cpr else {"meeting_on": today()}
    form = CprForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cpr = services.save_cpr(contract=contract, by=request.user, instance=cpr, **form.cleaned_data)
        except FlightpathError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"CPR of {cpr.month:%B %Y} saved.")
            return redirect("regimes:cpr", ref=contract.ref, pk=cpr.pk)
    return _form_page(request, contract, form, "Edit the CPR" if cpr else "Plan a CPR", "regimes:plans")


@login_required
def cpr(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    cpr = selectors.cpr_of(contract, pk)
    context = _cpr_context(contract, cpr)
    context.update(
        can_review=may_review(request.user, contract),
        question_form=QuestionForm(initial={"sent_on": today()}),
        point_form=ActionPointForm(),
        date_form=DateOnlyForm(initial={"on": today()}),
    )
    return render(request, "regimes/cpr.html", context)


@login_required
@require_POST
def cpr_hold(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    require_review(request.user, contract)
    cpr = selectors.cpr_of(contract, pk)
    form = DateOnlyForm(request.POST)
    try:
        services.hold_cpr(cpr=cpr, on=form.cleaned_data["on"] if form.is_valid() else today())
    except FlightpathError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "CPR held: its obligation is done.")
    return redirect("regimes:cpr", ref=contract.ref, pk=cpr.pk)


@login_required
def cpr_question(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    require_review(request.user, contract)
    cpr = selectors.cpr_of(contract, pk)
    form = QuestionForm(request.POST or None, initial={"sent_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.ask_question(cpr=cpr, **form.cleaned_data)
        except FlightpathError as exc:
            attach(form, exc)
        else:
            messages.success(request, "Key question recorded.")
            return redirect("regimes:cpr", ref=contract.ref, pk=cpr.pk)
    return _form_page(
        request, contract, form, f"Key question for the CPR of {cpr.month:%B %Y}", "regimes:plans"
    )


@login_required
def question_answer(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    require_review(request.user, contract)
    question = get_object_or_404(KeyQuestion.objects.select_related("cpr"), cpr__contract=contract, pk=pk)
    form = AnswerForm(request.POST or None, initial={"on": today(), "answer": question.answer})
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_question(question=question, **form.cleaned_data)
        except FlightpathError as exc:
            attach(form, exc)
        else:
            messages.success(request, "Answer recorded.")
            return redirect("regimes:cpr", ref=contract.ref, pk=question.cpr_id)
    return _form_page(request, contract, form, f"Answer: {question.question[:80]}", "regimes:plans")


@login_required
def cpr_action_point(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    require_review(request.user, contract)
    cpr = selectors.cpr_of(contract, pk)
    form = ActionPointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_action_point(cpr=cpr, **form.cleaned_data)
        messages.success(request, "Action point added to the assessment report.")
        return redirect("regimes:cpr", ref=contract.ref, pk=cpr.pk)
    return _form_page(
        request, contract, form, f"Action point of the CPR of {cpr.month:%B %Y}", "regimes:plans"
    )


@login_required
def action_point_status(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    require_review(request.user, contract)
    point = get_object_or_404(
        ActionPoint.objects.filter(Q(cpr__contract=contract) | Q(deep_dive__contract=contract)), pk=pk
    )
    form = PointStatusForm(
        request.POST or None, initial={"status": point.status, "on": point.done_on or today()}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.set_action_point_status(point=point, done=d["status"] == ActionPoint.Status.DONE, on=d["on"])
        messages.success(request, f"Action point {point.get_status_display().lower()}.")
        if point.cpr_id:
            # Back to the CPR it was closed from (a carried point is closed on a later CPR's page).
            shown = request.POST.get("from_cpr", "")
            back = int(shown) if shown.isdigit() and contract.cprs.filter(pk=shown).exists() else point.cpr_id
            return redirect("regimes:cpr", ref=contract.ref, pk=back)
        return redirect("regimes:deep-dive", ref=contract.ref, pk=point.deep_dive_id)
    return _form_page(request, contract, form, f"Action point: {point.what[:80]}", "regimes:plans")


@login_required
def cpr_report(request, ref: str, pk: int):
    """The Contract Assessment Report as PDF."""
    contract = visible_contract(request.user, ref)
    cpr = selectors.cpr_of(contract, pk)
    document = letters.render_pdf(
        "regimes/letters/car.html",
        {**_cpr_context(contract, cpr), "today": today()},
        base_url=request.build_absolute_uri("/"),
    )
    return letters.pdf_response(document, f"contract-assessment-report-{contract.ref}-{cpr.month:%Y-%m}.pdf")


@login_required
def deep_dive_edit(request, ref: str, pk: int | None = None):
    contract = visible_contract(request.user, ref)
    require_review(request.user, contract)
    dive = selectors.deep_dive_of(contract, pk) if pk else None
    fields = ("kind", "subject", "visit_on", "letter", "outcome")
    form = DeepDiveForm(request.POST or None, initial={f: getattr(dive, f) for f in fields} if dive else None)
    if request.method == "POST" and form.is_valid():
        try:
            dive = services.save_deep_dive(
                contract=contract, by=request.user, instance=dive, **form.cleaned_data
            )
        except FlightpathError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"{dive.get_kind_display()} saved.")
            return redirect("regimes:deep-dive", ref=contract.ref, pk=dive.pk)
    title = f"Edit: {dive.subject}" if dive else "Plan a deep dive or go-look-see"
    return _form_page(request, contract, form, title, "regimes:plans")


@login_required
def deep_dive(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    dive = selectors.deep_dive_of(contract, pk)
    return render(
        request,
        "regimes/deep_dive.html",
        {
            "contract": contract,
            "dive": dive,
            "follow_ups": list(dive.follow_ups.all()),
            "can_review": may_review(request.user, contract),
            "point_form": ActionPointForm(),
        },
    )


@login_required
def deep_dive_follow_up(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    require_review(request.user, contract)
    dive = selectors.deep_dive_of(contract, pk)
    form = ActionPointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_action_point(deep_dive=dive, **form.cleaned_data)
        messages.success(request, "Follow-up action added.")
        return redirect("regimes:deep-dive", ref=contract.ref, pk=dive.pk)
    return _form_page(request, contract, form, f"Follow-up of {dive.subject}", "regimes:plans")


@login_required
def deep_dive_letter(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    dive = selectors.deep_dive_of(contract, pk)
    document = letters.render_pdf(
        "regimes/letters/deep_dive.html",
        {"contract": contract, "dive": dive, "today": today()},
        base_url=request.build_absolute_uri("/"),
    )
    return letters.pdf_response(
        document, f"{dive.kind.lower().replace('_', '-')}-{contract.ref}-{dive.visit_on}.pdf"
    )
