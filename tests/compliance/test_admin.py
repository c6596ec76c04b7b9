"""Support staff manage standards in the admin: contracts add their own tender standards there."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from compliance.models import Standard
from tests import factories as f


@pytest.fixture
def admin_client_logged_in(client, db):
    client.force_login(f.UserFactory(username="support", is_superuser=True, is_staff=True))
    return client


def test_admin_lists_standards_and_opens_the_add_form(admin_client_logged_in):
    listing = admin_client_logged_in.get("/admin/compliance/standard/")
    assert listing.status_code == 200 and b"CSS1a" in listing.content
    assert admin_client_logged_in.get("/admin/compliance/standard/add/").status_code == 200
    assert admin_client_logged_in.get("/admin/compliance/standardsnapshot/").status_code == 200


def test_admin_adds_a_contract_tender_standard(admin_client_logged_in):
    contract = f.ContractFactory(ref="TENDER-1")
    response = admin_client_logged_in.post(
        "/admin/compliance/standard/add/",
        {
            "code": "TCS1",
            "name": "Tender: acknowledged within 1 day",
            "position": 20,
            "contract": contract.pk,
            "measure": "deadline",
            "start_event": "REFERRED",
            "end_events": '["ACKNOWLEDGED"]',
            "limit_working_days": 1,
            "target": "99.5",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert Standard.objects.for_contract(contract)[-1].code == "TCS1"


def test_unknown_end_event_codes_are_rejected(db):
    standard = Standard(
        code="X",
        contract=f.ContractFactory(ref="TENDER-2"),
        measure="deadline",
        start_event="REFERRED",
        end_events=["STARTED", "NOPE"],
        limit_working_days=1,
        target=1,
    )
    with pytest.raises(ValidationError, match="NOPE"):
        standard.full_clean()
