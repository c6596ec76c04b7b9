"""Issue 12: the records behind the workspace KPIs (complaints, eligibility checks, placements sourced)
recorded from the participant page: scoped, through the access rule, with clear errors that keep the input,
history, and the participant page's section listing them in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from participants.errors import FlightpathError
from participants.models import Complaint, EligibilityCheck, PlacementSourced
from participants.workspace import kpi_records
from tests.participants.workspace_support import build_desk

pytestmark = pytest.mark.django_db


def test_each_record_is_made_from_its_form_with_its_author_and_history(client):
    desk = build_desk()
    client.force_login(desk.key_worker.user)
    posts = {
        "complaint-record": {
            "on": "2025-02-03",
            "summary": "Appointment moved twice",
            "resolved_on": "2025-02-10",
        },
        "eligibility-check-record": {"on": "2025-01-07", "result": "ELIGIBLE", "note": "Checked UC award"},
        "placement-sourced-record": {"on": "2025-03-01", "employer": "Greggs", "role_title": "Baker"},
    }
    for name, data in posts.items():
        response = client.post(reverse(name, args=[desk.referral.pk]), data)
        assert response.status_code == 302, name
    complaint = Complaint.objects.get()
    assert complaint.recorded_by == desk.key_worker.user and complaint.resolved_on == dt.date(2025, 2, 10)
    assert complaint.history.get().history_user == desk.key_worker.user
    assert EligibilityCheck.objects.get().result == "ELIGIBLE"
    assert PlacementSourced.objects.get().employer == "Greggs"
    section = client.get(reverse("participant-section", args=[desk.referral.participant.pk, "kpi-records"]))
    html = section.content.decode()
    assert "Appointment moved twice" in html and "Eligible" in html and "Baker" in html and "Greggs" in html


def test_errors_name_the_field_and_keep_what_was_typed(client):
    desk = build_desk()
    client.force_login(desk.key_worker.user)
    url = reverse("complaint-record", args=[desk.referral.pk])
    response = client.post(
        url, {"on": "2025-02-03", "summary": "Rude on the phone", "resolved_on": "2025-02-01"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "before the complaint" in html and "Rude on the phone" in html
    response = client.post(url, {"on": "2024-12-01", "summary": "Too early"})
    assert "before the referral date" in response.content.decode()
    assert not Complaint.objects.exists()
    with pytest.raises(FlightpathError) as raised:
        kpi_records.record_placement_sourced(
            referral=desk.referral, on=dt.date(2025, 3, 1), employer=" ", role_title="Baker", user=None
        )
    assert raised.value.field == "employer"


def test_out_of_scope_is_404_and_the_section_is_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    desk = build_desk()
    client.force_login(desk.key_worker.user)
    other = reverse("eligibility-check-record", args=[desk.other_referral.pk])
    assert client.post(other, {"on": "2025-01-07", "result": "ELIGIBLE"}).status_code == 404
    for n in range(6):
        kpi_records.record_complaint(
            referral=desk.referral,
            on=dt.date(2025, 2, 1 + n),
            summary=f"Complaint {n}",
            user=desk.key_worker.user,
        )
    url = reverse("participant-section", args=[desk.referral.participant.pk, "kpi-records"])
    with django_assert_max_num_queries(12):
        html = client.get(url).content.decode()
    assert "Complaint 5" in html and html.count("Open</td>") == 6
