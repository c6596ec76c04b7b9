"""The vectorised engine against the straightforward reference (tests/performance/reference.py) on generated
WP, WHP and CAP bundles: every month, period and group; every cohort; every quarterly assessment."""

from __future__ import annotations

import math
from datetime import date

import pytest

from performance import engine
from tests.performance import reference as ref
from tests.performance.golden_support import rules_for

CASES = [  # (programme, seed)
    ("WP", 1),
    ("WP", 2),
    ("WHP", 3),
    ("WHP", 4),
    ("CAP", 5),
]


def _bundle(code: str, seed: int) -> tuple[engine.ProgrammeRules, ref.Bundle]:
    rules = rules_for(code)
    groups = tuple(g for g in rules.groups)
    bundle = ref.generate(seed, groups, rules.cohort_basis, window=rules.outcome_window_days)
    return rules, bundle


def _close(a, b) -> bool:
    if b is None:
        return a is None or (isinstance(a, float) and math.isnan(a))
    return a is not None and not math.isnan(float(a)) and abs(float(a) - float(b)) < 1e-9


@pytest.mark.parametrize("code,seed", CASES)
def test_every_performance_row_matches_the_reference(code, seed):
    rules, b = _bundle(code, seed)
    terms = engine.ContractTerms(b.start, 4)
    facts = engine.referral_facts(b.referrals, b.events)
    months = list(range(engine.month_of(b.start), engine.month_of(b.as_of) + 1))
    frame = engine.performance_table(facts, rules, terms, b.profiles, b.targets, months)
    refs = ref.referrals_of(b.referrals, b.events)
    groups = tuple(g for g in rules.groups)
    assert len(frame) == len(months) * 6 * len(rules.report_groups)
    for row in frame.to_dict("records"):
        month = (int(row["month"]) // 12 + 1970, int(row["month"]) % 12 + 1)
        want = ref.performance(
            refs,
            b.profiles,
            b.targets,
            groups,
            rules.cohort_basis,
            b.start,
            4,
            month,
            row["period"],
            row["group"],
        )
        where = f"{ref.label(month)} {row['period']} {row['group']}"
        assert engine.month_label(row["first_month"]) == want["period_start"], where
        for name in engine.FLOWS:
            assert row[name] == want[name], f"{where} {name}"
        for name in ("mpl_required", "variance", "pct_of_mpl"):
            assert _close(row[name], want[name]), f"{where} {name}: {row[name]} != {want[name]}"


@pytest.mark.parametrize("code,seed", CASES)
def test_every_cohort_matches_the_reference(code, seed):
    rules, b = _bundle(code, seed)
    facts = engine.referral_facts(b.referrals, b.events)
    refs = ref.referrals_of(b.referrals, b.events)
    for as_of in (b.as_of, date(2024, 6, 15)):
        for group in rules.report_groups:
            got = engine.cohort_table(facts, rules, b.profiles, group, as_of)
            want = ref.cohorts(refs, b.profiles, rules.cohort_basis, rules.outcome_window_days, group, as_of)
            assert [(r["cohort"], r["size"]) for r in got] == [(r["cohort"], r["size"]) for r in want]
            for g, w in zip(got, want, strict=True):
                assert len(g["conversion_pct"]) == len(w["conversion_pct"])
                assert all(
                    _close(x, y) for x, y in zip(g["conversion_pct"], w["conversion_pct"], strict=True)
                )
                assert all(_close(x, y) for x, y in zip(g["profile_pct"], w["profile_pct"], strict=True))


@pytest.mark.parametrize("seed", [1, 2, 6])
def test_every_wp_assessment_matches_the_reference(seed):
    rules, b = _bundle("WP", seed)
    terms = engine.ContractTerms(b.start, 4)
    facts = engine.referral_facts(b.referrals, b.events)
    refs = ref.referrals_of(b.referrals, b.events)
    quarters = engine.quarter_ends_between(engine.month_of(b.start), engine.month_of(b.as_of))
    frame = engine.assessment_table(facts, rules, terms, b.profiles, b.targets, b.rounds, quarters)
    assert len(frame) == len(quarters) * len(rules.measured_groups) * 2
    for row in frame.to_dict("records"):
        q = (int(row["quarter_end"]) // 12 + 1970, int(row["quarter_end"]) % 12 + 1)
        want = ref.assessment(
            refs,
            b.profiles,
            b.targets,
            b.rounds,
            tuple(rules.groups),
            rules.cohort_basis,
            q,
            row["group"],
            row["final"],
        )
        where = f"{ref.label(q)} {row['group']} final={row['final']}"
        assert engine.month_label(row["window_start"]) == want["window_start"], where
        assert row["validated_months"] == want["validated_months"], where
        assert row["validated_outcomes"] == want["validated_outcomes"], where
        for name in ("extrapolated_outcomes", "adjusted_outcomes", "invalid_pct_used", "mpl_required"):
            assert _close(row[name], want[name]), f"{where} {name}"
        assert row["met"] == want["met"], where


def test_generated_bundles_hold_the_edge_cases_they_are_meant_to():
    rules, b = _bundle("WHP", 3)
    refs = ref.referrals_of(b.referrals, b.events)
    days = {
        (r.outcome_date - r.resolution_date).days
        for r in refs
        if r.outcome_date and r.resolution == "STARTED"
    }
    assert {639, 640} <= days
    outcomes = b.events[b.events["code"] == "JOB_OUTCOME"]
    assert outcomes["referral_id"].duplicated().any()
    assert (b.events["code"] == "OUTCOME_INVALIDATED").any()
    assert set(b.profiles["group"]) != set(rules.groups)  # a group without a profile
