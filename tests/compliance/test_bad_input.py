"""Bad input that was a 500 (issue 10) is a clear 400: a CMO sample page asked for a record that is not a
record number (`?record=abc`), in its link or in its form."""

from __future__ import annotations

import datetime as dt

import pytest

from compliance.services import assurance as services_assurance
from tests.compliance.pages_support import build_pages_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(db):
    world = build_pages_world()
    sample = services_assurance.draw_cmo_sample(
        contract=world.contract,
        size=2,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 1, 31),
        check_date=dt.date(2025, 4, 10),
        seed=3,
    )
    sample.manager = world.manager
    return sample


@pytest.mark.parametrize("record", ["abc", "1.5", "-3", "0", "9" * 40])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_record_that_is_not_a_record_number_is_a_400_naming_it(sample, client, record, method):
    client.force_login(sample.manager.user)
    url = f"/compliance/contracts/CP-1/assurance/cmo-samples/{sample.pk}/"
    response = getattr(client, method)(url, {"record": record, "self_check": "PASS"})
    html = response.content.decode()
    assert response.status_code == 400
    assert f"record: {record!r} is not a record number." in html.replace("&#x27;", "'")
    assert "CMO sample for the check on" in html  # the page itself, with the message
    assert not sample.records.exclude(self_check="").exists()


def test_a_record_number_of_another_sample_is_a_404(sample, client):
    client.force_login(sample.manager.user)
    url = f"/compliance/contracts/CP-1/assurance/cmo-samples/{sample.pk}/"
    assert client.get(url, {"record": "999999"}).status_code == 404
    assert client.get(url, {"record": sample.records.first().pk}).status_code == 200
