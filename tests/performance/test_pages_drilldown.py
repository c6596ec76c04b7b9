"""The referrals behind each figure (performance.engine.drilldown) are exactly as many as the figure, for
every measure, period and group of the golden bundles; and the validation round shown is the one whose rate
is applied."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from performance import engine
from performance.engine import drilldown
from tests.golden import BUNDLES, bundle_frames, expected
from tests.performance.golden_support import rules_for, terms_for


def _setup(name: str):
    bundle = bundle_frames(name)
    facts = engine.referral_facts(bundle.referrals, bundle.events)
    return bundle, facts, rules_for(bundle.contract["programme"]), terms_for(bundle)


@pytest.mark.parametrize("name", BUNDLES)
def test_every_flow_drilldown_has_as_many_entries_as_the_figure(name):
    bundle, facts, rules, terms = _setup(name)
    months = sorted({engine.parse_month(w["period_end"]) for w in expected(name)["performance"]})
    table = engine.performance_table(facts, rules, terms, bundle.profiles, bundle.targets, months)
    assert len(table) > 0
    for row in table.itertuples(index=False):  # months x periods x groups of the example
        for measure in engine.FLOWS:
            members = drilldown.flow_members(
                facts, terms, measure=measure, group=row.group, month=row.month, period=row.period
            )
            assert len(members) == getattr(row, measure), (row.month, row.period, row.group, measure)


@pytest.mark.parametrize("name", BUNDLES)
def test_flow_members_are_referrals_of_the_group(name):
    bundle, facts, rules, terms = _setup(name)
    group = rules.measured_groups[0]
    month = engine.parse_month(expected(name)["performance"][-1]["period_end"])
    members = drilldown.flow_members(
        facts, terms, measure="referrals", group=group, month=month, period="ctd"
    )
    assert len(members) > 0
    assert set(bundle.referrals["group"].to_numpy()[members]) == {group}


def test_a_referral_with_two_sustainments_in_the_period_is_counted_twice():
    referrals = pd.DataFrame(
        {"referral_id": [1, 2], "group": ["PG1", "PG1"], "referral_date": pd.to_datetime(["2024-01-05"] * 2)}
    )
    events = pd.DataFrame(
        {
            "referral_id": [1, 1, 2],
            "code": ["SUSTAINMENT", "SUSTAINMENT", "SUSTAINMENT"],
            "event_date": pd.to_datetime(["2024-05-01", "2024-06-01", "2024-09-01"]),
        }
    )
    facts = engine.referral_facts(referrals, events)
    terms = engine.ContractTerms(date(2024, 1, 1))
    members = drilldown.flow_members(
        facts,
        terms,
        measure="sustainments",
        group="PG1",
        month=engine.parse_month("2024-06"),
        period="rolling_3",
    )
    assert members.tolist() == [0, 0]


@pytest.mark.parametrize("name", BUNDLES)
def test_cohort_drilldowns_match_cohort_size_and_outcomes(name):
    bundle, facts, rules, terms = _setup(name)
    as_of = date.fromisoformat(expected(name)["as_of"])
    last = engine.last_ended_month(as_of)
    for group in rules.report_groups:
        for row in engine.cohort_table(facts, rules, bundle.profiles, group, as_of):
            month = engine.parse_month(row["cohort"])
            size = drilldown.cohort_members(facts, rules, group=group, cohort_month=month, last_month=last)
            converted = drilldown.cohort_members(
                facts, rules, group=group, cohort_month=month, last_month=last, converted=True
            )
            assert len(size) == row["size"]
            assert len(converted) == round(row["conversion_pct"][-1] * row["size"] / 100)


def test_a_cohort_after_the_last_ended_month_has_no_members():
    bundle, facts, rules, terms = _setup("wp-england")
    first = int(facts.referral_month.min())
    assert (
        len(drilldown.cohort_members(facts, rules, group="ALL", cohort_month=first, last_month=first - 1))
        == 0
    )


@pytest.mark.parametrize("name", BUNDLES)
def test_the_round_shown_is_the_one_whose_rate_the_assessment_applies(name):
    bundle, facts, rules, terms = _setup(name)
    first = terms.start_month
    rounds = bundle.rounds
    quarter_ends = engine.quarter_ends_between(first, first + 60)
    applied = engine.assessment_table(
        facts, rules, terms, bundle.profiles, bundle.targets, rounds, quarter_ends, finals=(False,)
    )
    for row in applied.to_dict("records"):  # quarter ends x measured groups
        used = engine.validation_round_used(rounds, row["quarter_end"])
        assert (0.0 if used is None else used["invalid_pct"]) == pytest.approx(row["invalid_pct_used"])
    if not rounds.empty:
        assert any(engine.validation_round_used(rounds, q) for q in quarter_ends)


def test_the_higher_round_wins_a_tie_on_period_end():
    rounds = pd.DataFrame(
        {
            "round": [1, 2, 3],
            "period_start": ["2024-01-01"] * 3,
            "period_end": ["2024-03-31", "2024-03-31", "2024-06-30"],
            "invalid_pct": ["4", "6", "9"],
            "status": ["FINAL", "FINAL", "FINAL"],
        }
    )
    assert engine.validation_round_used(rounds, engine.parse_month("2024-03"))["round"] == 2
    assert engine.validation_round_used(rounds, engine.parse_month("2023-12")) is None
    assert np.isclose(engine.invalid_rate(rounds, engine.parse_month("2024-03")), 0.06)


def test_quarterly_review_drilldowns_match_validated_and_extrapolated_outcomes():
    bundle, facts, rules, terms = _setup("wp-england")
    last = int(facts.referral_month.max())
    quarter_ends = engine.quarter_ends_between(terms.start_month, last)
    table = engine.assessment_table(
        facts, rules, terms, bundle.profiles, bundle.targets, bundle.rounds, quarter_ends
    )
    assert len(table) > 0 and table["validated_outcomes"].sum() > 0
    for row in table.itertuples(index=False):  # quarter ends x measured groups x final
        validated = drilldown.assessment_members(
            facts, measure="validated_outcomes", group=row.group, quarter_end=row.quarter_end, final=row.final
        )
        base = drilldown.assessment_members(
            facts, measure="extrapolation_base", group=row.group, quarter_end=row.quarter_end, final=row.final
        )
        assert len(validated) == row.validated_outcomes
        assert len(base) == row.extrapolation_base
        assert len(base) * (1 - row.invalid_pct_used / 100) == pytest.approx(row.extrapolated_outcomes)
        assert not facts.invalidated[validated].any()
