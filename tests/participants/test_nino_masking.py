"""Issue 13: the NI number never leaves unmasked outside its logged reveal (docs/decisions.md): not on the
admin's participant page, not in the referral list's CSV export."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.participants.test_person_records import login, named
from tests.participants.workspace_support import build_desk

pytestmark = pytest.mark.django_db

NINO = "QQ123456C"


def test_the_admin_shows_the_nino_masked(client, settings):
    settings.FLIGHTPATH_2FA_REQUIRED_FOR_SUPERUSERS = False
    participant = named(build_desk(), nino=NINO, email="ash@example.org", phone="07700 900123")
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    page = client.get(reverse("admin:participants_participant_change", args=[participant.pk]))
    assert page.status_code == 200
    assert NINO.encode() not in page.content and "QQ •• •• •• C".encode() in page.content
    listing = client.get(reverse("admin:participants_participant_changelist"))
    assert listing.status_code == 200 and NINO.encode() not in listing.content
    assert b"ash@example.org" not in listing.content and b"07700" not in listing.content


def test_the_referral_export_carries_no_nino_or_contact(client):
    desk = build_desk()
    named(desk, nino=NINO, email="ash@example.org", phone="07700 900123", last_name="Khan")
    response = login(client, desk.key_worker).get(reverse("referral-list"), {"export": "csv"})
    body = b"".join(response.streaming_content)
    assert desk.referral.ref.encode() in body
    for secret in (NINO, "ash@example.org", "07700", "Khan"):
        assert secret.encode() not in body
