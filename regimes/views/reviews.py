"""CPR and deep dive pages (DOMAIN.md 10, 17.9): the CPR with its agenda, key questions and answers and the
Contract Assessment Report (its own action points and those carried from earlier CPRs), the CAR as PDF;
deep dives and go-look-sees with their letter (PDF), outcome note and follow-up actions. The small forms
are rows served by views.form_pages.

Kept by the DWP contact named on the contract or the prime's managers (views.common.require_review)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, render

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
from .common import may_review, require_review, today
from .form_pages import FormPage, form_view


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


# The small forms, as data (views.form_pages) -----------------------------------------------------------

CPR_FIELDS = ("month", "meeting_on", "agenda", "attendees", "assessment")
DEEP_DIVE_FIELDS = ("kind", "subject", "visit_on", "letter", "outcome")


def _new_or(find):
    """An edit page's record, or None on its "new" URL (no pk)."""
    return lambda contract, pk: find(contract, pk) if pk else None


def _question(contract, pk: int) -> KeyQuestion:
    return get_object_or_404(KeyQuestion.objects.select_related("cpr"), cpr__contract=contract, pk=pk)


def _action_point(contract, pk: int) -> ActionPoint:
    return get_object_or_404(
        ActionPoint.objects.filter(Q(cpr__contract=contract) | Q(deep_dive__contract=contract)), pk=pk
    )


def _point_back(posted, point: ActionPoint) -> tuple[str, int]:
    if point.cpr_id:
        # Back to the CPR it was closed from (a carried point is closed on a later CPR's page).
        shown = posted.request.POST.get("from_cpr", "")
        known = shown.isdigit() and posted.contract.cprs.filter(pk=shown).exists()
        return "regimes:cpr", int(shown) if known else point.cpr_id
    return "regimes:deep-dive", point.deep_dive_id


cpr_edit = form_view(
    FormPage(
        require=require_review,
        find=_new_or(selectors.cpr_of),
        form=CprForm,
        form_options=lambda contract, cpr: {
            "initial": {f: getattr(cpr, f) for f in CPR_FIELDS} if cpr else {"meeting_on": today()}
        },
        title=lambda cpr: "Edit the CPR" if cpr else "Plan a CPR",
        call=lambda posted: services.save_cpr(
            contract=posted.contract, by=posted.user, instance=posted.target, **posted.data
        ),
        success=lambda cpr: f"CPR of {cpr.month:%B %Y} saved.",
        then=lambda posted, cpr: ("regimes:cpr", cpr.pk),
    )
)

cpr_hold = form_view(
    FormPage(
        button=True,
        require=require_review,
        find=selectors.cpr_of,
        form=DateOnlyForm,
        call=lambda posted: services.hold_cpr(cpr=posted.target, on=posted.on),
        success="CPR held: its obligation is done.",
        then=lambda posted, cpr: ("regimes:cpr", cpr.pk),
    )
)

cpr_question = form_view(
    FormPage(
        require=require_review,
        find=selectors.cpr_of,
        form=QuestionForm,
        form_options=lambda contract, _: {"initial": {"sent_on": today()}},
        title=lambda cpr: f"Key question for the CPR of {cpr.month:%B %Y}",
        call=lambda posted: services.ask_question(cpr=posted.target, **posted.data),
        success="Key question recorded.",
        then=lambda posted, _: ("regimes:cpr", posted.target.pk),
    )
)

question_answer = form_view(
    FormPage(
        require=require_review,
        find=_question,
        form=AnswerForm,
        form_options=lambda contract, question: {"initial": {"on": today(), "answer": question.answer}},
        title=lambda question: f"Answer: {question.question[:80]}",
        call=lambda posted: services.answer_question(question=posted.target, **posted.data),
        success="Answer recorded.",
        then=lambda posted, _: ("regimes:cpr", posted.target.cpr_id),
    )
)

cpr_action_point = form_view(
    FormPage(
        require=require_review,
        find=selectors.cpr_of,
        form=ActionPointForm,
        title=lambda cpr: f"Action point of the CPR of {cpr.month:%B %Y}",
        call=lambda posted: services.add_action_point(cpr=posted.target, **posted.data),
        success="Action point added to the assessment report.",
        then=lambda posted, _: ("regimes:cpr", posted.target.pk),
    )
)

action_point_status = form_view(
    FormPage(
        require=require_review,
        find=_action_point,
        form=PointStatusForm,
        form_options=lambda contract, point: {
            "initial": {"status": point.status, "on": point.done_on or today()}
        },
        title=lambda point: f"Action point: {point.what[:80]}",
        call=lambda posted: services.set_action_point_status(
            point=posted.target, done=posted.data["status"] == ActionPoint.Status.DONE, on=posted.data["on"]
        ),
        success=lambda point: f"Action point {point.get_status_display().lower()}.",
        then=_point_back,
    )
)

deep_dive_edit = form_view(
    FormPage(
        require=require_review,
        find=_new_or(selectors.deep_dive_of),
        form=DeepDiveForm,
        form_options=lambda contract, dive: {
            "initial": {f: getattr(dive, f) for f in DEEP_DIVE_FIELDS} if dive else None
        },
        title=lambda dive: f"Edit: {dive.subject}" if dive else "Plan a deep dive or go-look-see",
        call=lambda posted: services.save_deep_dive(
            contract=posted.contract, by=posted.user, instance=posted.target, **posted.data
        ),
        success=lambda dive: f"{dive.get_kind_display()} saved.",
        then=lambda posted, dive: ("regimes:deep-dive", dive.pk),
    )
)

deep_dive_follow_up = form_view(
    FormPage(
        require=require_review,
        find=selectors.deep_dive_of,
        form=ActionPointForm,
        title=lambda dive: f"Follow-up of {dive.subject}",
        call=lambda posted: services.add_action_point(deep_dive=posted.target, **posted.data),
        success="Follow-up action added.",
        then=lambda posted, _: ("regimes:deep-dive", posted.target.pk),
    )
)
