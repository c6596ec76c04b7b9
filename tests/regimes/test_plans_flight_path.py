"""Actuals against the flight path (DOMAIN.md 17.8, 15.13): that month's referrals, job starts and first job
outcomes per group; an ended month whose actual job outcomes fall short of the projection asks for a
re-profile, a month still in progress never does."""

import datetime as dt

import pytest
from django.urls import reverse

from participants.models import EventCode
from regimes.selectors import plans as selectors
from regimes.services import plans as services
from tests import factories as f
from tests.regimes.support import build_world

pytestmark = pytest.mark.django_db
D = dt.date


def referral_with_outcome(contract, referred: D, outcome: D | None, group="PG1"):
    referral = f.ReferralFactory(contract=contract, referral_date=referred, group=group)
    f.JourneyEventFactory(referral=referral, code=EventCode.STARTED, event_date=referred)
    if outcome:
        f.JourneyEventFactory(
            referral=referral, code=EventCode.JOB_START, event_date=outcome - dt.timedelta(days=5)
        )
        f.JourneyEventFactory(referral=referral, code=EventCode.JOB_OUTCOME, event_date=outcome)
    return referral


def plan_with_projection(world, outcomes_each_month=2):
    plan = services.create_plan(
        contract=world.contract, by=None, title="PG1 recovery", first_month=D(2025, 3, 1)
    )
    services.save_flight_path(
        plan=plan,
        cells={
            ("PG1", D(2025, m, 1)): {"referrals": 3, "job_starts": 1, "job_outcomes": outcomes_each_month}
            for m in range(3, 9)
        },
    )
    return plan


def test_actuals_are_the_months_flows_and_an_ended_short_month_asks_for_a_re_profile():
    world = build_world()
    c = world.contract
    referral_with_outcome(c, D(2025, 3, 3), D(2025, 3, 20))  # March: 1 outcome of 2 projected
    referral_with_outcome(c, D(2025, 3, 4), None)
    referral_with_outcome(c, D(2025, 1, 6), D(2025, 4, 10))  # April: 2 outcomes, as projected
    referral_with_outcome(c, D(2025, 1, 7), D(2025, 4, 15))
    referral_with_outcome(c, D(2025, 5, 2), None)  # May in progress: data ends on 2 May
    cells = {(cell.group, cell.month): cell for cell in selectors.flight_path(plan_with_projection(world))}
    march, april, may = (cells[("PG1", D(2025, m, 1))] for m in (3, 4, 5))
    assert march.actual == {"referrals": 2, "job_starts": 1, "job_outcomes": 1} and march.shortfall
    assert april.actual["job_outcomes"] == 2 and april.actual["job_starts"] == 2 and not april.shortfall
    assert may.actual["job_outcomes"] == 0 and not may.ended and not may.shortfall
    assert cells[("PG1", D(2025, 6, 1))].actual is None  # no data yet
    assert cells[("PG2", D(2025, 3, 1))].actual == {"referrals": 0, "job_starts": 0, "job_outcomes": 0}


def test_meeting_the_projection_asks_for_nothing():
    world = build_world()
    referral_with_outcome(world.contract, D(2025, 3, 3), D(2025, 3, 20))
    referral_with_outcome(world.contract, D(2025, 4, 3), None)
    cells = selectors.flight_path(plan_with_projection(world, outcomes_each_month=1))
    assert not [c for c in cells if c.shortfall]


def test_the_plan_page_prompts_a_re_profile_and_draws_the_chart(client, django_assert_max_num_queries):
    world = build_world()
    referral_with_outcome(world.contract, D(2025, 3, 3), D(2025, 3, 20))
    referral_with_outcome(world.contract, D(2025, 4, 3), None)
    plan = plan_with_projection(world)
    client.force_login(world.key_worker.user)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("regimes:plan", args=["CP-1", plan.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and 'id="reprofile"' in body and "PG1 Mar 2025 (1 of 2)" in body
    assert 'id="flight-path-chart"' in body and "Job outcomes (flight path)" in body
