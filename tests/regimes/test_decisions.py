"""Recording decisions (DOMAIN.md 17.2-17.5): who may decide, every rule at its edges, the obligations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from participants.errors import FlightpathError
from participants.models import MplProfile, MplTarget
from regimes.models import Decision, Epr, Obligation, Pin
from regimes.selectors.state import regime_state
from regimes.services.decisions import RuleRefused, record_decision
from regimes.services.obligations import fulfil

from .helpers import world

K = Decision.Kind


def _pin(w, *, on, group="PG1", quarter="2025-03", **kw):
    return record_decision(
        contract=w.contract,
        user=w.dwp,
        kind=K.ISSUE_PIN,
        reason="Failed review",
        decided_on=on,
        group=group,
        quarter_end=dt.date.fromisoformat(f"{quarter}-01"),
        **kw,
    )


@pytest.mark.django_db
def test_epr_on_31_may_owes_review_end_and_an_action_plan_five_working_days_on():
    w = world()
    recorded = record_decision(
        contract=w.contract,
        user=w.dwp,
        kind=K.ALLOCATE_EPR,
        reason="Six-monthly review",
        decided_on=dt.date(2025, 5, 30),
    )
    epr = Epr.objects.get()
    assert (epr.review_due, epr.ends_on) == (dt.date(2025, 8, 30), dt.date(2025, 11, 30))
    due = {o.kind: (o.due_date, o.owner) for o in recorded.obligations}
    # Fri 30 May 2025 + 5 working days (no bank holiday in England that week) = Fri 6 June
    assert due[Obligation.Kind.ACTION_PLAN_DUE] == (dt.date(2025, 6, 6), w.manager)
    assert due[Obligation.Kind.EPR_REVIEW] == (dt.date(2025, 8, 30), w.dwp)
    assert due[Obligation.Kind.EPR_END] == (dt.date(2025, 11, 30), w.dwp)
    assert recorded.decision.decided_by and not recorded.decision.recorded_for_dwp
    assert regime_state(w.contract).regime == "EPR"
    assert {o.key for o in recorded.obligations} == {
        f"epr:{epr.pk}:action_plan",
        f"epr:{epr.pk}:review",
        f"epr:{epr.pk}:end",
    }


@pytest.mark.django_db
def test_epr_decided_on_31_may_ends_30_november():
    w = world()
    record_decision(
        contract=w.contract, user=w.dwp, kind=K.ALLOCATE_EPR, reason="r", decided_on=dt.date(2025, 5, 31)
    )
    epr = Epr.objects.get()
    assert (epr.review_due, epr.ends_on) == (dt.date(2025, 8, 31), dt.date(2025, 11, 30))


@pytest.mark.django_db
def test_a_second_epr_is_refused_while_one_is_open_and_end_epr_closes_its_milestones():
    w = world()
    record_decision(
        contract=w.contract, user=w.dwp, kind=K.ALLOCATE_EPR, reason="r", decided_on=dt.date(2025, 5, 6)
    )
    with pytest.raises(RuleRefused, match="17.3"):
        record_decision(
            contract=w.contract, user=w.dwp, kind=K.ALLOCATE_EPR, reason="r", decided_on=dt.date(2025, 6, 6)
        )
    record_decision(
        contract=w.contract, user=w.dwp, kind=K.END_EPR, reason="done", decided_on=dt.date(2025, 11, 6)
    )
    assert regime_state(w.contract).regime == "PMR"
    assert set(Obligation.objects.filter(status="DONE").values_list("kind", flat=True)) == {
        "EPR_REVIEW",
        "EPR_END",
    }


@pytest.mark.django_db
def test_action_plan_due_skips_the_scottish_st_andrews_day_holiday():
    w = world(nation="SCT")
    # Mon 24 Nov 2025 + 5 working days: Sun 30 Nov is St Andrew's Day, observed Mon 1 Dec in Scotland.
    recorded = _pin(w, on=dt.date(2025, 11, 24), quarter="2025-09")
    plan = next(o for o in recorded.obligations if o.kind == Obligation.Kind.ACTION_PLAN_DUE)
    assert plan.due_date == dt.date(2025, 12, 2)
    england = world(nation="ENG", ref="RG-ENG")
    plan = next(
        o
        for o in _pin(england, on=dt.date(2025, 11, 24), quarter="2025-09").obligations
        if o.kind == "ACTION_PLAN_DUE"
    )
    assert plan.due_date == dt.date(2025, 12, 1)


@pytest.mark.django_db
def test_pin_refused_inside_the_remedy_period_and_allowed_the_day_after():
    w = world()
    first = _pin(w, on=dt.date(2025, 5, 6))
    pin = first.decision.pin
    assert pin.remedy_end == dt.date(2025, 9, 1)  # default: two quarters after March
    remedy = next(o for o in first.obligations if o.kind == Obligation.Kind.PIN_REMEDY_END)
    assert remedy.due_date == dt.date(2025, 9, 30) and remedy.key == f"pin:{pin.pk}:remedy_end"
    with pytest.raises(RuleRefused, match="17.4.*30 September 2025.*01 October 2025"):
        _pin(w, on=dt.date(2025, 9, 30), quarter="2025-06")
    second = _pin(w, on=dt.date(2025, 10, 1), quarter="2025-06")
    assert second.decision.pin.group == "PG1"
    _pin(w, on=dt.date(2025, 9, 30), quarter="2025-06", group="PG2")  # another group is not blocked


@pytest.mark.django_db
def test_jo_target_is_the_mpl_required_to_remedy_end_and_a_notified_override_wins():
    w = world()
    MplProfile.objects.bulk_create(
        [MplProfile(contract=w.contract, group="PG1", month=k, cumulative_pct=2 * k) for k in range(1, 13)]
    )
    MplTarget.objects.create(
        contract=w.contract,
        group="PG1",
        period_start=dt.date(2024, 10, 1),
        period_end=dt.date(2025, 9, 1),
        required_outcomes=412.5,
    )
    pin = _pin(w, on=dt.date(2025, 5, 6)).decision.pin
    assert pin.jo_target == 412.5
    assert Decision.objects.get(pin=pin).evidence["jo_target"] == 412.5


@pytest.mark.django_db
def test_lift_waits_for_the_remedy_period_to_end_and_cancel_does_not():
    w = world()
    pin = _pin(w, on=dt.date(2025, 5, 6)).decision.pin
    with pytest.raises(RuleRefused, match="remedy period runs to"):
        record_decision(
            contract=w.contract,
            user=w.dwp,
            kind=K.LIFT_PIN,
            reason="r",
            pin=pin.pk,
            decided_on=dt.date(2025, 9, 30),
        )
    record_decision(
        contract=w.contract,
        user=w.dwp,
        kind=K.LIFT_PIN,
        reason="met",
        pin=pin.pk,
        decided_on=dt.date(2025, 10, 1),
    )
    assert Pin.objects.get(pk=pin.pk).status == "LIFTED"
    assert Obligation.objects.get(key=f"pin:{pin.pk}:remedy_end").status == "DONE"
    with pytest.raises(RuleRefused, match="already lifted"):
        record_decision(
            contract=w.contract,
            user=w.dwp,
            kind=K.CANCEL_PIN,
            reason="r",
            pin=pin.pk,
            decided_on=dt.date(2025, 10, 2),
        )


@pytest.mark.django_db
def test_only_a_named_dwp_contact_decides_and_the_contract_manager_records_for_dwp():
    w = world()
    with pytest.raises(PermissionDenied):
        record_decision(
            contract=w.contract,
            user=w.key_worker,
            kind=K.ALLOCATE_EPR,
            reason="r",
            decided_on=dt.date(2025, 5, 6),
        )
    with pytest.raises(FlightpathError, match="decided_by"):
        record_decision(
            contract=w.contract,
            user=w.manager,
            kind=K.ALLOCATE_EPR,
            reason="r",
            decided_on=dt.date(2025, 5, 6),
        )
    recorded = record_decision(
        contract=w.contract,
        user=w.manager,
        kind=K.ALLOCATE_EPR,
        reason="DWP letter of 6 May",
        decided_by="J. Smith (DWP)",
        decided_on=dt.date(2025, 5, 6),
    )
    assert recorded.decision.recorded_for_dwp and recorded.decision.decided_by == "J. Smith (DWP)"
    other = world(ref="RG-2")
    with pytest.raises(PermissionDenied):
        record_decision(
            contract=other.contract,
            user=w.dwp,
            kind=K.ALLOCATE_EPR,
            reason="r",
            decided_on=dt.date(2025, 5, 6),
        )


@pytest.mark.django_db
def test_bad_fields_are_named():
    w = world()
    with pytest.raises(FlightpathError, match="^group"):
        _pin(w, on=dt.date(2025, 5, 6), group="PG4")
    with pytest.raises(FlightpathError, match="^quarter_end"):
        _pin(w, on=dt.date(2025, 5, 6), quarter="2025-02")
    with pytest.raises(FlightpathError, match="^reason"):
        record_decision(contract=w.contract, user=w.dwp, kind=K.ALLOCATE_EPR, reason=" ")
    with pytest.raises(RuleRefused, match="17.1"):
        record_decision(contract=w.contract, user=w.dwp, kind=K.SET_LEVEL, reason="r", level=2, active=True)


@pytest.mark.django_db
def test_whp_levels_run_at_once_and_a_pican_owes_a_plan_in_ten_working_days():
    w = world(programme="WHP")
    record_decision(
        contract=w.contract,
        user=w.dwp,
        kind=K.SET_LEVEL,
        reason="r",
        level=2,
        active=True,
        decided_on=dt.date(2025, 5, 6),
    )
    record_decision(
        contract=w.contract,
        user=w.dwp,
        kind=K.SET_LEVEL,
        reason="r",
        level=3,
        active=True,
        decided_on=dt.date(2025, 5, 7),
    )
    assert regime_state(w.contract).levels == [1, 2, 3]
    with pytest.raises(RuleRefused, match="already on"):
        record_decision(contract=w.contract, user=w.dwp, kind=K.SET_LEVEL, reason="r", level=2, active=True)
    record_decision(
        contract=w.contract,
        user=w.dwp,
        kind=K.SET_LEVEL,
        reason="r",
        level=2,
        active=False,
        decided_on=dt.date(2025, 6, 1),
    )
    assert regime_state(w.contract).levels == [1, 3]
    recorded = record_decision(
        contract=w.contract,
        user=w.dwp,
        kind=K.ISSUE_PICAN,
        reason="r",
        indicator="DDA_GROUP",
        decided_on=dt.date(2025, 5, 6),
    )
    (plan,) = recorded.obligations
    assert (
        plan.kind == "PICAN_PLAN_DUE" and plan.due_date == dt.date(2025, 5, 20) and plan.key.endswith(":plan")
    )
    assert fulfil(contract=w.contract, key=plan.key, on=dt.date(2025, 5, 19)) == 1
