"""The worked examples at engine level (no database): every performance, cohorts and assessments entry, in
the API's shape (performance.api.records)."""

from __future__ import annotations

from datetime import date

import pytest

from performance import engine
from performance.api import records
from tests.golden import BUNDLES, assert_matches, bundle_frames, expected
from tests.performance.golden_support import (
    cohort_profile_ties,
    cohorts_tie_tolerant,
    rules_for,
    terms_for,
    tie_keys,
    tie_tolerant,
)


def _inputs(name):
    bundle = bundle_frames(name)
    rules = rules_for(bundle.contract["programme"])
    return bundle, rules, terms_for(bundle), engine.referral_facts(bundle.referrals, bundle.events)


@pytest.mark.parametrize("name", BUNDLES)
def test_engine_reproduces_every_golden_performance_entry(name):
    bundle, rules, terms, facts = _inputs(name)
    wanted = expected(name)["performance"]
    months = sorted({engine.parse_month(w["period_end"]) for w in wanted})
    frame = engine.performance_table(facts, rules, terms, bundle.profiles, bundle.targets, months)
    ref = bundle.contract["contract_ref"]
    shaped = [records.performance_record(row, ref) for row in frame.to_dict("records")]
    got = {(r["period_end"], r["period"], r["group"]): r for r in shaped}
    ties = tie_keys(frame)
    assert len(got) == len(wanted)
    for w in wanted:
        key = (w["period_end"], w["period"], w["group"])
        assert_matches(got[key], tie_tolerant(w, got[key]) if key in ties else w, "/".join(key))


@pytest.mark.parametrize("name", BUNDLES)
def test_engine_reproduces_every_golden_cohort_table(name):
    bundle, rules, terms, facts = _inputs(name)
    as_of = date.fromisoformat(expected(name)["as_of"])
    for group, wanted in expected(name)["cohorts"].items():
        rows = engine.cohort_table(facts, rules, bundle.profiles, group, as_of)
        got = {"results": records.cohort_records(rows)}
        assert_matches(got, cohorts_tie_tolerant(wanted, got, cohort_profile_ties(rows)), group)


@pytest.mark.parametrize("name", BUNDLES)
def test_engine_reproduces_every_golden_assessment(name):
    bundle, rules, terms, facts = _inputs(name)
    wanted = expected(name)["assessments"]
    if not rules.has_quarterly_review:
        assert wanted == []
        return
    quarters = sorted({engine.parse_month(w["quarter_end"]) for w in wanted})
    frame = engine.assessment_table(
        facts, rules, terms, bundle.profiles, bundle.targets, bundle.rounds, quarters
    )
    ref = bundle.contract["contract_ref"]
    shaped = [records.assessment_record(row, ref) for row in frame.to_dict("records")]
    got = {(r["quarter_end"], r["group"], r["validated_months"] == 12): r for r in shaped}
    assert len(got) == len(wanted)
    for w in wanted:
        assert_matches(got[(w["quarter_end"], w["group"], w["validated_months"] == 12)], w, w["quarter_end"])
