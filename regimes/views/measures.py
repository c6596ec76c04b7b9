"""The regimes pages: the subcontractor ladder (DOMAIN.md 11)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from participants import access
from participants.access import Action
from participants.errors import FlightpathError
from participants.selectors import visible_contract
from performance.querysets import visible_organisations

from ..forms.measures import MeasureForm
from ..models import SubcontractorMeasure
from ..selectors import measures as selectors
from ..services.measures import take_step


@login_required
def subcontractor_measures(request, ref: str, pk: int):
    """A subcontractor's ladder of measures on a contract, its KPI ratings, and the next step (partnerships
    managers of their assigned subcontractors)."""
    contract = visible_contract(request.user, ref)
    access.require(request.user, Action.VIEW, contract, in_scope=True)
    organisations = contract.delivery_organisations.filter(kind="SUBCONTRACTOR")
    seen = visible_organisations(request.user)
    if seen is not None:
        organisations = organisations.filter(pk__in=seen.values("pk"))
    organisation = get_object_or_404(organisations, pk=pk)
    steps = selectors.ladder(contract, organisation)
    form = MeasureForm(
        initial={"taken_on": timezone.localdate(), "step": min((steps[-1].step + 1) if steps else 1, 4)}
    )
    status = 200
    if request.method == "POST":
        access.require(request.user, Action.MANAGE_SUBCONTRACTORS, contract, in_scope=True)
        form = MeasureForm(request.POST)
        if form.is_valid():
            try:
                take_step(
                    contract=contract, organisation=organisation, user=request.user, **form.cleaned_data
                )
                return redirect("regimes:subcontractor-measures", contract.ref, organisation.pk)
            except FlightpathError as error:
                error.add_to(form)
        status = 400
    return render(
        request,
        "regimes/subcontractor_measures.html",
        {
            "contract": contract,
            "organisation": organisation,
            "steps": steps,
            "ratings": selectors.recent_ratings(contract, organisation),
            "form": form,
            "may_act": access.can(request.user, Action.MANAGE_SUBCONTRACTORS, contract, in_scope=True),
            "ladder": SubcontractorMeasure.Step.choices,
            "current_step": max((step.step for step in steps), default=0),
            "terminated": bool(steps) and steps[-1].step == SubcontractorMeasure.Step.TERMINATION,
        },
        status=status,
    )
