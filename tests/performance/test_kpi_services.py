"""KPI ratings computed from the database (DOMAIN.md 17.12-15): actuals credited by assignment history, the
ratings written and recomputed idempotently, the PIP a rating proposes accepted or dismissed, the scope of
each role, and the morning email through the outbox."""

import datetime as dt

import pytest

from participants.errors import FlightpathError
from participants.models import Complaint, OutboxMessage
from performance.kpis import selectors, services
from performance.models import KpiRating, Pip

from .kpi_support import make_world, target

pytestmark = pytest.mark.django_db


def rated(world, quarter="2025-06-01"):
    return {
        (r.level, r.ref): r
        for r in KpiRating.objects.filter(contract=world.contract, quarter_end=dt.date.fromisoformat(quarter))
    }


@pytest.fixture
def world():
    w = make_world()
    target(w, "STAFF", "KW-A", "JOB_STARTS", "2025-04", 1)
    target(w, "STAFF", "KW-A", "JOB_STARTS", "2025-05", 1)
    target(w, "STAFF", "KW-A", "PSG_PROGRESS", "2025-04", 1)
    target(w, "STAFF", "KW-B", "JOB_STARTS", "2025-06", 2)
    target(w, "SITE", "S1", "STARTS", "2025-04", 2)
    target(w, "ORGANISATION", "SUB", "STARTS", "2025-04", 2)
    target(w, "CONTRACT", "", "COMPLAINTS", "2025-05", 0)
    return w


def test_actuals_follow_the_assignment_and_ratings_are_written(world):
    services.recompute_ratings(contract_id=world.contract.pk)
    ratings = rated(world)
    anna = {row["kpi"]: row for row in ratings[("STAFF", "KW-A")].kpis}
    assert anna["JOB_STARTS"] == {"kpi": "JOB_STARTS", "target": 2.0, "actual": 2, "met": True}
    assert anna["PSG_PROGRESS"]["actual"] == 1
    assert ratings[("STAFF", "KW-A")].rag == "GREEN"
    ben = ratings[("STAFF", "KW-B")]
    assert (ben.rag, ben.kpis[0]["actual"], ben.proposal) == ("AMBER", 1, KpiRating.Proposal.PROPOSED)
    assert ratings[("SITE", "S1")].rag == "GREEN"  # two starts at the site
    assert ratings[("ORGANISATION", "SUB")].rag == "AMBER"  # one start of two
    assert ratings[("CONTRACT", "K-1")].rag == "GREEN"  # no complaints against a maximum of 0
    assert ratings[("STAFF", "KW-A")].name == "Anna Key"


def test_a_complaint_recorded_in_the_workspace_misses_the_maximum(world):
    Complaint.objects.create(referral=world.referrals[1], on=dt.date(2025, 5, 2), summary="Late call back")
    services.recompute_ratings(contract_id=world.contract.pk)
    assert rated(world)[("CONTRACT", "K-1")].rag == "AMBER"


def test_recompute_is_idempotent_and_keeps_the_managers_decision(world):
    services.recompute_ratings(contract_id=world.contract.pk)
    ben = rated(world)[("STAFF", "KW-B")]
    with pytest.raises(FlightpathError):
        services.dismiss_proposal(rating=ben, user=world.manager.user, reason=" ")
    services.dismiss_proposal(rating=ben, user=world.manager.user, reason="New starter, shadowing")
    first = list(KpiRating.objects.order_by("pk").values_list("pk", "rag", "proposal"))
    services.recompute_ratings(contract_id=world.contract.pk)
    assert list(KpiRating.objects.order_by("pk").values_list("pk", "rag", "proposal")) == first
    assert rated(world)[("STAFF", "KW-B")].dismissed_reason == "New starter, shadowing"


