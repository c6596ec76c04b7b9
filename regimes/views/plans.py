"""Provider action plan pages (DOMAIN.md 17.8): the contract's plans and reviews, a plan with its flight path
against the actuals, its SMART actions, submission, DWP's decision, the meeting after a rejection and the
letters; the dashboard release dates. Thin: parse, ask participants.access, call a service, render.

The prime's performance and contract managers write plans (MANAGE_CONTRACT); only a DWP contact named on
the contract approves or rejects (RECORD_DECISION)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from participants import access
from participants.errors import FlightpathError
from participants.selectors import visible_contract

from .. import charts, letters
from ..forms.plans import (
    ActionForm,
    DateOnlyForm,
    DecisionForm,
    FlightPathForm,
    MeetingForm,
    PlanForm,
    ReleaseForm,
)
from ..selectors import plans as selectors
from ..selectors import reviews as review_selectors
from ..services import plans as services
from ..services import releases
from .common import DECIDE, MANAGE, attach, may_review, today


def _form_page(request, contract, form, title, back, *, template="regimes/form_page.html", **extra):
    context = {"contract": contract, "form": form, "title": title, "back": back, **extra}
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
def plans(request, ref: str):
    contract = visible_contract(request.user, ref)
    return render(
        request,
        "regimes/plans.html",
        {
            "contract": contract,
            "plans": selectors.plans_of(contract),
            "releases": selectors.releases_of(contract),
            "cprs": review_selectors.cprs_of(contract),
            "deep_dives": review_selectors.deep_dives_of(contract),
            "can_manage": access.can(request.user, MANAGE, contract, in_scope=True),
            "can_review": may_review(request.user, contract),
            "release_day": settings.FLIGHTPATH_DASHBOARD_RELEASE_DAY,
        },
    )


@login_required
def plan_new(request, ref: str):
    contract = visible_contract(request.user, ref)
    access.require(request.user, MANAGE, contract, in_scope=True)
    initial = {"first_month": releases.add_months(releases.first_of(today()), 1)}
    form = PlanForm(
        request.POST or None, initial=initial, obligations=selectors.open_plan_obligations(contract)
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(contract=contract, by=request.user, **form.cleaned_data)
        except FlightpathError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"Action plan version {plan.version} drafted.")
            return redirect("regimes:plan", ref=contract.ref, pk=plan.pk)
    return _form_page(request, contract, form, "New provider action plan", "regimes:plans")


@login_required
def plan(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    plan = selectors.plan_of(contract, pk)
    cells = selectors.flight_path(plan)
    totals = selectors.totals_by_month(cells)
    return render(
        request,
        "regimes/plan.html",
        {
            "contract": contract,
            "plan": plan,
            "actions": list(plan.actions.all()),
            "months": totals,
            "cells": cells,
            "groups": contract.programme.groups,
            "shortfalls": [c for c in cells if c.shortfall],
            "chart": charts.flight_path(totals),
            "can_manage": access.can(request.user, MANAGE, contract, in_scope=True),
            "can_decide": access.can(request.user, DECIDE, contract, in_scope=True),
            "decide_form": DecisionForm(initial={"on": today()}),
            "date_form": DateOnlyForm(initial={"on": today()}),
        },
    )


@login_required
def plan_action_new(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    access.require(request.user, MANAGE, contract, in_scope=True)
    plan = selectors.plan_of(contract, pk)
    form = ActionForm(request.POST or None, groups=contract.programme.groups)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_action(plan=plan, **form.cleaned_data)
        except FlightpathError as exc:
            attach(form, exc)
        else:
            messages.success(request, "SMART action added.")
            return redirect("regimes:plan", ref=contract.ref, pk=plan.pk)
    return _form_page(
        request, contract, form, f"Add a SMART action to version {plan.version}", "regimes:plans"
    )


@login_required
def plan_flight_path(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    access.require(request.user, MANAGE, contract, in_scope=True)
    plan = selectors.plan_of(contract, pk)
    held = {(c.group, c.month): c.projected for c in selectors.flight_path(plan)}
    form = FlightPathForm(
        request.POST or None,
        groups=contract.programme.groups,
        months=services.flight_path_months(plan),
        initial_cells=held,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_flight_path(plan=plan, cells=form.cells())
        except FlightpathError as exc:
            attach(form, exc)
        else:
            messages.success(request, "Flight path saved.")
            return redirect("regimes:plan", ref=contract.ref, pk=plan.pk)
    return _form_page(
        request,
        contract,
        form,
        f"Flight path of version {plan.version}",
        "regimes:plans",
        template="regimes/flight_path_form.html",
        plan=plan,
    )


@login_required
@require_POST
def plan_submit(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    access.require(request.user, MANAGE, contract, in_scope=True)
    plan = selectors.plan_of(contract, pk)
    form = DateOnlyForm(request.POST)
    on = form.cleaned_data["on"] if form.is_valid() else today()
    try:
        plan = services.submit_plan(plan=plan, on=on)
    except FlightpathError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Version {plan.version} {plan.get_status_display().lower()}.")
    return redirect("regimes:plan", ref=contract.ref, pk=plan.pk)


@login_required
def plan_decide(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    access.require(request.user, DECIDE, contract, in_scope=True)
    plan = selectors.plan_of(contract, pk)
    form = DecisionForm(request.POST or None, initial={"on": today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = services.decide_plan(
                plan=plan, by=request.user, approve=d["decision"] == "approve", reason=d["reason"], on=d["on"]
            )
        except FlightpathError as exc:
            attach(form, exc)
        else:
            messages.success(request, f"Version {plan.version} {plan.get_status_display().lower()}.")
            return redirect("regimes:plan", ref=contract.ref, pk=plan.pk)
    return _form_page(request, contract, form, f"Decide on version {plan.version}", "regimes:plans")


@login_required
def plan_meeting(request, ref: str, pk: int):
    contract = visible_contract(request.user, ref)
    access.require(request.user, MANAGE, contract, in_scope=True)
    plan = selectors.plan_of(contract, pk)
    form = MeetingForm(request.POST or None, initial={"on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_meeting(plan=plan, **form.cleaned_data)
        except FlightpathError as exc:
            attach(form, exc)
        else:
            messages.success(request, "Meeting recorded: the plan may be revised and resubmitted.")
            return redirect("regimes:plan", ref=contract.ref, pk=plan.pk)
    return _form_page(
        request, contract, form, f"Meeting on the rejection of version {plan.version}", "regimes:plans"
    )


@login_required
def plan_letter(request, ref: str, pk: int):
    """The acceptance letter of an approved plan, the rejection letter of a rejected one; 404 before."""
    contract = visible_contract(request.user, ref)
    plan = selectors.plan_of(contract, pk)
    Status = plan.Status
    if plan.status not in (Status.APPROVED, Status.REJECTED, Status.REJECTED_FINAL, Status.RESUBMITTED):
        raise Http404("The plan has no decision letter yet.")
    accepted = plan.status == Status.APPROVED
    document = letters.render_pdf(
        "regimes/letters/plan_letter.html",
        {
            "contract": contract,
            "plan": plan,
            "accepted": accepted,
            "actions": plan.actions.all(),
            "dated": plan.rejected_on
            if plan.status in (Status.REJECTED, Status.RESUBMITTED)
            else plan.decided_on,
            "today": today(),
        },
        base_url=request.build_absolute_uri("/"),
    )
    kind = "acceptance" if accepted else "rejection"
    return letters.pdf_response(document, f"action-plan-{contract.ref}-v{plan.version}-{kind}.pdf")


@login_required
def release_new(request, ref: str):
    contract = visible_contract(request.user, ref)
    access.require(request.user, MANAGE, contract, in_scope=True)
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            release = releases.enter_release(contract=contract, today=today(), **form.cleaned_data)
        except FlightpathError as exc:
            attach(form, exc)
        else:
            messages.success(
                request, f"Dashboard of {release.month:%B %Y} released on {release.released_on:%-d %b %Y}."
            )
            return redirect("regimes:plans", ref=contract.ref)
    return _form_page(request, contract, form, "Enter a dashboard release date", "regimes:plans")
