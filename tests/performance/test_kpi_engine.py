"""The KPI rules of DOMAIN.md 17.12-15 against hand-made journeys and targets (pure engine, no database)."""

import numpy as np
import pandas as pd
import pytest

from performance.kpis import engine

APRIL = 4  # contract year starts in April: quarters end June, September, December, March


def m(label: str) -> int:
    return int(np.datetime64(label, "M").astype(np.int64))


def events(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        [(r, c, pd.Timestamp(d), detail) for r, c, d, detail in rows],
        columns=["referral_id", "code", "event_date", "detail"],
    )


def assignments(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["referral_id", "since", "key_worker", "site", "organisation"]).assign(
        since=lambda f: pd.to_datetime(f["since"])
    )


def test_psg_progress_counts_moves_forward_only_and_not_the_first_change():
    items = engine.journey_items(
        events(
            (1, "PSG_CHANGED", "2025-04-01", "CONTEMPLATION"),  # first: not a move
            (1, "PSG_CHANGED", "2025-04-10", "PREPARATION"),  # forward
            (1, "PSG_CHANGED", "2025-05-01", "PRE_CONTEMPLATION"),  # backward
            (1, "PSG_CHANGED", "2025-05-20", "CONTEMPLATION"),  # forward again (from the previous change)
            (2, "PSG_CHANGED", "2025-04-02", "CANDIDATE_POOL"),
            (2, "PSG_CHANGED", "2025-04-03", "CANDIDATE_POOL"),  # same group: not a move
        )
    )
    moves = items.loc[items["kpi"] == "PSG_PROGRESS"].sort_values("date")
    assert moves["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-04-10", "2025-05-20"]


def test_starts_are_the_first_resolution_and_job_outcomes_the_first_only():
    items = engine.journey_items(
        events(
            (1, "STARTED", "2025-04-02", ""),
            (2, "FAILED_TO_ATTEND", "2025-04-01", ""),
            (2, "STARTED", "2025-04-05", ""),  # second resolution: the first (FTA) counts
            (1, "JOB_OUTCOME", "2025-06-01", ""),
            (1, "JOB_OUTCOME", "2025-07-01", ""),
            (1, "JOB_START", "2025-05-01", ""),
            (1, "JOB_START", "2025-05-20", ""),
            (1, "SUSTAINMENT", "2025-08-01", ""),
            (1, "EARNINGS_START", "2025-05-02", ""),
        )
    )
    counts = items.groupby("kpi").size().to_dict()
    assert counts == {
        "STARTS": 1,
        "JOB_OUTCOMES": 1,
        "JOB_STARTS": 2,
        "SUSTAINMENTS": 1,
        "EARNINGS_STARTS": 1,
    }


def test_actual_is_credited_to_the_assignment_on_the_event_date_when_it_changes_mid_quarter():
    items = engine.journey_items(
        events(
            (1, "JOB_START", "2025-04-10", ""),
            (1, "JOB_START", "2025-05-20", ""),
            (1, "SUSTAINMENT", "2025-06-02", ""),
        )
    )
    held = assignments(
        (1, "2025-04-20", "KW-A", "S1", "ORG"),  # the first assignment covers everything before it
        (1, "2025-05-15", "KW-B", "S2", "ORG"),
    )
    credited = engine.credit(items, held)
    actuals = engine.monthly_actuals(credited, "C1")
    staff = actuals.loc[actuals["level"] == "STAFF"].set_index(["ref", "kpi", "month"])["actual"].to_dict()
    assert staff == {
        ("KW-A", "JOB_STARTS", m("2025-04")): 1,
        ("KW-B", "JOB_STARTS", m("2025-05")): 1,
        ("KW-B", "SUSTAINMENTS", m("2025-06")): 1,
    }
    contract = actuals.loc[actuals["level"] == "CONTRACT"]
    assert contract["actual"].sum() == 3 and set(contract["ref"]) == {"C1"}


def test_ap_reviews_on_time_against_the_monthly_interval():
    reviews = pd.DataFrame(
        {
            "referral_id": [1, 1, 1],
            "agreed_on": pd.to_datetime(["2025-01-31"] * 3),
            "reviewed_on": pd.to_datetime(["2025-02-28", "2025-04-10", "2025-05-10"]),
        }
    )
    on_time = engine.reviews_on_time(reviews, 1)
    # 31 Jan + 1 month = 28 Feb (on time); 28 Feb + 1 month = 28 Mar (10 Apr late); 10 Apr -> 10 May on time.
    assert on_time["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-02-28", "2025-05-10"]


