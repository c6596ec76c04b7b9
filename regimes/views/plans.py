"""Provider action plan pages (DOMAIN.md 17.8): the contract's plans and reviews, a plan with its flight path
against the actuals, its SMART actions, submission, DWP's decision, the meeting after a rejection and the
letters; the dashboard release dates. Thin: parse, ask participants.access, call a service, render; the
small forms are rows served by views.form_pages.

The prime's performance and contract managers write plans (MANAGE_CONTRACT); only a DWP contact named on
the contract approves or rejects (RECORD_DECISION)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from participants import access
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
from .common import DECIDE, MANAGE, may_review, requires, today
from .form_pages import FormPage, form_view


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


# The small forms, as data (views.form_pages) -----------------------------------------------------------


def _plan_page(plan) -> tuple[str, int]:
    return "regimes:plan", plan.pk


def _decide(posted):
    data = posted.data
    return services.decide_plan(
        plan=posted.target,
        by=posted.user,
        approve=data["decision"] == "approve",
        reason=data["reason"],
        on=data["on"],
    )


def _status_message(plan) -> str:
    return f"Version {plan.version} {plan.get_status_display().lower()}."


plan_new = form_view(
    FormPage(
        require=requires(MANAGE),
        form=PlanForm,
        form_options=lambda contract, _: {
            "initial": {"first_month": releases.add_months(releases.first_of(today()), 1)},
            "obligations": selectors.open_plan_obligations(contract),
        },
        title="New provider action plan",
        call=lambda posted: services.create_plan(contract=posted.contract, by=posted.user, **posted.data),
        success=lambda plan: f"Action plan version {plan.version} drafted.",
        then=lambda posted, plan: _plan_page(plan),
    )
)

plan_action_new = form_view(
    FormPage(
        require=requires(MANAGE),
        find=selectors.plan_of,
        form=ActionForm,
        form_options=lambda contract, _: {"groups": contract.programme.groups},
        title=lambda plan: f"Add a SMART action to version {plan.version}",
        call=lambda posted: services.add_action(plan=posted.target, **posted.data),
        success="SMART action added.",
        then=lambda posted, _: _plan_page(posted.target),
    )
)

plan_flight_path = form_view(
    FormPage(
        require=requires(MANAGE),
        find=selectors.plan_of,
        form=FlightPathForm,
        form_options=lambda contract, plan: {
            "groups": contract.programme.groups,
            "months": services.flight_path_months(plan),
            "initial_cells": {(c.group, c.month): c.projected for c in selectors.flight_path(plan)},
        },
        title=lambda plan: f"Flight path of version {plan.version}",
        template="regimes/flight_path_form.html",
        context=lambda plan: {"plan": plan},
        call=lambda posted: services.save_flight_path(plan=posted.target, cells=posted.form.cells()),
        success="Flight path saved.",
        then=lambda posted, _: _plan_page(posted.target),
    )
)

plan_submit = form_view(
    FormPage(
        button=True,
        require=requires(MANAGE),
        find=selectors.plan_of,
        form=DateOnlyForm,
        call=lambda posted: services.submit_plan(plan=posted.target, on=posted.on),
        success=_status_message,
        then=lambda posted, plan: _plan_page(plan),
    )
)

plan_decide = form_view(
    FormPage(
        require=requires(DECIDE),
        find=selectors.plan_of,
        form=DecisionForm,
        form_options=lambda contract, _: {"initial": {"on": today()}},
        title=lambda plan: f"Decide on version {plan.version}",
        call=_decide,
        success=_status_message,
        then=lambda posted, plan: _plan_page(plan),
    )
)

plan_meeting = form_view(
    FormPage(
        require=requires(MANAGE),
        find=selectors.plan_of,
        form=MeetingForm,
        form_options=lambda contract, _: {"initial": {"on": today()}},
        title=lambda plan: f"Meeting on the rejection of version {plan.version}",
        call=lambda posted: services.record_meeting(plan=posted.target, **posted.data),
        success="Meeting recorded: the plan may be revised and resubmitted.",
        then=lambda posted, _: _plan_page(posted.target),
    )
)

release_new = form_view(
    FormPage(
        require=requires(MANAGE),
        form=ReleaseForm,
        title="Enter a dashboard release date",
        call=lambda posted: releases.enter_release(contract=posted.contract, today=today(), **posted.data),
        success=lambda release: (
            f"Dashboard of {release.month:%B %Y} released on {release.released_on:%-d %b %Y}."
        ),
        then=lambda posted, _: ("regimes:plans", None),
    )
)
