"""The subcontractor ladder (DOMAIN.md 11): steps in order with who, when, why and the figures behind them."""

import datetime as dt

import pytest

from participants.errors import FlightpathError
from performance.kpis import services as kpis
from regimes.models import SubcontractorMeasure
from regimes.selectors import measures as selectors
from regimes.services.measures import take_step
from tests.performance.kpi_support import make_world, target

pytestmark = pytest.mark.django_db
STEP = SubcontractorMeasure.Step


def test_steps_are_taken_in_order_with_the_figures_behind_them():
    world = make_world()
    target(world, "ORGANISATION", "SUB", "STARTS", "2025-04", 2)
    kpis.recompute_ratings(contract_id=world.contract.pk)
    user = world.partnerships.user
    common = {"contract": world.contract, "organisation": world.sub, "user": user}
    with pytest.raises(FlightpathError, match="next one is SMART actions"):
        take_step(**common, step=STEP.SUSPENSION, taken_on=dt.date(2025, 7, 10), reason="Failing")
    first = take_step(**common, step=STEP.SMART_ACTIONS, taken_on=dt.date(2025, 7, 10), reason="Amber Q1")
    assert first.figures["ratings"][0]["rag"] == "AMBER"
    assert first.figures["ratings"][0]["kpis"][0] == {
        "kpi": "STARTS",
        "target": 2.0,
        "actual": 1,
        "met": False,
    }
    take_step(**common, step=STEP.REDUCED_TARGETS, taken_on=dt.date(2025, 10, 10), reason="Still short")
    with pytest.raises(FlightpathError, match="already"):
        take_step(**common, step=STEP.SMART_ACTIONS, taken_on=dt.date(2025, 10, 11), reason="x")
    with pytest.raises(FlightpathError, match="reason|why"):
        take_step(**common, step=STEP.SUSPENSION, taken_on=dt.date(2025, 10, 11), reason=" ")
    take_step(**common, step=STEP.SUSPENSION, taken_on=dt.date(2026, 1, 5), reason="Red")
    take_step(**common, step=STEP.TERMINATION, taken_on=dt.date(2026, 4, 1), reason="No improvement")
    with pytest.raises(FlightpathError, match="terminated"):
        take_step(**common, step=STEP.TERMINATION, taken_on=dt.date(2026, 4, 2), reason="again")
    steps = selectors.ladder(world.contract, world.sub)
    assert [s.step for s in steps] == [1, 2, 3, 4]
    assert {s.recorded_by for s in steps} == {user}
    entries = list(selectors.timeline_entries(world.contract))
    assert entries[-1].title == "Sub Ltd: Termination"


def test_the_ladder_is_for_the_primes_own_subcontractors():
    world = make_world()
    with pytest.raises(FlightpathError, match="subcontractors"):
        take_step(
            contract=world.contract,
            organisation=world.prime,
            step=1,
            taken_on=dt.date(2025, 7, 1),
            reason="x",
        )


def test_the_partnerships_manager_records_a_step_on_the_page(client):
    world = make_world()
    url = f"/regimes/contracts/K-1/subcontractors/{world.sub.pk}/measures/"
    client.force_login(world.partnerships.user)
    response = client.post(
        url, {"step": "1", "taken_on": "2025-07-10", "reason": "Amber", "actions": "Weekly call"}
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "SMART actions</strong> on 10 Jul 2025" in page
    client.force_login(world.contract_manager.user)
    assert client.post(url, {"step": "2", "taken_on": "2025-08-01", "reason": "x"}).status_code == 403
