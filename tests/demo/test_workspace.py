"""The demo's key workers' workspace (demo.workspace, seeded by seed_demo): the open referrals'
caseloads look like real, mostly well-kept ones on the demo's date; plans are stored as the workspace's own
save service stores them; a re-run adds nothing; no journey event is written."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Min
from django.urls import reverse
from django.utils import timezone

from demo.people import SUPERUSER
from demo.services import seed_demo
from demo.workspace import generate_workspace
from demo.workspace_writer import seed_demo_workspace, unseeded_open_referrals
from participants.models import (
    ActionPlan,
    ActionPlanReview,
    ActionPlanVersion,
    Appointment,
    EventCode,
    FollowUpTask,
    JourneyEvent,
    Note,
    Referral,
    SmartGoal,
)
from participants.querysets import Stage
from participants.workspace import rules as rules
from participants.workspace import selectors as sel
from participants.workspace import services as services_workspace

TODAY = date(2026, 3, 18)
OPEN = (Stage.STARTED, Stage.IN_WORK, Stage.JOB_OUTCOME)
WORKSPACE_MODELS = (
    Appointment,
    FollowUpTask,
    ActionPlan,
    SmartGoal,
    ActionPlanVersion,
    ActionPlanReview,
    Note,
)


@pytest.fixture
def seeded(db):
    return seed_demo(referrals=300, today=TODAY)


def _user(username):
    return get_user_model().objects.get(username=username)


def _open_rows(user, *, team: bool):
    rows = sel.caseload(user, team=team, today=TODAY).filter(stage__in=OPEN)
    return list(rows.values("pk", "no_contact", "open_follow_up_due", "review_state", "review_due"))


def test_the_open_caseloads_have_a_realistic_mix_of_flags(seeded):
    rows = _open_rows(_user(SUPERUSER), team=True)
    n = len(rows)
    assert n > 100
    no_contact = sum(row["no_contact"] for row in rows)
    fta_open = sum(row["open_follow_up_due"] is not None for row in rows)
    overdue = sum(row["review_state"] == "overdue" for row in rows)
    with_plan = sum(row["review_due"] is not None for row in rows)
    assert 0.02 * n <= no_contact <= 0.15 * n  # a realistic minority, not everyone
    assert 0 < fta_open <= 0.10 * n
    assert with_plan >= 0.8 * n
    assert 0 < overdue <= 0.2 * n
    assert sum(row["review_state"] == "due" for row in rows) > 0
    # and the demo key worker's own caseload is one of them: seeded, not all flagged
    mine = _open_rows(_user("kw.leeds"), team=False)
    assert mine and sum(row["no_contact"] for row in mine) < len(mine) / 2
    assert sum(row["review_due"] is not None for row in mine) > len(mine) / 2


def test_most_open_referrals_were_seen_recently_and_have_their_next_appointment_booked(seeded):
    open_ids = [row["pk"] for row in _open_rows(_user(SUPERUSER), team=True)]
    start = timezone.make_aware(pd.Timestamp(TODAY).to_pydatetime())
    upcoming = Appointment.objects.filter(referral__in=open_ids, status=Appointment.Status.PLANNED)
    booked = set(
        upcoming.filter(starts_at__gt=start, starts_at__lt=start + timedelta(days=16)).values_list(
            "referral_id", flat=True
        )
    )
    assert 0.7 * len(open_ids) <= len(booked) <= 0.95 * len(open_ids)
    assert not upcoming.filter(starts_at__lt=start).exists()  # nothing left planned in the past
    latest = dict(
        Appointment.objects.filter(referral__in=open_ids, status=Appointment.Status.ATTENDED)
        .values("referral_id")
        .annotate(last=Max("starts_at"))
        .values_list("referral_id", "last")
    )
    assert set(latest) == set(open_ids)
    ages = np.array([(TODAY - timezone.localtime(last).date()).days for last in latest.values()])
    assert (ages <= 30).all() and (ages >= 0).all()
    assert (ages <= 14).mean() > 0.8
    kinds = set(Appointment.objects.filter(referral__in=open_ids).values_list("kind", flat=True))
    assert {
        Appointment.Kind.ONE_TO_ONE,
        Appointment.Kind.ACTION_PLAN_REVIEW,
        Appointment.Kind.IN_WORK_SUPPORT,
    } <= kinds
    leeds = Appointment.objects.filter(referral__key_worker__user__username="kw.leeds")
    assert leeds.exists() and not leeds.filter(booked_by__isnull=True).exists()
    assert leeds.filter(kind=Appointment.Kind.ONE_TO_ONE, location__startswith="Leeds office").exists()


def test_recent_failures_to_attend_have_open_follow_ups_due_by_the_workspace_rule(seeded):
    tasks = FollowUpTask.objects.select_related("appointment", "referral__contract")
    open_tasks = [task for task in tasks if task.done_at is None]
    assert open_tasks
    for task in tasks:
        day = timezone.localtime(task.appointment.starts_at).date()
        config = sel.workspace_config(task.referral.contract_id)
        assert task.appointment.status == Appointment.Status.FAILED_TO_ATTEND and task.appointment.fta_reason
        assert task.due_date == rules.fta_follow_up_due(
            task.referral.contract.nation, day, config.fta_follow_up_working_days
        )
        assert task.description.startswith("Follow up failure to attend (")
    assert all(
        TODAY - timedelta(days=10) <= timezone.localtime(task.appointment.starts_at).date() < TODAY
        for task in open_tasks
    )
    assert all(task.outcome and task.done_at for task in tasks if task.done_at is not None)


def test_plans_are_agreed_on_the_journeys_date_with_goals_version_one_and_reviews(seeded):
    agreed = dict(
        JourneyEvent.objects.filter(code=EventCode.ACTION_PLAN_AGREED)
        .values("referral_id")
        .annotate(first=Min("event_date"))
        .values_list("referral_id", "first")
    )
    plans = list(
        ActionPlan.objects.select_related("referral").prefetch_related("goals", "versions", "reviews")
    )
    open_ids = {row["pk"] for row in _open_rows(_user(SUPERUSER), team=True)}
    assert {plan.referral_id for plan in plans} == open_ids & set(agreed)
    for plan in plans:
        goals = list(plan.goals.all())
        assert plan.agreed_on == agreed[plan.referral_id] and plan.version == 1
        assert 2 <= len(goals) <= 4 and len({goal.key for goal in goals}) == len(goals)
        assert all(goal.owner in ("Participant", "Key worker") and goal.measure for goal in goals)
        [version] = plan.versions.all()
        # exactly what services_workspace.save_action_plan stores as a revision
        stored = [
            services_workspace._goal_snapshot(
                {name: getattr(goal, name) for name in ("key", *rules.GOAL_FIELDS)}
            )
            for goal in goals
        ]
        assert version.number == 1 and version.goals == stored and version.agreed_on == plan.agreed_on
        assert timezone.localtime(version.created_at).date() == plan.agreed_on
        reviews = sorted(review.reviewed_on for review in plan.reviews.all())
        assert len(reviews) <= 2 and all(plan.agreed_on < day <= TODAY for day in reviews)
        interval = sel.workspace_config(plan.referral.contract_id).review_interval_months
        assert plan.next_review_due == rules.next_review_due(
            reviews[-1] if reviews else plan.agreed_on, interval
        )
        if reviews:
            assert 3 <= (TODAY - reviews[-1]).days <= 40
    assert sum(1 for plan in plans if plan.reviews.all()) > len(plans) / 2
    statuses = set(SmartGoal.objects.values_list("status", flat=True))
    assert {SmartGoal.Status.IN_PROGRESS, SmartGoal.Status.ACHIEVED} <= statuses


def test_every_demo_key_worker_has_a_persons_name(seeded):
    from participants.models import Staff

    key_workers = Staff.objects.filter(ref__startswith="DEMO-", role="KEY_WORKER")
    assert key_workers.count() > 3
    assert not key_workers.filter(name="").exists()
    assert len(set(key_workers.values_list("name", flat=True))) == key_workers.count()


def test_seeding_the_workspace_writes_no_journey_event(seeded):
    assert JourneyEvent.objects.count() == seeded.import_counts["events.csv"]["added"]
    assert not JourneyEvent.objects.exclude(source=JourneyEvent.Source.IMPORT).exists()
    assert seeded.workspace["appointments"] == Appointment.objects.count() > 0


def test_seed_demo_twice_adds_no_workspace_rows(seeded):
    def counts():
        return [model.objects.count() for model in WORKSPACE_MODELS] + [JourneyEvent.objects.count()]

    before = counts()
    again = seed_demo()
    assert counts() == before
    assert set(again.workspace.values()) == {0}


def test_a_referral_a_user_has_worked_on_is_left_as_they_left_it(seeded):
    referral = (
        Referral.objects.filter(action_plan__isnull=False, key_worker__user__username="kw.leeds")
        .order_by("pk")
        .first()
    )
    Appointment.objects.filter(referral=referral).delete()
    referral.notes.all().delete()
    ActionPlan.objects.filter(referral=referral).delete()
    user = _user("kw.leeds")
    services_workspace.add_note(referral=referral, text="Met at the library", user=user)
    assert not unseeded_open_referrals(Referral.objects.filter(pk=referral.pk), today=TODAY).empty
    services_workspace.book_appointment(
        referral=referral,
        kind=Appointment.Kind.ONE_TO_ONE,
        starts_at=timezone.now() + timedelta(days=2),
        user=user,
    )
    added = seed_demo_workspace(today=TODAY, seed=seeded.seed)
    assert set(added.values()) == {0}
    assert referral.appointments.count() == 1 and list(referral.notes.values_list("text", flat=True)) == [
        "Met at the library"
    ]
    assert not ActionPlan.objects.filter(referral=referral).exists()


def test_the_action_plan_and_participant_pages_of_a_seeded_plan_render(seeded, client):
    user = _user("kw.leeds")
    plan = (
        ActionPlan.objects.filter(referral__key_worker__user=user)
        .annotate(reviews_held=Count("reviews"))
        .filter(reviews_held__gt=0)
        .select_related("referral")
        .first()
    )
    client.force_login(user)
    response = client.get(reverse("action-plan", args=[plan.referral_id]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Current plan · version 1" in page and "Version 1 ·" in page
    for goal in plan.goals.all():
        assert goal.goal in page
    assert plan.reviews.first().note in page
    response = client.get(reverse("participant-detail", args=[plan.referral.participant_id]))
    assert response.status_code == 200
    assert "No appointments yet." not in response.content.decode()


def _frame(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    started = np.datetime64(TODAY) - rng.integers(5, 500, size=n)
    agreed = np.where(rng.random(n) < 0.9, started + rng.integers(0, 20, size=n), np.datetime64("NaT"))
    job = np.where(rng.random(n) < 0.2, started + rng.integers(30, 200, size=n), np.datetime64("NaT"))
    return pd.DataFrame(
        {
            "referral_id": np.arange(1, n + 1),
            "nation": rng.choice(["ENG", "SCT", "WLS"], size=n),
            "site_ref": "X",
            "location": "Office",
            "started_on": started,
            "plan_agreed_on": pd.to_datetime(agreed),
            "job_started_on": pd.to_datetime(job),
            "user_id": pd.array(np.where(rng.random(n) < 0.5, 7, 0), dtype="Int64").astype("Int64"),
            "fta_follow_up_working_days": 1,
            "review_interval_months": 1,
        }
    )


def test_the_generator_is_deterministic_and_keeps_rows_inside_each_journey():
    frame = _frame()
    first = generate_workspace(
        frame, today=TODAY, seed=5, time_zone="Europe/London", next_review_due=rules.next_review_due
    )
    again = generate_workspace(
        frame.sample(frac=1, random_state=3),
        today=TODAY,
        seed=5,
        time_zone="Europe/London",
        next_review_due=rules.next_review_due,
    )
    other = generate_workspace(
        frame, today=TODAY, seed=6, time_zone="Europe/London", next_review_due=rules.next_review_due
    )
    for name in first.counts():
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name), obj=name)
    assert not first.appointments["starts_at"].equals(other.appointments["starts_at"])
    apps = first.appointments.merge(frame[["referral_id", "started_on"]], on="referral_id")
    day = apps["starts_at"].dt.tz_convert("Europe/London").dt.tz_localize(None).dt.normalize()
    assert (day >= apps["started_on"]).all()
    past = apps["status"] != "PLANNED"
    assert (day[past] <= pd.Timestamp(TODAY)).all() and (day[~past] > pd.Timestamp(TODAY)).all()
    assert len(first.plans) == (frame["plan_agreed_on"] <= pd.Timestamp(TODAY)).sum()
