"""Provider action plans (DOMAIN.md 17.8): the lifecycle and its edges, who may take each step, what a plan
fulfils, the letters."""

import datetime as dt

import pytest
from django.urls import reverse

from participants.errors import FlightpathError
from regimes.models import Obligation, ProviderActionPlan
from regimes.services import plans as services
from regimes.services.obligations import owe
from tests.regimes.support import build_world, pdf_text

pytestmark = pytest.mark.django_db
Status = ProviderActionPlan.Status
D = dt.date


def draft(world, **extra) -> ProviderActionPlan:
    plan = services.create_plan(
        contract=world.contract,
        by=world.pm.user,
        title="Lift PG1 job outcomes",
        first_month=D(2025, 3, 1),
        **extra,
    )
    services.add_action(
        plan=plan,
        what="Employer engagement team for PG1",
        measure="20 vacancies a month",
        owner="Head of delivery",
        start_date=D(2025, 3, 3),
        due_date=D(2025, 5, 30),
        milestones="Team in post\nFirst 20 vacancies",
        uplift={"PG1": 4},
    )
    services.save_flight_path(
        plan=plan,
        cells={("PG1", D(2025, 3, 1)): {"referrals": 100, "job_starts": 20, "job_outcomes": 10}},
    )
    return plan


def test_submit_reject_meet_resubmit_approve():
    world = build_world()
    plan = services.submit_plan(plan=draft(world), on=D(2025, 2, 24))
    assert plan.status == Status.SUBMITTED
    plan = services.decide_plan(
        plan=plan, by=world.dwp.user, approve=False, reason="No PG1 detail", on=D(2025, 2, 26)
    )
    assert plan.status == Status.REJECTED and plan.editable
    with pytest.raises(FlightpathError, match="only after the meeting"):
        services.submit_plan(plan=plan, on=D(2025, 2, 27))
    plan = services.record_meeting(plan=plan, on=D(2025, 3, 2), note="Add PG1 caseload actions")
    plan = services.submit_plan(plan=plan, on=D(2025, 3, 4))
    assert plan.status == Status.RESUBMITTED and plan.resubmitted_on == D(2025, 3, 4)
    plan = services.decide_plan(plan=plan, by=world.dwp.user, approve=True, reason="", on=D(2025, 3, 6))
    assert plan.status == Status.APPROVED and plan.decided_by == world.dwp.user


def test_a_resubmitted_plan_rejected_again_is_referred_to_the_head_of_division():
    world = build_world()
    plan = services.submit_plan(plan=draft(world), on=D(2025, 2, 24))
    plan = services.decide_plan(plan=plan, by=world.dwp.user, approve=False, reason="Thin", on=D(2025, 2, 25))
    services.record_meeting(plan=plan, on=D(2025, 2, 26), note="Met")
    plan = services.submit_plan(plan=plan, on=D(2025, 2, 27))
    plan = services.decide_plan(
        plan=plan, by=world.dwp.user, approve=False, reason="Still thin", on=D(2025, 2, 28)
    )
    assert plan.status == Status.REJECTED_FINAL and not plan.editable
    with pytest.raises(FlightpathError, match="cannot be submitted"):
        services.submit_plan(plan=plan, on=D(2025, 3, 1))


@pytest.mark.parametrize(
    "step, message",
    [
        (
            lambda w, p: services.decide_plan(
                plan=p, by=w.dwp.user, approve=True, reason="", on=D(2025, 3, 1)
            ),
            "only a submitted plan is decided",
        ),
        (lambda w, p: services.record_meeting(plan=p, on=D(2025, 3, 1), note="x"), "for a rejected plan"),
    ],
)
def test_steps_out_of_order_are_refused_naming_the_rule(step, message):
    world = build_world()
    with pytest.raises(FlightpathError, match=message):
        step(world, draft(world))


def test_a_plan_is_submitted_with_an_action_and_a_flight_path():
    world = build_world()
    plan = services.create_plan(contract=world.contract, by=None, title="Empty", first_month=D(2025, 3, 1))
    with pytest.raises(FlightpathError, match="at least one SMART action"):
        services.submit_plan(plan=plan, on=D(2025, 3, 1))


def test_a_rejection_gives_its_reason_and_no_decision_precedes_the_submission():
    world = build_world()
    plan = services.submit_plan(plan=draft(world), on=D(2025, 2, 24))
    with pytest.raises(FlightpathError, match="reason") as exc:
        services.decide_plan(plan=plan, by=world.dwp.user, approve=False, reason=" ", on=D(2025, 2, 25))
    assert exc.value.field == "reason"
    with pytest.raises(FlightpathError, match="before the plan was submitted"):
        services.decide_plan(plan=plan, by=world.dwp.user, approve=True, reason="", on=D(2025, 2, 23))


def test_a_submitted_plan_is_not_changed_and_one_version_is_worked_at_a_time():
    world = build_world()
    plan = services.submit_plan(plan=draft(world), on=D(2025, 2, 24))
    with pytest.raises(FlightpathError, match="only a draft or a rejected plan is changed"):
        services.save_flight_path(plan=plan, cells={})
    with pytest.raises(FlightpathError, match="finish it"):
        services.create_plan(contract=world.contract, by=None, title="v2", first_month=D(2025, 4, 1))


