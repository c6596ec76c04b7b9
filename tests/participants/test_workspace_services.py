"""The workspace's write paths and their DOMAIN.md 4 rules (services_workspace)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from participants import models
from participants.calendar import calendar_for
from participants.errors import FlightpathError
from participants.workspace import rules as rules
from participants.workspace import services as services
from tests import factories as f
from tests.participants.workspace_support import build_desk

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def events(referral, code=None):
    qs = models.JourneyEvent.objects.filter(referral=referral)
    return list(qs.filter(code=code) if code else qs)


def test_fta_on_initial_engagement_is_the_resolution_and_its_follow_up_is_due_next_working_day():
    desk = build_desk()
    friday = dt.date(2025, 1, 10)
    appointment = f.AppointmentFactory(
        referral=desk.referral, kind="INITIAL_ENGAGEMENT", starts_at=at(friday)
    )
    services.record_attendance(
        appointment=appointment, attended=False, fta_reason="TRANSPORT", user=desk.key_worker.user
    )
    [event] = events(desk.referral, "FAILED_TO_ATTEND")
    assert (event.event_date, event.source, event.recorded_by) == (friday, "BROWSER", desk.key_worker.user)
    [task] = desk.referral.follow_ups.all()
    assert task.due_date == dt.date(2025, 1, 13)  # Monday: one working day after Friday
    assert task.done_at is None


def test_fta_follow_up_skips_the_easter_bank_holidays_of_england():
    desk = build_desk()
    maundy_thursday = dt.date(2025, 4, 17)
    appointment = f.AppointmentFactory(referral=desk.referral, starts_at=at(maundy_thursday))
    services.record_attendance(appointment=appointment, attended=False, fta_reason="ILLNESS", user=None)
    assert desk.referral.follow_ups.get().due_date == dt.date(
        2025, 4, 22
    )  # Good Friday, Easter Monday skipped


def test_fta_follow_up_time_is_a_contract_setting():
    desk = build_desk()
    models.WorkspaceSettings.objects.create(contract=desk.contract, fta_follow_up_working_days=3)
    appointment = f.AppointmentFactory(referral=desk.referral, starts_at=at(dt.date(2025, 1, 10)))
    services.record_attendance(appointment=appointment, attended=False, fta_reason="FORGOT", user=None)
    assert desk.referral.follow_ups.get().due_date == dt.date(2025, 1, 15)


def test_missed_later_appointment_is_a_record_and_a_follow_up_not_a_journey_event():
    desk = build_desk()
    appointment = f.AppointmentFactory(
        referral=desk.referral, kind="ONE_TO_ONE", starts_at=at(dt.date(2025, 2, 3))
    )
    services.record_attendance(appointment=appointment, attended=False, fta_reason="CARING", user=None)
    appointment.refresh_from_db()
    assert appointment.status == "FAILED_TO_ATTEND" and appointment.fta_reason == "CARING"
    assert events(desk.referral) == []
    assert desk.referral.follow_ups.count() == 1


def test_a_second_resolution_is_refused_and_nothing_is_written():
    desk = build_desk()
    f.JourneyEventFactory(referral=desk.referral, code="STARTED", event_date=dt.date(2025, 1, 8))
    appointment = f.AppointmentFactory(
        referral=desk.referral, kind="INITIAL_ENGAGEMENT", starts_at=at(dt.date(2025, 1, 9))
    )
    with pytest.raises(FlightpathError, match="already has its resolution: Started on 08 Jan 2025"):
        services.record_attendance(appointment=appointment, attended=False, fta_reason="FORGOT", user=None)
    appointment.refresh_from_db()
    assert appointment.status == "PLANNED"
    assert desk.referral.follow_ups.count() == 0
    assert [e.code for e in events(desk.referral)] == ["STARTED"]


def test_attended_initial_engagement_is_engaged_once_and_the_start_is_recorded_when_ticked():
    desk = build_desk()
    first = f.AppointmentFactory(
        referral=desk.referral, kind="INITIAL_ENGAGEMENT", starts_at=at(dt.date(2025, 1, 7))
    )
    second = f.AppointmentFactory(
        referral=desk.referral, kind="INITIAL_ENGAGEMENT", starts_at=at(dt.date(2025, 1, 9))
    )
    services.record_attendance(appointment=first, attended=True, user=None)
    services.record_attendance(appointment=second, attended=True, started=True, user=None)
    assert [(e.code, e.event_date) for e in events(desk.referral)] == [
        ("ENGAGED", dt.date(2025, 1, 7)),
        ("STARTED", dt.date(2025, 1, 9)),
    ]


def test_attendance_cannot_be_recorded_before_the_appointment_day():
    desk = build_desk()
    appointment = f.AppointmentFactory(
        referral=desk.referral, starts_at=timezone.now() + dt.timedelta(days=2)
    )
    with pytest.raises(FlightpathError) as error:
        services.record_attendance(appointment=appointment, attended=True, user=None)
    assert error.value.field == "attended"


def test_fta_needs_a_reason():
    desk = build_desk()
    appointment = f.AppointmentFactory(referral=desk.referral)
    with pytest.raises(FlightpathError) as error:
        services.record_attendance(appointment=appointment, attended=False, user=None)
    assert error.value.field == "fta_reason"


def test_rebook_and_cancel_only_planned_appointments():
    desk = build_desk()
    appointment = f.AppointmentFactory(referral=desk.referral)
    new_time = at(dt.date(2025, 3, 3), 14)
    services.rebook_appointment(appointment=appointment, starts_at=new_time, user=None)
    services.cancel_appointment(appointment=appointment, reason="Participant moved area", user=None)
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.status) == (new_time, "CANCELLED")
    assert appointment.history.count() == 3  # booked, rebooked, cancelled: who changed what
    with pytest.raises(FlightpathError, match="already cancelled"):
        services.rebook_appointment(appointment=appointment, starts_at=new_time, user=None)


def test_completing_a_follow_up_takes_it_off_the_open_list():
    desk = build_desk()
    appointment = f.AppointmentFactory(referral=desk.referral)
    services.record_attendance(appointment=appointment, attended=False, fta_reason="FORGOT", user=None)
    task = desk.referral.follow_ups.get()
    services.complete_follow_up(task=task, outcome="Phoned, rebooked for Monday", user=desk.key_worker.user)
    assert desk.referral.follow_ups.filter(done_at__isnull=True).count() == 0
    with pytest.raises(FlightpathError, match="already done"):
        services.complete_follow_up(task=task, outcome="again", user=None)


def test_psg_is_the_latest_psg_changed_event_and_moving_to_the_same_group_is_refused():
    desk = build_desk()
    services.move_psg(
        referral=desk.referral, group="CONTEMPLATION", moved_on=dt.date(2025, 1, 20), note="Keen", user=None
    )
    services.move_psg(
        referral=desk.referral, group="PREPARATION", moved_on=dt.date(2025, 2, 20), note="", user=None
    )
    assert [e.detail for e in events(desk.referral, "PSG_CHANGED")] == ["CONTEMPLATION", "PREPARATION"]
    assert desk.referral.notes.get().text == "Moved to Contemplation: Keen"
    with pytest.raises(FlightpathError, match="already in Preparation"):
        services.move_psg(
            referral=desk.referral, group="PREPARATION", moved_on=dt.date(2025, 3, 1), note="", user=None
        )


def test_no_event_before_the_referral_date_and_no_duplicate_key():
    desk = build_desk()
    with pytest.raises(FlightpathError, match="before the referral date") as error:
        services.move_psg(
            referral=desk.referral, group="CONTEMPLATION", moved_on=dt.date(2025, 1, 3), note="", user=None
        )
    assert error.value.field == "event_date"
    services.record_job_start(
        referral=desk.referral,
        employer="Acme",
        hours_per_week=Decimal("16"),
        start_date=dt.date(2025, 3, 3),
        self_employed=False,
        user=None,
    )
    with pytest.raises(FlightpathError, match="already recorded"):
        services.record_job_start(
            referral=desk.referral,
            employer="Acme 2",
            hours_per_week=Decimal("10"),
            start_date=dt.date(2025, 3, 3),
            self_employed=False,
            user=None,
        )
    assert desk.referral.jobs.count() == 1


def test_job_start_writes_job_start_marked_self_employed_and_earnings_milestones_their_events():
    desk = build_desk()
    job = services.record_job_start(
        referral=desk.referral,
        employer="Own bakery",
        hours_per_week=Decimal("30"),
        start_date=dt.date(2025, 3, 3),
        self_employed=True,
        user=None,
    )
    services.record_earnings_milestone(
        referral=desk.referral,
        code="EARNINGS_1000",
        reached_on=dt.date(2025, 5, 1),
        amount=Decimal("1012.50"),
        user=None,
    )
    services.record_in_work_contact(
        referral=desk.referral,
        job=job,
        contact_date=dt.date(2025, 3, 10),
        method="PHONE",
        note="Settling in",
        user=None,
    )
    assert [(e.code, e.detail, e.amount) for e in events(desk.referral)] == [
        ("JOB_START", "self_employed", None),
        ("EARNINGS_1000", "", Decimal("1012.50")),
    ]
    assert job.contacts.count() == 1


GOAL = {
    "key": "",
    "goal": "Update CV",
    "measure": "CV sent to 3 employers",
    "owner": "Participant",
    "due_date": "2025-02-14",
    "status": "NOT_STARTED",
}


def test_first_agreed_plan_writes_action_plan_agreed_and_review_is_due_a_month_later():
    desk = build_desk()
    plan = services.save_action_plan(
        referral=desk.referral, expected_version=0, goals=[GOAL], agreed_on=None, user=None
    )
    assert (plan.version, plan.agreed_on, events(desk.referral)) == (1, None, [])
    plan = services.save_action_plan(
        referral=desk.referral, expected_version=1, goals=[GOAL], agreed_on=dt.date(2025, 1, 31), user=None
    )
    [agreed] = events(desk.referral, "ACTION_PLAN_AGREED")
    assert agreed.event_date == dt.date(2025, 1, 31)
    assert plan.next_review_due == dt.date(2025, 2, 28)  # one calendar month on, clamped to February's end
    services.save_action_plan(
        referral=desk.referral, expected_version=2, goals=[GOAL], agreed_on=dt.date(2025, 2, 5), user=None
    )
    assert len(events(desk.referral, "ACTION_PLAN_AGREED")) == 1  # only the first agreement


def test_a_stale_version_is_a_conflict_and_writes_nothing():
    desk = build_desk()
    services.save_action_plan(
        referral=desk.referral, expected_version=0, goals=[GOAL], agreed_on=None, user=None
    )
    plan = services.save_action_plan(
        referral=desk.referral, expected_version=1, goals=[GOAL], agreed_on=None, user=desk.key_worker.user
    )
    with pytest.raises(services.ActionPlanConflict, match="saved this plan \\(version 2\\)"):
        services.save_action_plan(
            referral=desk.referral,
            expected_version=1,
            goals=[{**GOAL, "goal": "Lost?"}],
            agreed_on=None,
            user=None,
        )
    plan.refresh_from_db()
    assert plan.version == 2
    assert list(plan.goals.values_list("goal", flat=True)) == ["Update CV"]
    assert plan.versions.count() == 2


def test_every_revision_is_kept_with_a_readable_difference():
    desk = build_desk()
    plan = services.save_action_plan(
        referral=desk.referral, expected_version=0, goals=[GOAL], agreed_on=None, user=None
    )
    key = plan.goals.get().key
    revised = [
        {**GOAL, "key": key, "status": "ACHIEVED"},
        {**GOAL, "goal": "Forklift licence", "measure": "Licence held"},
    ]
    services.save_action_plan(
        referral=desk.referral, expected_version=1, goals=revised, agreed_on=None, user=None
    )
    v1, v2 = plan.versions.order_by("number")
    changes = rules.plan_changes(v1.goals, v2.goals, dict(models.SmartGoal.Status.choices))
    assert changes == [
        rules.GoalChange("changed", "Update CV", [("Status", "Not started", "Achieved")]),
        rules.GoalChange("added", "Forklift licence"),
    ]
    assert rules.plan_changes(v2.goals, v1.goals)[-1] == rules.GoalChange("removed", "Forklift licence")
    moved = [{**v1.goals[0], "due_date": "2025-03-31"}]
    assert rules.plan_changes(v1.goals, moved)[0].fields == [("Due", "14 Feb 2025", "31 Mar 2025")]


def test_a_review_moves_the_next_review_on_by_the_contract_interval():
    desk = build_desk()
    models.WorkspaceSettings.objects.create(contract=desk.contract, review_interval_months=2)
    plan = services.save_action_plan(
        referral=desk.referral, expected_version=0, goals=[GOAL], agreed_on=dt.date(2025, 1, 10), user=None
    )
    assert plan.next_review_due == dt.date(2025, 3, 10)
    services.record_review(plan=plan, reviewed_on=dt.date(2025, 2, 12), note="Good progress", user=None)
    plan.refresh_from_db()
    assert plan.next_review_due == dt.date(2025, 4, 12)
    with pytest.raises(FlightpathError, match="before the plan was agreed"):
        services.record_review(plan=plan, reviewed_on=dt.date(2025, 1, 9), note="x", user=None)


def test_an_unagreed_plan_cannot_be_reviewed():
    desk = build_desk()
    plan = services.save_action_plan(
        referral=desk.referral, expected_version=0, goals=[GOAL], agreed_on=None, user=None
    )
    with pytest.raises(FlightpathError, match="Agree the plan"):
        services.record_review(plan=plan, reviewed_on=dt.date(2025, 2, 1), note="x", user=None)


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31)),
    working_days=st.integers(1, 10),
    nation=st.sampled_from(["ENG", "WLS", "SCT"]),
)
def test_fta_follow_up_is_a_working_day_exactly_n_working_days_on(day, working_days, nation):
    due = rules.fta_follow_up_due(nation, day, working_days)
    calendar = calendar_for(nation)
    assert bool(calendar.is_working_day(due))
    assert int(calendar.age(day, due)) == working_days
    assert due > day
