"""Workspace writes need RECORD_JOURNEY on the referral, the claim checklist CHECK_CLAIMS (issue 10: a
partnerships manager recorded an earnings start, a claims officer the milestones they then check), and the
pages offer only the buttons the rule allows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from participants.models import ClaimChecklist, JourneyEvent, Role
from tests import factories as f
from tests.participants.workspace_support import build_desk

pytestmark = pytest.mark.django_db

EARNINGS = {"code": "EARNINGS_START", "reached_on": "2025-03-03", "amount": "120.00"}


def colleague(desk, role: Role):
    return f.StaffFactory(role=role, organisation=desk.contract.prime)


@pytest.mark.parametrize(
    "role", [Role.PARTNERSHIPS_MANAGER, Role.CLAIMS_OFFICER, Role.CONTRACT_MANAGER, Role.DWP_CONTACT]
)
def test_roles_that_do_not_record_journeys_may_not_record_an_earnings_milestone(client, role):
    desk = build_desk()
    staff = colleague(desk, role)
    if role == Role.DWP_CONTACT:
        desk.contract.dwp_contacts.add(staff.user)
    client.force_login(staff.user)
    url = reverse("earnings-milestone", args=[desk.referral.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, EARNINGS).status_code == 403
    assert not JourneyEvent.objects.filter(code="EARNINGS_START").exists()


def test_key_worker_records_an_earnings_milestone(client):
    desk = build_desk()
    client.force_login(desk.key_worker.user)
    response = client.post(reverse("earnings-milestone", args=[desk.referral.pk]), EARNINGS)
    assert response.status_code == 302
    assert JourneyEvent.objects.filter(referral=desk.referral, code="EARNINGS_START").exists()


def test_claims_officer_may_not_write_or_review_the_action_plan(client):
    desk = build_desk()
    client.force_login(colleague(desk, Role.CLAIMS_OFFICER).user)
    assert client.get(reverse("action-plan-edit", args=[desk.referral.pk])).status_code == 403
    review = {"reviewed_on": "2025-02-03", "note": "ok"}
    assert client.post(reverse("action-plan-review", args=[desk.referral.pk]), review).status_code == 403


def test_only_claims_officers_check_claims_contract_managers_no_longer(client):
    desk = build_desk()
    outcome = f.JourneyEventFactory(
        referral=desk.referral, code="JOB_OUTCOME", event_date=dt.date(2025, 6, 2)
    )
    url = reverse("claim-checklist", args=[outcome.pk])
    client.force_login(colleague(desk, Role.CONTRACT_MANAGER).user)
    assert client.post(url, {"item_identity": "on"}).status_code == 403
    assert not ClaimChecklist.objects.exists()
    client.force_login(colleague(desk, Role.CLAIMS_OFFICER).user)
    assert client.post(url, {"item_identity": "on"}).status_code == 302
    assert ClaimChecklist.objects.get(event=outcome).answers["identity"] is True


def test_participant_page_offers_recording_only_to_those_who_may(client):
    desk = build_desk()
    outcome = f.JourneyEventFactory(
        referral=desk.referral, code="JOB_OUTCOME", event_date=dt.date(2025, 6, 2)
    )
    participant = desk.referral.participant_id
    page = reverse("participant-detail", args=[participant])
    evidence = reverse("participant-section", args=[participant, "evidence"])
    check = reverse("claim-checklist", args=[outcome.pk])
    record = reverse("job-start", args=[desk.referral.pk])

    client.force_login(desk.key_worker.user)
    assert record in client.get(page).content.decode()
    assert check not in client.get(evidence).content.decode()

    client.force_login(colleague(desk, Role.CLAIMS_OFFICER).user)
    assert record not in client.get(page).content.decode()
    assert check in client.get(evidence).content.decode()
    plan = client.get(reverse("action-plan", args=[desk.referral.pk])).content.decode()
    assert reverse("action-plan-edit", args=[desk.referral.pk]) not in plan
