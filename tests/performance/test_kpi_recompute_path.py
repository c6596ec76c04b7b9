"""The fast recompute path of the KPI ratings (issue 12, round three): the engine gives the same items and
actuals from the selector's Categoricals as from strings, the reads from PostgreSQL carry every input the
rules need and put the planner back as they found it, and the ratings are written in SQL with the manager's
decision kept (DOMAIN.md 17.12-15)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from django.db import connection

from participants.models import Complaint, KpiTarget, ReferralAssignment
from performance.kpis import engine, selectors, services
from performance.models import KpiRating, Pip
from tests import factories as f

from .kpi_support import at, event, make_world, target


def m(label: str) -> int:
    return int(np.datetime64(label, "M").astype(np.int64))


def events(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        [(r, c, pd.Timestamp(d), detail) for r, c, d, detail in rows],
        columns=["referral_id", "code", "event_date", "detail"],
    )


def as_selector_reads(frame: pd.DataFrame) -> pd.DataFrame:
    """The same events as the selector hands them over: code and detail as Categoricals, other values NaN."""
    return frame.assign(
        code=pd.Categorical(frame["code"].where(frame["code"].isin(engine.EVENT_CODES)), engine.EVENT_CODES),
        detail=pd.Categorical(
            frame["detail"].where(frame["detail"].isin(engine.PSG_ORDER)), engine.PSG_ORDER
        ),
    )


def item_list(items: pd.DataFrame) -> list[tuple]:
    return sorted(
        zip(
            items["referral_id"], items["kpi"].astype(str), items["date"].dt.strftime("%Y-%m-%d"), strict=True
        )
    )


JOURNEYS = events(
    (1, "FAILED_TO_ATTEND", "2025-04-02", ""),
    (1, "STARTED", "2025-04-02", ""),  # the same day: STARTED ranks first (DOMAIN.md 4)
    (2, "DID_NOT_START", "2025-04-01", ""),
    (2, "STARTED", "2025-04-09", ""),  # not the first resolution
    (1, "EXITED", "2025-04-03", ""),  # not a KPI event
    (1, "JOB_OUTCOME", "2025-07-01", ""),
    (1, "JOB_OUTCOME", "2025-06-01", ""),  # the first, though listed second
    (2, "JOB_START", "2025-05-01", ""),
    (2, "JOB_START", "2025-06-01", ""),
    (2, "SUSTAINMENT", "2025-08-01", ""),
    (1, "EARNINGS_START", "2025-05-02", ""),
    (1, "PSG_CHANGED", "2025-05-20", "PREPARATION"),  # forward from CONTEMPLATION
    (1, "PSG_CHANGED", "2025-04-10", "CONTEMPLATION"),  # the first: no move
    (2, "PSG_CHANGED", "2025-04-10", "SOMETHING_ELSE"),  # not a group: below every group
    (2, "PSG_CHANGED", "2025-04-11", "PRE_CONTEMPLATION"),  # so this one is a move up
)


def test_journey_items_are_the_same_from_the_selectors_categoricals_as_from_strings():
    from_strings = engine.journey_items(JOURNEYS)
    from_categoricals = engine.journey_items(as_selector_reads(JOURNEYS))
    assert item_list(from_strings) == item_list(from_categoricals)
    assert item_list(from_strings) == [
        (1, "EARNINGS_STARTS", "2025-05-02"),
        (1, "JOB_OUTCOMES", "2025-06-01"),
        (1, "PSG_PROGRESS", "2025-05-20"),
        (1, "STARTS", "2025-04-02"),
        (2, "JOB_STARTS", "2025-05-01"),
        (2, "JOB_STARTS", "2025-06-01"),
        (2, "PSG_PROGRESS", "2025-04-11"),
        (2, "SUSTAINMENTS", "2025-08-01"),
    ]
    assert list(from_categoricals["kpi"].cat.categories) == list(engine.ITEM_KPIS)


def test_of_two_assignments_begun_the_same_day_the_later_is_credited_whatever_their_order():
    items = engine.journey_items(
        events((1, "JOB_START", "2025-05-15", ""), (1, "JOB_START", "2025-05-14", ""))
    )
    held = pd.DataFrame(
        {
            "referral_id": [1, 1, 1],
            "since": pd.to_datetime(["2025-05-15 14:00", "2025-04-01 09:00", "2025-05-15 09:00"]),
            "key_worker": ["KW-C", "KW-A", "KW-B"],
            "site": ["S1", "S1", "S1"],
            "organisation": ["ORG", "ORG", "ORG"],
        }
    )
    credited = engine.credit(items, held)
    by_day = dict(zip(credited["date"].dt.strftime("%d"), credited["key_worker"], strict=True))
    assert by_day == {"14": "KW-A", "15": "KW-C"}


def test_monthly_actuals_are_the_same_from_categorical_units_and_leave_out_none():
    credited = pd.DataFrame(
        {
            "referral_id": [1, 2, 3, 4],
            "kpi": ["STARTS", "STARTS", "JOB_STARTS", "STARTS"],
            "date": pd.to_datetime(["2025-04-02", "2025-04-20", "2025-05-01", "2025-04-03"]),
            "key_worker": ["KW-A", "KW-A", "KW-B", ""],
            "site": ["S1", "S2", "S1", "S1"],
            "organisation": ["ORG", "ORG", "ORG", "ORG"],
        }
    ).assign(month=lambda f: f["date"].to_numpy().astype("datetime64[M]").astype(np.int64))
    categorical = credited.assign(
        kpi=pd.Categorical(credited["kpi"], engine.ITEM_KPIS),
        **{column: pd.Categorical(credited[column]) for column in ("key_worker", "site", "organisation")},
    )

    def counted(frame):
        actuals = engine.monthly_actuals(frame, "C1")
        return sorted(actuals[["level", "ref", "kpi", "month", "actual"]].itertuples(index=False, name=None))

    assert counted(credited) == counted(categorical)
    staff = {(ref, kpi, month): n for level, ref, kpi, month, n in counted(categorical) if level == "STAFF"}
    assert staff == {("KW-A", "STARTS", m("2025-04")): 2, ("KW-B", "JOB_STARTS", m("2025-05")): 1}
    assert ("CONTRACT", "C1", "STARTS", m("2025-04"), 3) in counted(categorical)


@pytest.mark.django_db
def test_the_reads_carry_every_input_of_the_rules_with_history_and_without():
    world = make_world()
    target(world, "STAFF", "KW-A", "JOB_STARTS", "2025-04", 1)
    target(world, "CONTRACT", "", "COMPLAINTS", "2025-05", 0)
    Complaint.objects.create(referral=world.referrals[1], on=dt.date(2025, 5, 2), summary="Late call back")
    inputs = selectors.kpi_inputs(world.contract)
    credited = inputs.credited
    rows = sorted(
        zip(
            credited["referral_id"],
            credited["kpi"].astype(str),
            credited["date"].dt.strftime("%Y-%m-%d"),
            credited["key_worker"].astype(str),
            credited["site"].astype(str),
            credited["organisation"].astype(str),
            strict=True,
        )
    )
    r0, r1, _, rs = (r.pk for r in world.referrals)
    assert rows == sorted(
        [
            (r0, "STARTS", "2025-04-02", "KW-A", "S1", "PRIME"),
            (r0, "JOB_STARTS", "2025-05-01", "KW-A", "S1", "PRIME"),
            (r0, "JOB_STARTS", "2025-06-01", "KW-B", "S1", "PRIME"),  # moved on 15 May
            (r1, "STARTS", "2025-04-03", "KW-A", "S1", "PRIME"),
            (r1, "JOB_STARTS", "2025-04-20", "KW-A", "S1", "PRIME"),
            (r1, "PSG_PROGRESS", "2025-04-25", "KW-A", "S1", "PRIME"),
            (r1, "COMPLAINTS", "2025-05-02", "KW-A", "S1", "PRIME"),
            (rs, "STARTS", "2025-04-04", "KW-S", "S2", "SUB"),  # no history: the current assignment
        ]
    )
    assert sorted(inputs.targets[["level", "ref", "kpi", "month", "target"]].values.tolist()) == [
        ["CONTRACT", "K-1", "COMPLAINTS", m("2025-05"), 0.0],
        ["STAFF", "KW-A", "JOB_STARTS", m("2025-04"), 1.0],
    ]


@pytest.mark.django_db
def test_an_assignment_without_site_or_key_worker_credits_only_its_organisation():
    world = make_world()
    r1 = world.referrals[1]
    ReferralAssignment.objects.create(referral=r1, organisation=world.sub, since=at(dt.date(2025, 5, 1)))
    event(r1, "JOB_START", "2025-05-10")
    credited = selectors.kpi_inputs(world.contract).credited
    row = credited.loc[(credited["referral_id"] == r1.pk) & (credited["date"] == "2025-05-10")]
    assert row[["key_worker", "site", "organisation"]].astype(str).values.tolist() == [["", "", "SUB"]]
    actuals = engine.monthly_actuals(credited.loc[credited["referral_id"] == r1.pk], world.contract.ref)
    may = actuals.loc[actuals["month"] == m("2025-05")]
    assert sorted(zip(may["level"], may["ref"], strict=True)) == [
        ("CONTRACT", "K-1"),
        ("ORGANISATION", "SUB"),
    ]


@pytest.mark.django_db
def test_the_bulk_read_settings_hold_for_the_reads_only():
    def settings():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_indexscan'), current_setting('work_mem')")
            return cursor.fetchone()

    before = settings()
    with selectors._bulk_read() as cursor:
        inside = cursor.execute(
            "SELECT current_setting('enable_indexscan'), current_setting('work_mem')"
        ).fetchone()
    assert inside == tuple(selectors.BULK_READ_SETTINGS.values())
    assert settings() == before
    selectors.kpi_inputs(make_world().contract)
    assert settings() == before


@pytest.mark.django_db
def test_a_contract_without_targets_has_no_ratings_and_one_without_events_misses_its_targets():
    world = make_world()
    assert services.recompute_ratings(contract_id=world.contract.pk) == 0
    empty = f.ContractFactory(ref="K-2", prime=world.prime)
    assert services.recompute_ratings(contract_id=empty.pk) == 0
    assert not KpiRating.objects.exists()
    KpiTarget.objects.create(
        contract=empty, level="CONTRACT", ref="", kpi="STARTS", month=dt.date(2025, 4, 1), target=1
    )
    assert services.recompute_ratings(contract_id=empty.pk) == 1  # nothing achieved: missed
    assert KpiRating.objects.get(contract=empty).kpis == [
        {"kpi": "STARTS", "target": 1.0, "actual": 0, "met": False}
    ]


@pytest.fixture
def world():
    w = make_world()
    target(w, "STAFF", "KW-A", "JOB_STARTS", "2025-04", 1)  # met: GREEN
    target(w, "STAFF", "KW-B", "JOB_STARTS", "2025-06", 2)  # one of two: AMBER, a PIP proposed
    target(w, "ORGANISATION", "SUB", "STARTS", "2025-04", 2)  # one of two: AMBER, a PIP proposed
    return w


def rating(world, level, ref) -> KpiRating:
    return KpiRating.objects.get(
        contract=world.contract, level=level, ref=ref, quarter_end=dt.date(2025, 6, 1)
    )


@pytest.mark.django_db
def test_only_changed_ratings_are_written_and_keep_their_pk(world):
    assert services.recompute_ratings(contract_id=world.contract.pk) == 3
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    KpiRating.objects.update(computed_at=long_ago)
    anna, ben = rating(world, "STAFF", "KW-A"), rating(world, "STAFF", "KW-B")
    world.contract.kpi_targets.filter(ref="KW-B").update(target=1)  # now met
    services.recompute_ratings(contract_id=world.contract.pk)
    after = {(r.level, r.ref): r for r in KpiRating.objects.filter(contract=world.contract)}
    assert after[("STAFF", "KW-A")].computed_at == long_ago  # unchanged: not written
    assert after[("STAFF", "KW-B")].pk == ben.pk and after[("STAFF", "KW-B")].computed_at > long_ago
    assert (after[("STAFF", "KW-B")].rag, after[("STAFF", "KW-B")].proposal) == ("GREEN", "")  # withdrawn
    assert after[("STAFF", "KW-B")].kpis == [{"kpi": "JOB_STARTS", "target": 1.0, "actual": 1, "met": True}]
    assert after[("STAFF", "KW-A")].pk == anna.pk and after[("STAFF", "KW-A")].name == "Anna Key"


@pytest.mark.django_db
def test_a_decided_proposal_stays_whatever_the_rating_becomes(world):
    services.recompute_ratings(contract_id=world.contract.pk)
    ben, sub = rating(world, "STAFF", "KW-B"), rating(world, "ORGANISATION", "SUB")
    services.dismiss_proposal(rating=ben, user=world.manager.user, reason="New starter")
    pip = services.accept_proposal(
        rating=sub, user=world.contract_manager.user, opened_on=dt.date(2025, 7, 1)
    )
    world.contract.kpi_targets.filter(ref="KW-B").update(target=5)  # still missed, a new KPI table
    world.contract.kpi_targets.filter(ref="SUB").update(target=1)  # now met
    target(world, "STAFF", "KW-A", "JOB_STARTS", "2025-05", 9)  # Anna misses now: proposed
    services.recompute_ratings(contract_id=world.contract.pk)
    ben, sub, anna = (
        rating(world, "STAFF", "KW-B"),
        rating(world, "ORGANISATION", "SUB"),
        rating(world, "STAFF", "KW-A"),
    )
    assert (ben.rag, ben.proposal, ben.dismissed_reason) == ("AMBER", "DISMISSED", "New starter")
    assert ben.kpis[0]["target"] == 5.0
    assert (sub.rag, sub.proposal, sub.decided_by) == ("GREEN", "ACCEPTED", world.contract_manager.user)
    assert (anna.rag, anna.proposal) == ("AMBER", "PROPOSED")
    assert Pip.objects.get(pk=pip.pk).rating == sub


@pytest.mark.django_db
def test_a_rating_no_longer_rated_is_deleted_and_its_pip_stays(world):
    services.recompute_ratings(contract_id=world.contract.pk)
    sub = rating(world, "ORGANISATION", "SUB")
    pip = services.accept_proposal(
        rating=sub, user=world.contract_manager.user, opened_on=dt.date(2025, 7, 1)
    )
    KpiTarget.objects.filter(contract=world.contract, ref="SUB").delete()
    assert services.recompute_ratings(contract_id=world.contract.pk) == 2
    assert not KpiRating.objects.filter(pk=sub.pk).exists()
    assert Pip.objects.get(pk=pip.pk).rating is None
