"""The notices API (DATA.md): POST by the prime's managers -> 201 with the delivery fields; 400 naming the
field; 403 for DWP contacts and key workers; 404 outside the scope; a paginated list; one notice."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from regimes.models import IssueNotice
from tests.regimes import notice_support as support

pytestmark = pytest.mark.django_db

DELIVERY = [
    "id",
    "state",
    "urgency",
    "due_by",
    "queued_at",
    "sent_at",
    "message_id",
    "recipients",
    "attempts",
]


@pytest.fixture
def world(db):
    return support.build("API-N")


def client_for(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff.user)
    return client


URL = "/api/v1/contracts/API-N/notices/"


def test_a_manager_writes_an_urgent_notice_and_it_is_sent(world, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.manager).post(
            URL, {**support.fields("URGENT"), "extra_recipients": ["ops@example.org"]}, format="json"
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(DELIVERY + ["last_error"]) <= set(body)
    notice = IssueNotice.objects.get()
    assert body["id"] == notice.pk and body["urgency"] == "URGENT"
    assert body["state"] in {"QUEUED", "SENT"} and body["message_id"] == notice.message.message_id
    assert body["recipients"] == [*sorted(s.user.email for s in world.dwp), "ops@example.org"]
    one = client_for(world.dwp[0]).get(f"{URL}{notice.pk}/").json()
    assert one["state"] == "SENT" and one["sent_at"] and one["attempts"] == 1 and one["last_error"] == ""
    assert [m["Message-ID"] for m in smtp.messages] == [one["message_id"]]


def test_a_normal_notice_is_a_draft_due_in_working_days(world):
    response = client_for(world.performance).post(URL, support.fields("NORMAL"), format="json")
    body = response.json()
    assert response.status_code == 201
    assert (body["state"], body["queued_at"], body["message_id"], body["attempts"]) == (
        "DRAFT",
        None,
        None,
        0,
    )
    assert body["due_by"] == IssueNotice.objects.get().due_by.isoformat()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"urgency": "SOON"}, "urgency"),
        ({"summary": ""}, "summary"),
        ({"extra_recipients": ["nobody"]}, "extra_recipients"),
        ({"people_told": None}, "people_told"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(world, change, field):
    response = client_for(world.manager).post(URL, {**support.fields("URGENT"), **change}, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not IssueNotice.objects.exists()


@pytest.mark.parametrize("who", ["key_worker", "dwp"])
def test_dwp_contacts_and_key_workers_get_403(world, who):
    staff = world.key_worker if who == "key_worker" else world.dwp[0]
    response = client_for(staff).post(URL, support.fields("URGENT"), format="json")
    assert response.status_code == 403 and not IssueNotice.objects.exists()
    assert client_for(staff).get(URL).status_code == 200


def test_outside_the_scope_is_404(world):
    client = client_for(world.other_dwp)
    assert client.post(URL, support.fields("URGENT"), format="json").status_code == 404
    assert client.get(URL).status_code == 404


def test_the_list_is_paginated_newest_first(world):
    for n in range(3):
        client_for(world.manager).post(URL, support.fields("NORMAL", summary=f"N{n}"), format="json")
    body = client_for(world.manager).get(URL).json()
    assert body["count"] == 3 and [r["summary"] for r in body["results"]] == ["N2", "N1", "N0"]
    assert client_for(world.manager).get(f"{URL}999999/").status_code == 404
