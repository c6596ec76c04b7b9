"""The demo's provider action plan, CPRs and deep dive on the WP contract (DOMAIN.md 10, 17.8-9), written
through the regimes services so they follow every rule: an approved plan (version 1) with a six-month flight
path from the demo's data month, two CPRs whose first action point is still open (so it is carried), and a
deep dive with a follow-up. Seeded once: a contract that has a plan already is left alone."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from participants.models import Contract
from regimes.models import ProviderActionPlan
from regimes.services import plans, releases, reviews

WP_REF = "DEMO-WP-ENG"
# group -> (referrals, job starts, job outcomes) projected a month on the flight path.
PROJECTION = {"PG1": (60, 14, 9), "PG2": (45, 10, 6), "PG6A": (12, 2, 1)}


@transaction.atomic
def seed_demo_reviews(*, today: date) -> dict[str, int]:
    contract = Contract.objects.filter(ref=WP_REF).select_related("programme").first()
    if contract is None or ProviderActionPlan.objects.filter(contract=contract).exists():
        return {"action_plans": 0, "cprs": 0, "deep_dives": 0}
    users = get_user_model().objects
    manager, dwp = users.filter(username="contracts").first(), users.filter(username="dwp").first()
    this_month = releases.first_of(today)
    last_month = releases.add_months(this_month, -1)
    first_month = releases.add_months(this_month, -2)  # two months of actuals against it already
    plan = plans.create_plan(
        contract=contract,
        by=manager,
        title="Recover PG1 and PG2 job outcomes",
        summary="Employer engagement and in-work support focused on the two largest measured groups.",
        first_month=first_month,
    )
    plans.add_action(
        plan=plan,
        what="Dedicated employer engagement team for PG1",
        measure="40 PG1 vacancies a month",
        owner="Head of delivery",
        start_date=first_month,
        due_date=releases.add_months(first_month, 3),
        milestones="Team recruited\nFirst 40 vacancies sourced",
        uplift={"PG1": 3},
    )
    plans.add_action(
        plan=plan,
        what="Weekly caseload reviews of PG2 participants over 6 months on programme",
        measure="Every eligible PG2 caseload reviewed weekly",
        owner="Site managers",
        start_date=first_month,
        due_date=releases.add_months(first_month, 2),
        uplift={"PG2": 2},
    )
    plans.save_flight_path(
        plan=plan,
        cells={
            (group, month): {"referrals": r, "job_starts": s, "job_outcomes": o}
            for month in plans.flight_path_months(plan)
            for group, (r, s, o) in PROJECTION.items()
        },
    )
    submitted = first_month - timedelta(days=10)
    plans.submit_plan(plan=plan, on=submitted)
    plans.decide_plan(
        plan=plan, by=dwp, approve=True, reason="Actions are SMART.", on=submitted + timedelta(days=3)
    )
    releases.refresh_review_obligations(contract=contract, today=today)
    earlier = reviews.save_cpr(
        contract=contract,
        by=dwp,
        month=releases.add_months(last_month, -1),
        meeting_on=last_month + timedelta(days=8),
        agenda="Performance against MPL\nProgress of the action plan\nCustomer service standards",
        attendees="Sarah Mitchell (DWP), Helen Walsh, Priya Patel",
        assessment="PG1 below MPL; the plan is on track.",
    )
    reviews.hold_cpr(cpr=earlier, on=earlier.meeting_on)
    reviews.ask_question(
        cpr=earlier,
        question="What explains the fall in PG1 job starts?",
        sent_on=earlier.meeting_on - timedelta(days=5),
    )
    reviews.add_action_point(
        cpr=earlier,
        what="Send the PG1 vacancy pipeline by site",
        owner="Priya Patel",
        due_date=earlier.meeting_on + timedelta(days=14),
    )
    done = reviews.add_action_point(
        cpr=earlier,
        what="Share the revised referral triage",
        owner="Helen Walsh",
        due_date=earlier.meeting_on + timedelta(days=7),
    )
    reviews.set_action_point_status(point=done, done=True, on=earlier.meeting_on + timedelta(days=6))
    latest = reviews.save_cpr(
        contract=contract,
        by=dwp,
        month=last_month,
        meeting_on=this_month + timedelta(days=8),
        agenda="Flight path against actuals\nOpen action points",
        attendees="Sarah Mitchell (DWP), Helen Walsh",
        assessment="",
    )
    reviews.ask_question(
        cpr=latest,
        question="Is the employer engagement team fully staffed?",
        sent_on=this_month + timedelta(days=1),
    )
    dive = reviews.save_deep_dive(
        contract=contract,
        by=dwp,
        kind="DEEP_DIVE",
        subject="PG1 job outcomes at the Leeds site",
        visit_on=last_month + timedelta(days=15),
        letter="We will review twenty PG1 case files and meet the site's employer engagement staff.",
        outcome="Case files showed late first appointments; employer engagement is improving.",
    )
    reviews.add_action_point(
        deep_dive=dive,
        what="First appointments within 5 working days at Leeds",
        owner="Site manager, Leeds",
        due_date=this_month + timedelta(days=20),
    )
    return {"action_plans": 1, "cprs": 2, "deep_dives": 1}
