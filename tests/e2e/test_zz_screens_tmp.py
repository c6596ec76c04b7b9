import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.utils import timezone

from participants import services_workspace as services
from tests import factories as f
from tests.participants.workspace_support import build_desk

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
OUT = "/work/main/docs/screenshots"


@pytest.fixture(autouse=True)
def seeded():
    from django.apps import apps
    importlib.import_module("participants.migrations.0002_seed_programmes").seed(apps, None)


def test_screens(login, live_server):
    desk = build_desk(referral_date=dt.date(2025, 6, 2))
    user = desk.key_worker.user
    today = timezone.localdate()
    now = timezone.now()
    names = ["RW-1"] + [f"RW-{i}" for i in range(10, 22)]
    refs = [desk.referral] + [f.ReferralFactory(contract=desk.contract, ref=n, key_worker=desk.key_worker,
                                                 referral_date=dt.date(2025, 6, 2) + dt.timedelta(days=7 * i))
                              for i, n in enumerate(names[1:])]
    groups = ["CONTEMPLATION", "PREPARATION", "CANDIDATE_POOL", "PRE_CONTEMPLATION"]
    for i, r in enumerate(refs):
        if i % 6 != 5:
            f.JourneyEventFactory(referral=r, code="STARTED", event_date=r.referral_date + dt.timedelta(days=6))
        services.move_psg(referral=r, group=groups[i % 4], moved_on=r.referral_date + dt.timedelta(days=10), note="", user=user)
        a = services.book_appointment(referral=r, kind="ONE_TO_ONE", starts_at=now - dt.timedelta(days=3 + i), user=user)
        if i % 3 == 0:
            services.record_attendance(appointment=a, attended=False, fta_reason="TRANSPORT", user=user)
        else:
            services.record_attendance(appointment=a, attended=True, user=user)
        services.book_appointment(referral=r, kind="ACTION_PLAN_REVIEW", starts_at=now + dt.timedelta(days=1 + i, hours=2), location="Leeds centre", user=user)
        goals = [{"key": "", "goal": "Update CV with recent volunteering", "measure": "CV sent to 3 employers", "owner": "Participant", "due_date": (today + dt.timedelta(days=14)).isoformat(), "status": "IN_PROGRESS"},
                 {"key": "", "goal": "Complete forklift licence course", "measure": "Licence certificate", "owner": "Key worker", "due_date": (today + dt.timedelta(days=45)).isoformat(), "status": "NOT_STARTED"}]
        if i % 4 != 3:
            agreed = today - dt.timedelta(days=20 + 9 * i)
            p = services.save_action_plan(referral=r, expected_version=0, goals=goals[:1], agreed_on=agreed, user=user)
            p.goals.all()
            g = [{**goals[0], "key": p.goals.get().key, "status": "ACHIEVED"}, goals[1]]
            services.save_action_plan(referral=r, expected_version=1, goals=g, agreed_on=None, change_note="CV done; licence next", user=user)
            if i % 2 == 0:
                services.record_review(plan=p, reviewed_on=agreed + dt.timedelta(days=10), note="Good progress, CV sent to two employers.", user=user)
    services.record_job_start(referral=desk.referral, employer="Leeds Logistics Ltd", hours_per_week=Decimal("24"), start_date=today - dt.timedelta(days=5), self_employed=False, user=user)
    services.add_note(referral=desk.referral, text="Called to check the first week in work: going well.", user=user)
    page = login("kim")
    for width, suffix in ((1280, ""), (820, "-tablet")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/caseload/?show=all")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=f"{OUT}/caseload{suffix}.png", full_page=True)
        page.goto(live_server.url + f"/participants/{desk.referral.participant_id}/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=f"{OUT}/participant{suffix}.png", full_page=True)
        page.goto(live_server.url + f"/referrals/{desk.referral.pk}/action-plan/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=f"{OUT}/action-plan{suffix}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + f"/referrals/{desk.referral.pk}/action-plan/edit/")
    page.screenshot(path="/tmp/plan-edit.png", full_page=True)
    r = page.request.get(live_server.url + f"/referrals/{desk.referral.pk}/action-plan.pdf")
    open("/tmp/plan.pdf", "wb").write(r.body())
