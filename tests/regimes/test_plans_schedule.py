"""What each month's dashboard release makes owed (DOMAIN.md 17.7): the monthly action plan update 5 working
days after it while a plan is in force, the CPR 15; an entered release date wins over the 20th; the job is
idempotent; submitting the update fulfils it."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.test import override_settings
from django.urls import reverse

from participants.errors import FlightpathError
from regimes.models import DashboardRelease, Obligation
from regimes.services import plans as plan_services
from regimes.services import releases
from regimes.tasks import refresh_review_obligations
from tests.regimes.support import build_world
from tests.regimes.test_plans import draft

pytestmark = pytest.mark.django_db
D = dt.date


APPROVED_ON = D(2025, 11, 3)


def approved_plan(world, on=APPROVED_ON):
    plan = plan_services.submit_plan(plan=draft(world), on=on)
    return plan_services.decide_plan(plan=plan, by=world.dwp.user, approve=True, reason="", on=on)


def due(world, key):
    return Obligation.objects.get(contract=world.contract, key=key).due_date


@pytest.mark.parametrize("nation, expected", [("SCT", D(2026, 1, 5)), ("ENG", D(2026, 1, 2))])
def test_monthly_update_due_across_the_scottish_bank_holiday(nation, expected):
    # Released Tue 23 Dec 2025: 24, 29, 30, 31 Dec, then 2 Jan is a bank holiday in Scotland only.
    world = build_world(nation)
    approved_plan(world)
    releases.enter_release(
        contract=world.contract, month=D(2025, 12, 1), released_on=D(2025, 12, 23), today=D(2025, 12, 23)
    )
    cid = world.contract.pk
    assert due(world, f"monthly_update:{cid}:2025-12") == expected
    ob = Obligation.objects.get(key=f"monthly_update:{cid}:2025-12")
    assert ob.kind == Obligation.Kind.MONTHLY_ACTION_PLAN_UPDATE and ob.status == Obligation.Status.OPEN


@pytest.mark.parametrize("nation, cpr_due", [("SCT", D(2026, 4, 13)), ("ENG", D(2026, 4, 14))])
def test_without_a_date_entered_the_dashboard_is_released_on_the_20th(nation, cpr_due):
    # Fri 20 Mar 2026: Good Friday 3 Apr everywhere, Easter Monday 6 Apr in England and Wales only.
    world = build_world(nation)
    approved_plan(world)
    releases.refresh_review_obligations(contract=world.contract, today=D(2026, 3, 25))
    cid = world.contract.pk
    assert due(world, f"monthly_update:{cid}:2026-03") == D(2026, 3, 27)
    assert due(world, f"cpr:{cid}:2026-03") == cpr_due
    assert Obligation.objects.get(key=f"cpr:{cid}:2026-03").owner == world.dwp.user


def test_the_release_day_is_a_setting():
    world = build_world()
    approved_plan(world)
    with override_settings(FLIGHTPATH_DASHBOARD_RELEASE_DAY=16):
        releases.refresh_review_obligations(contract=world.contract, today=D(2026, 3, 25))
    assert due(world, f"monthly_update:{world.contract.pk}:2026-03") == D(2026, 3, 23)  # Mon 16 + 5


def test_an_entered_release_date_wins_over_the_20th_and_moves_what_is_owed():
    world = build_world()
    approved_plan(world)
    cid = world.contract.pk
    releases.refresh_review_obligations(contract=world.contract, today=D(2026, 3, 25))
    assert due(world, f"monthly_update:{cid}:2026-03") == D(2026, 3, 27)
    releases.enter_release(
        contract=world.contract, month=D(2026, 3, 1), released_on=D(2026, 3, 24), today=D(2026, 3, 25)
    )
    assert due(world, f"monthly_update:{cid}:2026-03") == D(2026, 3, 31)
    releases.refresh_review_obligations(contract=world.contract, today=D(2026, 3, 26))  # the job again
    assert due(world, f"monthly_update:{cid}:2026-03") == D(2026, 3, 31)
    assert Obligation.objects.filter(key__startswith=f"monthly_update:{cid}:2026").count() == 3


def test_no_monthly_update_before_a_plan_is_in_force_but_a_cpr_each_month():
    world = build_world()
    releases.refresh_review_obligations(contract=world.contract, today=D(2026, 3, 25))
    keys = set(Obligation.objects.filter(contract=world.contract).values_list("key", flat=True))
    cid = world.contract.pk
    assert keys == {f"cpr:{cid}:2026-01", f"cpr:{cid}:2026-02", f"cpr:{cid}:2026-03"}


def test_a_release_date_outside_its_month_is_refused_naming_the_field():
    world = build_world()
    with pytest.raises(FlightpathError, match="is not in March 2026") as exc:
        releases.enter_release(
            contract=world.contract, month=D(2026, 3, 1), released_on=D(2026, 4, 2), today=D(2026, 4, 2)
        )
    assert exc.value.field == "released_on" and not DashboardRelease.objects.exists()


def test_submitting_a_new_version_fulfils_the_monthly_update_owed():
    world = build_world()
    approved_plan(world)
    releases.refresh_review_obligations(contract=world.contract, today=D(2026, 3, 25))
    v2 = plan_services.create_plan(
        contract=world.contract, by=None, title="March update", first_month=D(2026, 4, 1)
    )
    plan_services.save_flight_path(
        plan=v2, cells={("PG1", D(2026, 4, 1)): {"referrals": 9, "job_starts": 3, "job_outcomes": 1}}
    )
    plan_services.submit_plan(plan=v2, on=D(2026, 3, 26))
    march = Obligation.objects.get(key=f"monthly_update:{world.contract.pk}:2026-03")
    assert march.status == Obligation.Status.DONE and march.done_on == D(2026, 3, 26)


def test_the_daily_job_is_scheduled_and_idempotent(settings):
    world = build_world()
    importlib.import_module("regimes.migrations.0003_daily_review_obligations").create(apps, None)
    task = apps.get_model("django_celery_beat", "PeriodicTask").objects.get(
        task="regimes.tasks.refresh_review_obligations"
    )
    assert task.enabled and task.crontab.hour == "6"
    first = refresh_review_obligations()
    assert first >= 3 and refresh_review_obligations() == first
    assert Obligation.objects.filter(contract=world.contract).count() == 3


def test_entering_a_release_date_on_the_page(client):
    world = build_world()
    client.force_login(world.contract_manager.user)
    url = reverse("regimes:release-new", args=["CP-1"])
    response = client.post(url, {"month": "2026-03", "released_on": "2026-04-01"})
    assert response.status_code == 400 and b"is not in March 2026" in response.content
    assert client.post(url, {"month": "2026-03", "released_on": "2026-03-18"}).status_code == 302
    assert DashboardRelease.objects.get().released_on == D(2026, 3, 18)
    client.force_login(world.dwp.user)
    assert client.post(url, {"month": "2026-03", "released_on": "2026-03-18"}).status_code == 403
