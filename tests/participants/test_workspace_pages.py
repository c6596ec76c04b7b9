"""The workspace pages: caseloads, the participant page, forms, scoping and query bounds."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from participants import models
from participants.workspace import services as services
from tests import factories as f
from tests.participants.workspace_support import build_desk
from tests.scoping import build_world

pytestmark = pytest.mark.django_db

GOAL = {
    "key": "",
    "goal": "Update CV",
    "measure": "CV sent to 3 employers",
    "owner": "Participant",
    "due_date": "2025-02-14",
    "status": "NOT_STARTED",
}


def login(client, staff):
    client.force_login(staff.user)
    return client


def test_my_caseload_lists_only_my_referrals_with_their_flags(client):
    desk = build_desk()
    f.JourneyEventFactory(referral=desk.referral, code="STARTED", event_date=dt.date(2025, 1, 8))
    appointment = f.AppointmentFactory(
        referral=desk.referral, starts_at=timezone.now() - dt.timedelta(hours=2)
    )
    services.record_attendance(appointment=appointment, attended=False, fta_reason="FORGOT", user=None)
    services.move_psg(
        referral=desk.referral, group="CONTEMPLATION", moved_on=dt.date(2025, 1, 9), note="", user=None
    )
    response = login(client, desk.key_worker).get(reverse("caseload"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "RW-1" in html and "RW-2" not in html
    assert "FTA follow-up" in html and "Contemplation" in html
    assert "1 FTA follow-up open" in html
    days = (timezone.localdate() - dt.date(2025, 1, 8)).days
    assert f">{days}<" in html.replace(" ", "").replace("\n", "")


def test_caseload_flags_no_contact_using_the_contract_setting(client):
    desk = build_desk(referral_date=timezone.localdate() - dt.timedelta(days=10))
    f.JourneyEventFactory(referral=desk.referral, code="STARTED", event_date=desk.referral.referral_date)
    login(client, desk.key_worker)
    assert "No contact since" not in client.get(reverse("caseload")).content.decode()  # default 14 days
    models.WorkspaceSettings.objects.create(contract=desk.contract, no_contact_days=7)
    html = client.get(reverse("caseload") + "?attention=no_contact").content.decode()
    assert "No contact since" in html and "RW-1" in html
    since = desk.referral.referral_date
    shown = since.strftime("%-d %b" if since.year == timezone.localdate().year else "%-d %b %Y")
    assert f"No contact since {shown}<" in html


def test_a_contact_before_this_year_shows_its_year(client):
    desk = build_desk(referral_date=dt.date(timezone.localdate().year - 1, 12, 9))
    f.JourneyEventFactory(referral=desk.referral, code="STARTED", event_date=desk.referral.referral_date)
    html = login(client, desk.key_worker).get(reverse("caseload")).content.decode()
    assert f"No contact since 9 Dec {desk.referral.referral_date.year}<" in html


def test_caseload_filters_overdue_reviews_and_hides_closed_referrals_by_default(client):
    desk = build_desk()
    services.save_action_plan(
        referral=desk.referral, expected_version=0, goals=[GOAL], agreed_on=dt.date(2025, 1, 20), user=None
    )
    closed = f.ReferralFactory(contract=desk.contract, ref="RW-CLOSED", key_worker=desk.key_worker)
    f.JourneyEventFactory(referral=closed, code="DID_NOT_START")
    login(client, desk.key_worker)
    html = client.get(reverse("caseload") + "?attention=review_overdue").content.decode()
    assert "RW-1" in html and "Overdue" in html and "RW-CLOSED" not in html
    assert "RW-CLOSED" in client.get(reverse("caseload") + "?show=all").content.decode()


def test_caseload_search_and_sort(client):
    desk = build_desk()
    login(client, desk.key_worker)
    f.ReferralFactory(contract=desk.contract, ref="ZZ-9", key_worker=desk.key_worker)
    html = client.get(reverse("caseload") + "?q=ZZ").content.decode()
    assert "ZZ-9" in html and "RW-1" not in html
    for column in (
        "ref",
        "stage",
        "psg",
        "started_on",
        "next_appointment",
        "review_due",
        "open_follow_up_due",
    ):
        assert client.get(reverse("caseload") + f"?sort={column}").status_code == 200


def test_team_caseload_shows_every_key_worker_of_the_leaders_scope(client):
    desk = build_desk()
    html = login(client, desk.leader).get(reverse("team-caseload")).content.decode()
    assert "RW-1" in html and "RW-2" in html and "Kim Worker" in html and "Olu Other" in html
    html = client.get(reverse("team-caseload") + f"?key_worker={desk.key_worker.pk}").content.decode()
    assert "RW-1" in html and "RW-2" not in html


def test_team_caseload_names_a_key_worker_without_a_name_by_reference(client):
    desk = build_desk()
    imported = f.StaffFactory(ref="KW-IMPORTED", name="", organisation=desk.contract.prime)
    f.ReferralFactory(contract=desk.contract, ref="RW-3", key_worker=imported)
    html = login(client, desk.leader).get(reverse("team-caseload")).content.decode()
    assert "<td>KW-IMPORTED</td>" in html  # its referral's row
    assert f'<a href="?key_worker={imported.pk}">KW-IMPORTED</a>' in html  # its line of the team summary


def test_action_plan_page_before_the_first_plan_invites_writing_one(client):
    desk = build_desk()
    response = login(client, desk.key_worker).get(reverse("action-plan", args=[desk.referral.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No action plan yet." in html and reverse("action-plan-edit", args=[desk.referral.pk]) in html


def test_caseload_reserves_the_standards_due_soon_panel(client):
    desk = build_desk()
    html = login(client, desk.key_worker).get(reverse("caseload")).content.decode()
    assert f'hx-get="/compliance/due-soon/?key_worker={desk.key_worker.pk}"' in html


def test_pages_are_scoped_alice_bob_charlie(client):
    world = build_world()
    alice_participant = world.alice_referral.participant_id
    client.force_login(world.bob)  # subcontractor staff: not alice's prime referral
    assert client.get(reverse("participant-detail", args=[alice_participant])).status_code == 404
    assert client.get(reverse("action-plan", args=[world.alice_referral.pk])).status_code == 404
    assert client.get(reverse("appointment-book", args=[world.alice_referral.pk])).status_code == 404
    client.force_login(world.charlie)  # DWP contact on contract B: read-only there, nothing on A
    assert client.get(reverse("participant-detail", args=[alice_participant])).status_code == 404
    assert (
        client.get(reverse("participant-detail", args=[world.b_referral.participant_id])).status_code == 200
    )
    assert client.post(reverse("note-add", args=[world.b_referral.pk]), {"text": "hi"}).status_code == 403
    client.force_login(world.alice)
    page = client.get(reverse("participant-detail", args=[alice_participant]))
    assert page.status_code == 200 and "Journey timeline of referral RA-ALICE" in page.content.decode()
    assert (
        client.get(reverse("participant-detail", args=[world.prime_referral.participant_id])).status_code
        == 404
    )


def test_caseload_of_150_is_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    desk = build_desk()
    referrals = f.ReferralFactory.create_batch(150, contract=desk.contract, key_worker=desk.key_worker)
    for referral in referrals[:40]:
        f.JourneyEventFactory(referral=referral, code="STARTED")
        f.AppointmentFactory(referral=referral, starts_at=timezone.now() + dt.timedelta(days=3))
    login(client, desk.key_worker)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("caseload"))
    assert response.content.decode().count('href="/participants/') >= 150


def test_participant_page_is_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    desk = build_desk()
    for day in range(1, 6):
        f.AppointmentFactory(referral=desk.referral, starts_at=timezone.now() - dt.timedelta(days=day))
    services.save_action_plan(
        referral=desk.referral,
        expected_version=0,
        goals=[GOAL] * 3,
        agreed_on=dt.date(2025, 1, 20),
        user=None,
    )
    services.move_psg(
        referral=desk.referral, group="CONTEMPLATION", moved_on=dt.date(2025, 1, 9), note="n", user=None
    )
    login(client, desk.key_worker)
    with django_assert_max_num_queries(16):  # 15, and the access log's row
        response = client.get(reverse("participant-detail", args=[desk.referral.participant_id]))
    html = response.content.decode()
    assert "Update CV" in html and "PSG: Contemplation" in html
    # History reads one table per audited model (13), whatever their size; every section logs the read.
    for section, bound in (("jobs", 20), ("evidence", 20), ("notes", 20), ("history", 23)):
        with django_assert_max_num_queries(bound):
            assert (
                client.get(
                    reverse("participant-section", args=[desk.referral.participant_id, section])
                ).status_code
                == 200
            )


def test_a_form_error_keeps_what_was_typed_and_names_the_problem(client):
    desk = build_desk()
    login(client, desk.key_worker)
    response = client.post(
        reverse("psg-move", args=[desk.referral.pk]),
        {"group": "PREPARATION", "moved_on": "2025-01-02", "note": "Ready for job search"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "before the referral date" in html and "Ready for job search" in html and 'value="2025-01-02"' in html
    )
    assert not models.JourneyEvent.objects.filter(referral=desk.referral).exists()


def test_htmx_success_redirects_to_the_participant(client):
    desk = build_desk()
    response = login(client, desk.key_worker).post(
        reverse("note-add", args=[desk.referral.pk]),
        {"text": "Called, left message"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(
        reverse("participant-detail", args=[desk.referral.participant_id])
    )
    history = client.get(reverse("participant-section", args=[desk.referral.participant_id, "history"]))
    assert "Created note" in history.content.decode()


def test_two_editors_of_one_plan_the_second_gets_a_conflict_and_keeps_their_text(client, django_user_model):
    desk = build_desk()
    services.save_action_plan(
        referral=desk.referral, expected_version=0, goals=[GOAL], agreed_on=None, user=None
    )
    url = reverse("action-plan-edit", args=[desk.referral.pk])
    login(client, desk.key_worker)
    form = {
        "version": "1",
        "agreed_on": "",
        "change_note": "",
        "goals-TOTAL_FORMS": "1",
        "goals-INITIAL_FORMS": "0",
        "goals-0-key": "",
        "goals-0-measure": "m",
        "goals-0-owner": "o",
        "goals-0-due_date": "2025-03-01",
        "goals-0-status": "NOT_STARTED",
    }
    first = client.post(url, {**form, "goals-0-goal": "First editor's goal"})
    assert first.status_code == 302
    second = client.post(url, {**form, "goals-0-goal": "Second editor's goal"})
    html = second.content.decode()
    assert second.status_code == 200
    assert "after you opened version 1" in html and "Nothing you typed is lost" in html
    assert (
        "Second editor&#x27;s goal" in html and "First editor&#x27;s goal" in html
    )  # theirs and the saved one
    assert re.search(r'name="version" value="2"', html)
    plan = models.ActionPlan.objects.get(referral=desk.referral)
    assert list(plan.goals.values_list("goal", flat=True)) == ["First editor's goal"]
