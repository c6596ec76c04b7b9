"""Recommendations (DOMAIN.md 17.6): raised from the snapshots after each recompute, kept once decided,
withdrawn when unsupported; PIN candidates from failed reviews; confirm and dismiss."""

from __future__ import annotations

import datetime as dt

import pytest

from participants.models import MplProfile
from performance import services as performance
from performance.models import AssessmentSnapshot
from regimes.models import Decision, Pin, Recommendation
from regimes.services import recommendations
from regimes.services.decisions import dismiss_recommendation, record_decision
from tests import factories as f

from .helpers import world


def _referrals(w, outcomes: int = 1):
    """PG1 referrals in 2024 with few outcomes against a steep profile: below MPL (tests/performance)."""
    for i in range(30):
        referral = f.ReferralFactory(
            contract=w.contract, ref=f"R-{i}", group="PG1", referral_date=dt.date(2024, 1 + i % 11, 3)
        )
        f.JourneyEventFactory(referral=referral, code="STARTED", event_date=referral.referral_date)
        if i < outcomes:
            f.JourneyEventFactory(referral=referral, code="JOB_OUTCOME", event_date=dt.date(2024, 12, 2))
    MplProfile.objects.bulk_create(
        [MplProfile(contract=w.contract, group="PG1", month=k, cumulative_pct=4 * k) for k in range(1, 13)]
    )


def _recompute(w):
    """The recompute job, then what it enqueues by name (eager in tests): the regimes refresh."""
    performance.recompute_contract(contract_id=w.contract.pk)
    return recommendations.refresh(contract=w.contract)


@pytest.mark.django_db(transaction=False)
def test_a_projection_below_mpl_raises_pin_risks_kept_when_decided():
    w = world()
    _referrals(w)
    _recompute(w)
    risks = list(Recommendation.objects.filter(contract=w.contract, kind="PIN_RISK"))
    assert sorted(r.quarter_end for r in risks) == [dt.date(2024, 12, 1), dt.date(2025, 3, 1)]
    first = min(risks, key=lambda r: r.quarter_end)
    assert first.message.endswith("of MPL at the December 2024 review: PIN candidate")
    dismiss_recommendation(recommendation=first, user=w.dwp, reason="Data lag")
    MplProfile.objects.filter(contract=w.contract).update(cumulative_pct=0)  # nothing required any more
    _recompute(w)
    first.refresh_from_db()
    assert first.status == "DISMISSED" and first.reason == "Data lag"  # a decided one never changes
    other = Recommendation.objects.get(contract=w.contract, kind="PIN_RISK", quarter_end=dt.date(2025, 3, 1))
    assert other.status == "WITHDRAWN"  # open, no longer supported


def _failed_review(w, quarter=dt.date(2025, 3, 1), group="PG1", final=False, met=False):
    return AssessmentSnapshot.objects.create(
        contract=w.contract,
        group=group,
        quarter_end=quarter,
        final=final,
        window_start=dt.date(2024, 4, 1),
        validated_months=6,
        validated_outcomes=80,
        extrapolation_base=10,
        extrapolated_outcomes=9.0,
        adjusted_outcomes=89.0,
        invalid_pct_used=0.0,
        mpl_required=100.0,
        met=met,
    )


def _latest_projection(w, as_of=dt.date(2025, 4, 30)):
    from performance.models import ProjectionSnapshot

    ProjectionSnapshot.objects.create(
        contract=w.contract,
        group="PG1",
        quarter_end=dt.date(2025, 6, 1),
        as_of=as_of,
        actual=1,
        expected=1,
        projected=2,
        low=1,
        high=3,
        mpl_required=1,
        projected_pct=200,
        low_pct=100,
        high_pct=300,
        below_mpl=False,
    )


@pytest.mark.django_db
def test_a_failed_quarterly_review_is_a_pin_candidate_and_confirming_it_issues_the_pin():
    w = world()
    _failed_review(w)
    _latest_projection(w)
    recommendations.refresh(contract=w.contract)
    rec = Recommendation.objects.get(kind="PIN_CANDIDATE")
    assert rec.key == "PIN_CANDIDATE:PG1:2025-03" and round(rec.pct_of_mpl) == 89
    recorded = record_decision(
        contract=w.contract,
        user=w.dwp,
        kind=rec.decision_kind,
        reason="Confirmed",
        decided_on=dt.date(2025, 5, 6),
        group=rec.group,
        quarter_end=rec.quarter_end,
        recommendation=rec,
    )
    rec.refresh_from_db()
    assert rec.status == "CONFIRMED" and rec.decision == recorded.decision
    assert recorded.decision.evidence["adjusted_outcomes"] == 89.0
    recommendations.refresh(contract=w.contract)
    assert Recommendation.objects.get(pk=rec.pk).status == "CONFIRMED"


@pytest.mark.django_db
def test_no_pin_candidate_when_a_pin_on_the_group_was_open_on_the_quarters_last_day():
    w = world()
    Pin.objects.create(
        contract=w.contract,
        group="PG1",
        quarter_end=dt.date(2024, 12, 1),
        issued_on=dt.date(2025, 2, 3),
        remedy_end=dt.date(2025, 6, 1),
        jo_target=10,
    )
    _failed_review(w)
    _failed_review(w, group="PG2")
    _latest_projection(w)
    recommendations.refresh(contract=w.contract)
    assert list(Recommendation.objects.values_list("key", flat=True)) == ["PIN_CANDIDATE:PG2:2025-03"]


@pytest.mark.django_db
def test_an_open_pin_whose_final_assessment_is_met_is_a_cancel_candidate():
    w = world()
    pin = Pin.objects.create(
        contract=w.contract,
        group="PG1",
        quarter_end=dt.date(2025, 3, 1),
        issued_on=dt.date(2025, 5, 6),
        remedy_end=dt.date(2025, 9, 1),
        jo_target=10,
    )
    _failed_review(w, final=True, met=True)
    recommendations.refresh(contract=w.contract)
    rec = Recommendation.objects.get(kind="CANCEL_PIN")
    assert rec.pin == pin and rec.decision_kind == Decision.Kind.CANCEL_PIN
