"""Named rules of DOMAIN.md 5-8 and 15 on tiny hand-made frames (no database)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from performance import engine
from tests.performance.golden_support import rules_for

TERMS = engine.ContractTerms(date(2024, 1, 1), 4)


def frames(referrals: list[tuple], events: list[tuple]):
    r = pd.DataFrame(referrals, columns=["referral_id", "group", "referral_date"])
    r["referral_date"] = pd.to_datetime(r["referral_date"]).astype("datetime64[s]")
    e = pd.DataFrame(events, columns=["referral_id", "code", "event_date"])
    e["event_date"] = pd.to_datetime(e["event_date"]).astype("datetime64[s]")
    return engine.referral_facts(r, e)


def test_whp_outcome_on_day_639_after_the_start_counts_for_its_cohort_and_day_640_does_not():
    facts = frames(
        [(1, "LTU", "2024-01-02"), (2, "LTU", "2024-01-02")],
        [
            (1, "STARTED", "2024-01-10"),
            (1, "JOB_OUTCOME", "2025-10-10"),  # day 639
            (2, "STARTED", "2024-01-10"),
            (2, "JOB_OUTCOME", "2025-10-11"),
        ],
    )  # day 640
    (cohort,) = engine.cohort_table(facts, rules_for("WHP"), None, "LTU", date(2025, 12, 31))
    assert cohort["size"] == 2 and cohort["conversion_pct"][-1] == 50.0
    # the flows count both: no window there (15.13)
    row = engine.performance_table(
        facts, rules_for("WHP"), TERMS, None, None, [engine.parse_month("2025-10")], ("in_month",), ("LTU",)
    ).iloc[0]
    assert row["job_outcomes"] == 2


def test_only_the_first_job_outcome_of_a_referral_counts():
    facts = frames(
        [(1, "PG1", "2024-01-02")], [(1, "JOB_OUTCOME", "2024-05-02"), (1, "JOB_OUTCOME", "2024-08-02")]
    )
    table = engine.performance_table(
        facts,
        rules_for("WP"),
        TERMS,
        None,
        None,
        [engine.parse_month("2024-05"), engine.parse_month("2024-08")],
        ("in_month",),
        ("PG1",),
    )
    assert table["job_outcomes"].tolist() == [1, 0]


def test_the_first_resolution_counts_when_a_second_slips_through():
    facts = frames(
        [(1, "PG1", "2024-01-02")], [(1, "DID_NOT_START", "2024-02-20"), (1, "STARTED", "2024-01-20")]
    )
    row = engine.performance_table(
        facts, rules_for("WP"), TERMS, None, None, [engine.parse_month("2024-02")], ("ctd",), ("ALL",)
    ).iloc[0]
    assert (row["starts"], row["did_not_start"]) == (1, 0)


def test_validation_round_used_is_the_latest_final_one_with_ties_to_the_higher_round():
    rounds = pd.DataFrame(
        [
            (1, "2024-01-01", "2024-06-30", 5.0, "FINAL"),
            (3, "2024-04-01", "2024-06-30", 7.0, "FINAL"),
            (2, "2024-01-01", "2024-06-30", 9.0, "FINAL"),
            (4, "2024-07-01", "2024-09-30", 20.0, "PROVISIONAL"),
        ],
        columns=["round", "period_start", "period_end", "invalid_pct", "status"],
    )
    assert engine.invalid_rate(rounds, engine.parse_month("2024-09")) == 0.07
    assert engine.invalid_rate(rounds, engine.parse_month("2024-03")) == 0.0


def test_periods_ytd_is_clipped_to_the_contract_start_but_rolling_12_and_quarter_are_not():
    terms = engine.ContractTerms(date(2024, 6, 1), 4)
    month = [engine.parse_month("2024-08")]
    bounds = {
        p: tuple(engine.month_label(x[0]) for x in engine.period_bounds(month, p, terms))
        for p in engine.PERIODS
    }
    assert bounds == {
        "in_month": ("2024-08", "2024-08"),
        "rolling_3": ("2024-06", "2024-08"),
        "rolling_12": ("2023-09", "2024-08"),
        "quarter": ("2024-07", "2024-08"),
        "ytd": ("2024-06", "2024-08"),
        "ctd": ("2024-06", "2024-08"),
    }


def test_a_profile_month_left_out_takes_the_last_given_value():
    profiles = pd.DataFrame([("PG1", 2, 1.5), ("PG1", 4, 3.0)], columns=["group", "month", "cumulative_pct"])
    assert engine.profile_points(profiles, "PG1", 6).tolist() == [0, 150, 150, 300, 300, 300]
    assert engine.profile_points(profiles, "PG2", 3).tolist() == [0, 0, 0]


def test_all_uses_an_all_target_else_each_groups_own_exact_target():
    facts = frames([(1, "PG1", "2024-04-02"), (2, "PG2", "2024-04-02")], [])
    profiles = pd.DataFrame(
        [("PG1", 1, 10.0), ("PG2", 1, 20.0)], columns=["group", "month", "cumulative_pct"]
    )
    targets = pd.DataFrame(
        [("PG1", "2024-04-01", "2024-04-30", 5)],
        columns=["group", "period_start", "period_end", "required_outcomes"],
    )
    month = [engine.parse_month("2024-04")]
    table = engine.performance_table(facts, rules_for("WP"), TERMS, profiles, targets, month, ("in_month",))
    required = table.set_index("group")["mpl_required"]
    assert required["PG1"] == 5 and required["PG2"] == 0.2 and required["ALL"] == 5.2
    targets.loc[1] = ("ALL", "2024-04-01", "2024-04-30", 9)
    table = engine.performance_table(facts, rules_for("WP"), TERMS, profiles, targets, month, ("in_month",))
    assert table.set_index("group")["mpl_required"]["ALL"] == 9