def _targets(*rows):
    return pd.DataFrame(
        [(level, ref, kpi, m(month), target) for level, ref, kpi, month, target in rows],
        columns=["level", "ref", "kpi", "month", "target"],
    )


def _actuals(*rows):
    return pd.DataFrame(
        [(level, ref, kpi, m(month), actual) for level, ref, kpi, month, actual in rows],
        columns=["level", "ref", "kpi", "month", "actual"],
    )


def _rags(targets, actuals) -> dict:
    rated = engine.rate(engine.judge(actuals, targets, APRIL))
    return {engine_label(q): rag for q, rag in zip(rated["quarter_end"], rated["rag"], strict=True)}


def engine_label(month: int) -> str:
    return str(np.datetime64(int(month), "M"))


def test_met_exactly_is_green():
    targets = _targets(("STAFF", "K", "JOB_STARTS", "2025-04", 3))
    assert _rags(targets, _actuals(("STAFF", "K", "JOB_STARTS", "2025-04", 3))) == {"2025-06": "GREEN"}


def test_a_maximum_met_exactly_is_green_and_one_over_is_missed():
    targets = _targets(("STAFF", "K", "COMPLAINTS", "2025-04", 1), ("STAFF", "K", "COMPLAINTS", "2025-07", 1))
    actuals = _actuals(("STAFF", "K", "COMPLAINTS", "2025-04", 1), ("STAFF", "K", "COMPLAINTS", "2025-07", 2))
    assert _rags(targets, actuals) == {"2025-06": "GREEN", "2025-09": "AMBER"}


def test_missed_only_this_quarter_is_amber_and_this_and_last_red():
    targets = _targets(
        ("STAFF", "K", "JOB_STARTS", "2025-04", 2),
        ("STAFF", "K", "JOB_STARTS", "2025-07", 2),
        ("STAFF", "K", "JOB_STARTS", "2025-10", 2),
    )
    actuals = _actuals(("STAFF", "K", "JOB_STARTS", "2025-04", 2), ("STAFF", "K", "JOB_STARTS", "2025-07", 1))
    assert _rags(targets, actuals) == {"2025-06": "GREEN", "2025-09": "AMBER", "2025-12": "RED"}


def test_a_quarter_without_targets_has_no_rating_and_breaks_the_run():
    targets = _targets(("STAFF", "K", "JOB_STARTS", "2025-04", 2), ("STAFF", "K", "JOB_STARTS", "2025-10", 2))
    assert _rags(targets, _actuals()) == {"2025-06": "AMBER", "2025-12": "AMBER"}


def test_a_target_in_only_some_months_judges_those_months_only():
    # A target in May only: April's and June's actuals do not count towards it.
    targets = _targets(("STAFF", "K", "JOB_STARTS", "2025-05", 2))
    actuals = _actuals(
        ("STAFF", "K", "JOB_STARTS", "2025-04", 5),
        ("STAFF", "K", "JOB_STARTS", "2025-05", 1),
        ("STAFF", "K", "JOB_STARTS", "2025-06", 5),
    )
    judged = engine.judge(actuals, targets, APRIL)
    assert judged[["target", "actual", "met"]].values.tolist() == [[2.0, 1, False]]
    assert _rags(targets, actuals) == {"2025-06": "AMBER"}


def test_any_missed_kpi_misses_the_quarter():
    targets = _targets(("SITE", "S", "JOB_STARTS", "2025-04", 1), ("SITE", "S", "STARTS", "2025-04", 1))
    actuals = _actuals(("SITE", "S", "JOB_STARTS", "2025-04", 1))
    assert _rags(targets, actuals) == {"2025-06": "AMBER"}


@pytest.mark.parametrize(
    ("year_start", "month", "quarter_end"),
    [
        (4, "2025-04", "2025-06"),
        (4, "2025-03", "2025-03"),
        (4, "2026-01", "2026-03"),
        (1, "2025-04", "2025-06"),
        (2, "2025-01", "2025-01"),
    ],
)
def test_contract_year_quarters(year_start, month, quarter_end):
    assert engine_label(engine.quarter_end_of(np.array([m(month)]), year_start)[0]) == quarter_end