def test_a_new_version_copies_the_actions_and_the_months_it_shares():
    world = build_world()
    plan = services.submit_plan(plan=draft(world), on=D(2025, 2, 24))
    services.decide_plan(plan=plan, by=world.dwp.user, approve=True, reason="", on=D(2025, 2, 25))
    # The March month is outside a version starting in April: not copied.
    v2 = services.create_plan(
        contract=world.contract, by=None, title="April update", first_month=D(2025, 4, 9)
    )
    assert v2.version == 2 and v2.first_month == D(2025, 4, 1)
    assert [a.what for a in v2.actions.all()] == ["Employer engagement team for PG1"]
    assert v2.flight_path.count() == 0


def test_flight_path_cells_outside_the_six_months_or_groups_are_refused():
    world = build_world()
    plan = services.create_plan(contract=world.contract, by=None, title="x", first_month=D(2025, 3, 1))
    cell = {"referrals": 1, "job_starts": 1, "job_outcomes": 1}
    with pytest.raises(FlightpathError, match="outside the plan's six months"):
        services.save_flight_path(plan=plan, cells={("PG1", D(2025, 9, 1)): cell})
    with pytest.raises(FlightpathError, match="LTU is not a group"):
        services.save_flight_path(plan=plan, cells={("LTU", D(2025, 3, 1)): cell})


def test_submitting_fulfils_the_obligation_it_responds_to():
    world = build_world()
    owe(
        contract=world.contract,
        key="pin:7:action_plan",
        kind=Obligation.Kind.ACTION_PLAN_DUE,
        due_date=D(2025, 3, 3),
        source="PIN 7",
    )
    plan = draft(world, obligation_key="pin:7:action_plan")
    services.submit_plan(plan=plan, on=D(2025, 2, 28))
    ob = Obligation.objects.get(key="pin:7:action_plan")
    assert ob.status == Obligation.Status.DONE and ob.done_on == D(2025, 2, 28)


def test_a_plan_responds_only_to_an_open_plan_obligation_of_its_contract():
    world = build_world()
    owe(
        contract=world.other,
        key="pin:8:action_plan",
        kind=Obligation.Kind.ACTION_PLAN_DUE,
        due_date=D(2025, 3, 3),
        source="PIN 8",
    )
    with pytest.raises(FlightpathError) as exc:
        draft(world, obligation_key="pin:8:action_plan")
    assert exc.value.field == "obligation_key"


# Who (participants.access): the prime's managers write, the named DWP contact decides ----------------------


def _url(name, plan):
    return reverse(name, args=[plan.contract.ref, plan.pk])


def test_only_the_named_dwp_contact_decides(client):
    world = build_world()
    plan = services.submit_plan(plan=draft(world), on=D(2025, 2, 24))
    body = {"decision": "approve", "on": "2025-02-25", "reason": ""}
    for staff, status in ((world.pm, 403), (world.contract_manager, 403), (world.other_dwp, 404)):
        client.force_login(staff.user)
        assert client.post(_url("regimes:plan-decide", plan), body).status_code == status
    client.force_login(world.dwp.user)
    assert client.post(_url("regimes:plan-decide", plan), body).status_code == 302
    plan.refresh_from_db()
    assert plan.status == Status.APPROVED


def test_the_dwp_contact_and_key_workers_do_not_write_plans(client):
    world = build_world()
    plan = draft(world)
    for staff in (world.dwp, world.key_worker):
        client.force_login(staff.user)
        assert client.post(_url("regimes:plan-submit", plan)).status_code == 403
        assert client.get(reverse("regimes:plan-new", args=["CP-1"])).status_code == 403
    client.force_login(world.other_pm.user)
    assert client.get(_url("regimes:plan", plan)).status_code == 404


def test_a_bad_plan_form_keeps_what_was_typed_and_names_the_field(client):
    world = build_world()
    client.force_login(world.pm.user)
    response = client.post(
        reverse("regimes:plan-new", args=["CP-1"]), {"title": "My plan", "first_month": "2025-13"}
    )
    assert response.status_code == 400
    assert b'value="My plan"' in response.content and b"Flight path from" in response.content


def test_the_plan_page_shows_the_plan_in_few_queries(client, django_assert_max_num_queries):
    world = build_world()
    plan = draft(world)
    client.force_login(world.pm.user)
    with django_assert_max_num_queries(20):
        response = client.get(_url("regimes:plan", plan))
    assert response.status_code == 200
    assert (
        b"Employer engagement team for PG1" in response.content and b"flight-path-chart" in response.content
    )


# The letters ------------------------------------------------------------------------------------------------


def test_the_acceptance_and_rejection_letters_name_the_contract_and_the_plan(client, tmp_path):
    world = build_world()
    plan = services.submit_plan(plan=draft(world), on=D(2025, 2, 24))
    client.force_login(world.pm.user)
    assert client.get(_url("regimes:plan-letter", plan)).status_code == 404  # no decision yet
    services.decide_plan(
        plan=plan, by=world.dwp.user, approve=False, reason="No PG1 detail", on=D(2025, 2, 26)
    )
    response = client.get(_url("regimes:plan-letter", plan))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "Provider action plan rejected" in text and "CP-1" in text and "Lift PG1 job outcomes" in text
    assert "No PG1 detail" in text
    services.record_meeting(plan=plan, on=D(2025, 2, 27), note="Met")
    plan = services.submit_plan(plan=plan, on=D(2025, 2, 28))
    services.decide_plan(plan=plan, by=world.dwp.user, approve=True, reason="Thorough.", on=D(2025, 3, 3))
    response = client.get(_url("regimes:plan-letter", plan))
    assert 'acceptance.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    assert "Provider action plan accepted" in text and "CP-1" in text and "Lift PG1 job outcomes" in text
    assert "3 March 2025" in text and "Employer engagement team for" in text
