"""The action plan PDF for a participant's DWP work coach (DOMAIN.md 14 exports)."""

import datetime as dt
import subprocess

import pytest
from django.urls import reverse

from participants.workspace import services as services
from tests.participants.workspace_support import build_desk

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


def pdf_url(referral) -> str:
    return reverse("action-plan-pdf", args=[referral.pk])


def test_action_plan_pdf_holds_the_latest_goals(client, tmp_path):
    desk = build_desk()
    services.save_action_plan(
        referral=desk.referral, expected_version=0, goals=[GOAL], agreed_on=dt.date(2025, 1, 20), user=None
    )
    response = login(client, desk.key_worker).get(pdf_url(desk.referral))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="action-plan-RW-1.pdf"'
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Participant action plan" in text and "Update CV" in text and "CV sent to 3 employers" in text
    assert "20 Jan 2025" in text and "RW-1" in text


def test_no_pdf_before_the_first_plan_is_saved(client):
    desk = build_desk()
    assert login(client, desk.key_worker).get(pdf_url(desk.referral)).status_code == 404


def test_no_pdf_of_a_referral_outside_the_users_caseload(client):
    desk = build_desk()
    services.save_action_plan(
        referral=desk.other_referral, expected_version=0, goals=[GOAL], agreed_on=None, user=None
    )
    assert login(client, desk.key_worker).get(pdf_url(desk.other_referral)).status_code == 404
    assert client.get(pdf_url(desk.referral)).status_code == 404


def test_the_pdf_needs_a_login(client):
    desk = build_desk()
    response = client.get(pdf_url(desk.referral))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
