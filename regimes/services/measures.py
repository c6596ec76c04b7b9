"""The subcontractor ladder (DOMAIN.md 11): SMART actions, reduced targets, suspension, termination, taken in
order, each recorded with who, when, why and the figures behind it (the subcontractor's KPI ratings then)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from participants.errors import FlightpathError
from participants.models import Contract, Organisation

from ..models import SubcontractorMeasure
from ..selectors.measures import figures_of


@transaction.atomic
def take_step(
    *,
    contract: Contract,
    organisation: Organisation,
    step: int,
    taken_on: dt.date,
    reason: str,
    actions: str = "",
    user=None,
) -> SubcontractorMeasure:
    """Record the next step of the ladder. A step may repeat the current one (a second set of SMART actions)
    or go one further, never skip one, and nothing follows a termination."""
    if organisation.kind != Organisation.Kind.SUBCONTRACTOR or organisation.parent_id != contract.prime_id:
        raise FlightpathError("The ladder is for the prime's own subcontractors.", field="organisation")
    if step not in SubcontractorMeasure.Step.values:
        raise FlightpathError(f"Unknown step {step!r}.", field="step")
    if not reason.strip():
        raise FlightpathError("Say why this step is taken.", field="reason")
    held = (
        SubcontractorMeasure.objects.select_for_update()
        .filter(contract=contract, organisation=organisation)
        .order_by("-step")
        .first()
    )
    current = held.step if held else 0
    if current == SubcontractorMeasure.Step.TERMINATION:
        raise FlightpathError("The subcontract has been terminated: no step follows.", field="step")
    if step > current + 1:
        expected = SubcontractorMeasure.Step(current + 1).label
        raise FlightpathError(f"Steps are taken in order: the next one is {expected}.", field="step")
    if step < current:
        raise FlightpathError(
            f"The ladder is at {SubcontractorMeasure.Step(current).label} already.", field="step"
        )
    if held and taken_on < held.taken_on:
        raise FlightpathError(f"Before the last step's date ({held.taken_on:%d %b %Y}).", field="taken_on")
    return SubcontractorMeasure.objects.create(
        contract=contract,
        organisation=organisation,
        step=step,
        taken_on=taken_on,
        reason=reason.strip(),
        actions=actions.strip(),
        figures=figures_of(contract, organisation),
        recorded_by=user,
    )