def test_accepting_a_proposal_raises_a_pip_with_the_missed_kpis(world):
    services.recompute_ratings(contract_id=world.contract.pk)
    sub = rated(world)[("ORGANISATION", "SUB")]
    pip = services.accept_proposal(
        rating=sub, user=world.contract_manager.user, opened_on=dt.date(2025, 7, 31)
    )
    assert (pip.level, pip.ref, pip.name, pip.rating_id) == ("ORGANISATION", "SUB", "Sub Ltd", sub.pk)
    assert "STARTS: 1 against a target of 2" in pip.reason
    assert [r.scheduled_on for r in pip.reviews.all()] == [dt.date(2025, 8, 31)]
    with pytest.raises(FlightpathError):
        services.accept_proposal(rating=sub, user=world.contract_manager.user)
    action = services.add_action(
        pip=pip,
        action="Weekly pipeline call",
        measure="2 starts a month",
        owner=world.partnerships.user,
        due_date=dt.date(2025, 8, 15),
    )
    assert list(selectors.pip_actions_due(world.partnerships.user)) == [action]
    services.close_pip(pip=pip, outcome="IMPROVED", note="Met in Q2", closed_on=dt.date(2025, 10, 1))
    assert not selectors.pip_actions_due(world.partnerships.user).exists()
    assert Pip.objects.get().status == "CLOSED"


def test_a_rating_back_on_target_withdraws_its_open_proposal(world):
    services.recompute_ratings(contract_id=world.contract.pk)
    assert rated(world)[("STAFF", "KW-B")].proposal == "PROPOSED"
    target(world, "STAFF", "KW-B", "JOB_STARTS", "2025-05", 0)
    world.contract.kpi_targets.filter(ref="KW-B", month=dt.date(2025, 6, 1)).update(target=1)
    services.recompute_ratings(contract_id=world.contract.pk)
    ben = rated(world)[("STAFF", "KW-B")]
    assert (ben.rag, ben.proposal) == ("GREEN", "")


@pytest.mark.parametrize(
    ("who", "units"),
    [
        ("anna", {("STAFF", "KW-A")}),
        ("tess", {("STAFF", "KW-A"), ("STAFF", "KW-B"), ("SITE", "S1"), ("CONTRACT", "K-1")}),
        ("pat", {("ORGANISATION", "SUB")}),
        (
            "cara",
            {
                ("STAFF", "KW-A"),
                ("STAFF", "KW-B"),
                ("SITE", "S1"),
                ("ORGANISATION", "SUB"),
                ("CONTRACT", "K-1"),
            },
        ),
        ("sam", set()),
    ],
)
def test_each_role_sees_its_units(world, who, units):
    services.recompute_ratings(contract_id=world.contract.pk)
    user = {
        "anna": world.anna,
        "tess": world.manager,
        "pat": world.partnerships,
        "cara": world.contract_manager,
        "sam": world.sub_worker,
    }[who].user
    seen = {
        (r.level, r.ref) for r in selectors.ratings(world.contract, user, quarter_end=dt.date(2025, 6, 1))
    }
    assert seen == units


def test_drill_down_lists_the_referrals_behind_an_actual(world):
    frame = selectors.credited_referrals(
        world.contract, level="STAFF", ref="KW-A", kpi="JOB_STARTS", quarter_end=dt.date(2025, 6, 1)
    )
    assert frame["referral_ref"].tolist() == ["R1", "R0"]


def test_scores_on_the_doors_are_queued_once_per_person_and_day(world):
    target(world, "STAFF", "KW-A", "JOB_STARTS", "2025-06", 1)
    day = dt.date(2025, 6, 10)
    assert services.send_scores_on_the_doors(today=day) == 2  # Anna and Ben, at Leeds
    assert services.send_scores_on_the_doors(today=day) == 0
    message = OutboxMessage.objects.get(to=["anna@example.org"])
    assert "Leeds" in message.html and "Ben Key" in message.html
    assert message.key == f"scores-on-the-doors:{world.anna.user_id}:2025-06-10"
