"""Bad input that was a 500 (issue 10) is a form error: the action plan's goal formset with a management
form that does not count (`goals-TOTAL_FORMS=abc`), on "add a goal" and on save."""

from __future__ import annotations

import pytest
from django.urls import reverse

from participants.models import ActionPlan
from tests.participants.workspace_support import build_desk

pytestmark = pytest.mark.django_db
FORM = {
    "version": "0",
    "agreed_on": "",
    "change_note": "",
    "goals-INITIAL_FORMS": "0",
    "goals-0-key": "",
    "goals-0-goal": "Update CV",
    "goals-0-measure": "CV sent to 3 employers",
    "goals-0-owner": "Participant",
    "goals-0-due_date": "2025-03-01",
    "goals-0-status": "NOT_STARTED",
}


@pytest.mark.parametrize("total", ["abc", "", "1.5", "9" * 5000])
@pytest.mark.parametrize("button", [{"add_goal": "1"}, {}])
def test_a_goal_formset_whose_total_is_not_a_count_is_a_form_error(client, total, button):
    desk = build_desk()
    client.force_login(desk.key_worker.user)
    url = reverse("action-plan-edit", args=[desk.referral.pk])
    response = client.post(url, {**FORM, "goals-TOTAL_FORMS": total, **button})
    assert response.status_code == 200
    assert "ManagementForm data is missing or has been tampered with" in response.content.decode()
    assert not ActionPlan.objects.exists()


def test_add_a_goal_still_adds_a_row_to_a_counted_formset(client):
    desk = build_desk()
    client.force_login(desk.key_worker.user)
    url = reverse("action-plan-edit", args=[desk.referral.pk])
    response = client.post(url, {**FORM, "goals-TOTAL_FORMS": "1", "add_goal": "1"})
    assert response.status_code == 200 and response.context["formset"].total_form_count() == 2
