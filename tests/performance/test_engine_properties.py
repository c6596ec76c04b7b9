"""Property tests (hypothesis) of invariants the performance engine must keep on any input."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from performance import engine
from tests.performance.golden_support import rules_for

START = date(2024, 1, 1)
CODES = [
    "STARTED",
    "DID_NOT_START",
    "FAILED_TO_ATTEND",
    "JOB_START",
    "EARNINGS_START",
    "JOB_OUTCOME",
    "OUTCOME_INVALIDATED",
    "SUSTAINMENT",
    "EXITED",
    "ACKNOWLEDGED",
]


@st.composite
def bundles(draw, programme: str = "WP"):
    rules = rules_for(programme)
    n = draw(st.integers(1, 40))
    refs = [
        (i + 1, draw(st.sampled_from(rules.groups)), START + timedelta(days=draw(st.integers(0, 300))))
        for i in range(n)
    ]
    events = []
    for rid, _, day in refs:
        for _ in range(draw(st.integers(0, 5))):
            events.append(
                (rid, draw(st.sampled_from(CODES)), day + timedelta(days=draw(st.integers(0, 300))))
            )
    referrals = pd.DataFrame(refs, columns=["referral_id", "group", "referral_date"])
    referrals["referral_date"] = pd.to_datetime(referrals["referral_date"]).astype("datetime64[s]")
    frame = pd.DataFrame(events, columns=["referral_id", "code", "event_date"]).drop_duplicates()
    frame["event_date"] = pd.to_datetime(frame["event_date"]).astype("datetime64[s]")
    steps = draw(st.lists(st.integers(0, 300), min_size=1, max_size=15))
    profiles = pd.DataFrame(
        [(g, k + 1, sum(steps[: k + 1]) / 100) for g in rules.groups[:2] for k in range(len(steps))],
        columns=["group", "month", "cumulative_pct"],
    )
    return rules, referrals, frame.reset_index(drop=True), profiles


SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TERMS = engine.ContractTerms(START, 4)
MONTHS = list(range(engine.month_of(START), engine.month_of(date(2025, 12, 1)) + 1))


@SETTINGS
@given(bundles())
def test_all_is_the_sum_of_the_groups_and_longer_periods_hold_more(bundle):
    rules, referrals, events, profiles = bundle
    facts = engine.referral_facts(referrals, events)
    table = engine.performance_table(facts, rules, TERMS, profiles, None, MONTHS)
    flows = list(engine.FLOWS)
    for period, rows in table.groupby("period"):
        all_rows = rows[rows["group"] == "ALL"].set_index("month")[flows + ["mpl_required"]]
        by_group = rows[rows["group"] != "ALL"].groupby("month")[flows + ["mpl_required"]].sum()
        assert (all_rows[flows] == by_group[flows]).all().all(), period
        assert np.allclose(all_rows["mpl_required"], by_group["mpl_required"])
    wide = table.pivot_table(index=["month", "group"], columns="period", values="job_outcomes")
    assert (wide["in_month"] <= wide["rolling_3"]).all() and (wide["rolling_3"] <= wide["rolling_12"]).all()
    assert (wide["quarter"] <= wide["ytd"]).all() and (wide["ytd"] <= wide["ctd"]).all()


@SETTINGS
@given(bundles())
def test_contract_to_date_counts_each_referral_once_for_outcomes_and_resolutions(bundle):
    rules, referrals, events, profiles = bundle
    facts = engine.referral_facts(referrals, events)
    last = engine.performance_table(
        facts, rules, TERMS, profiles, None, [MONTHS[-1]], ("ctd",), ("ALL",)
    ).iloc[0]
    with_outcome = events.loc[events["code"] == "JOB_OUTCOME", "referral_id"].nunique()
    resolved = events.loc[
        events["code"].isin(["STARTED", "DID_NOT_START", "FAILED_TO_ATTEND"]), "referral_id"
    ]
    assert last["job_outcomes"] == with_outcome
    assert last["starts"] + last["did_not_start"] + last["failed_to_attend"] == resolved.nunique()
    assert last["referrals"] == len(referrals)
    assert last["sustainments"] == (events["code"] == "SUSTAINMENT").sum()


@SETTINGS
@given(bundles(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(bundle, random):
    rules, referrals, events, profiles = bundle
    shuffled = events.sample(frac=1.0, random_state=random.randint(0, 10_000)).reset_index(drop=True)
    a = engine.performance_table(
        engine.referral_facts(referrals, events), rules, TERMS, profiles, None, MONTHS
    )
    b = engine.performance_table(
        engine.referral_facts(referrals, shuffled), rules, TERMS, profiles, None, MONTHS
    )
    pd.testing.assert_frame_equal(a, b)


@SETTINGS
@given(bundles("WHP"))
def test_cohort_conversion_never_falls_and_never_passes_100(bundle):
    rules, referrals, events, profiles = bundle
    facts = engine.referral_facts(referrals, events)
    for group in rules.report_groups:
        rows = engine.cohort_table(facts, rules, profiles, group, date(2025, 12, 31))
        for row in rows:
            conversion = np.array(row["conversion_pct"])
            assert (np.diff(conversion) >= 0).all() and conversion.max(initial=0) <= 100
            assert row["size"] > 0
        started = facts.in_group(group) & (facts.resolution == 1)
        assert sum(r["size"] for r in rows) == started.sum()


@SETTINGS
@given(bundles(), st.floats(0, 100))
def test_assessment_adjusted_outcomes_lie_between_validated_and_gross(bundle, rate):
    rules, referrals, events, profiles = bundle
    facts = engine.referral_facts(referrals, events)
    rounds = pd.DataFrame(
        [(1, "2024-01-01", "2024-06-30", round(rate, 2), "FINAL")],
        columns=["round", "period_start", "period_end", "invalid_pct", "status"],
    )
    quarters = engine.quarter_ends_between(MONTHS[0], MONTHS[-1])
    frame = engine.assessment_table(facts, rules, TERMS, profiles, None, rounds, quarters)
    gross = engine.performance_table(
        facts, rules, TERMS, profiles, None, quarters, ("rolling_12",), rules.measured_groups
    ).set_index(["group", "month"])["job_outcomes"]
    for row in frame.itertuples(index=False):
        assert row.validated_outcomes <= row.adjusted_outcomes + 1e-9
        assert row.adjusted_outcomes <= gross[(row.group, row.quarter_end)] + 1e-9
        assert row.met == (row.adjusted_outcomes >= row.mpl_required)
        if row.final:
            assert row.invalid_pct_used == 0 and row.extrapolated_outcomes == 0


@SETTINGS
@given(bundles())
def test_projection_range_contains_the_projection_and_flags_below_mpl(bundle):
    rules, referrals, events, profiles = bundle
    facts = engine.referral_facts(referrals, events)
    frame = engine.projection_table(facts, rules, TERMS, profiles, None, date(2024, 10, 15))
    assert list(frame["quarter_end"].unique()) == [
        engine.month_of(date(2024, 12, 1)),
        engine.month_of(date(2025, 3, 1)),
    ]
    assert (frame["low"] <= frame["projected"]).all() and (frame["projected"] <= frame["high"]).all()
    assert (frame["actual"] <= frame["projected"]).all()
    assert (frame["below_mpl"] == (frame["projected"] < frame["mpl_required"])).all()
