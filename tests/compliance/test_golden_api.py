"""The worked examples through the real import and the MI API: every `standards` response (ALL and each
group) and every `failures` list, computed on demand and then served from a snapshot of the same date."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from compliance.selectors import standards as selectors
from compliance.services import snapshots as services
from participants.imports.services import import_bundle
from participants.models import Contract
from tests.factories import UserFactory
from tests.golden import BUNDLES, FIXTURES, assert_matches, bundle_frames, expected


@pytest.fixture(scope="module")
def golden_contracts(django_db_setup, django_db_blocker):
    """The three bundles imported once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        for name in BUNDLES:
            import_bundle(path=FIXTURES / name)
        yield {
            name: Contract.objects.get(ref=bundle_frames(name).contract["contract_ref"]) for name in BUNDLES
        }
        transaction.set_rollback(True)


@pytest.fixture
def api(db, golden_contracts):
    client = APIClient()
    client.force_authenticate(UserFactory(username="golden-admin", is_superuser=True))
    return client


def _check_every_response(api, name: str) -> None:
    want = expected(name)
    ref = want["contract_ref"]
    for group, response in want["standards"].items():
        got = api.get(f"/api/v1/contracts/{ref}/standards/", {"as_of": want["as_of"], "group": group})
        assert got.status_code == 200, got.content
        assert_matches(got.json(), response, f"{name}.standards.{group}")
    for code, rows in want["failures"].items():
        got = api.get(
            f"/api/v1/contracts/{ref}/standards/{code}/failures/", {"as_of": want["as_of"], "page_size": 1000}
        )
        assert got.status_code == 200, got.content
        body = got.json()
        assert body["count"] == len(rows) and body["next"] is None
        assert_matches(body["results"], rows, f"{name}.failures.{code}")


@pytest.mark.parametrize("name", BUNDLES)
def test_api_computed_on_demand_matches_every_golden_response(api, golden_contracts, name):
    assert not selectors.snapshot_dates(golden_contracts[name])
    _check_every_response(api, name)


@pytest.mark.parametrize("name", BUNDLES)
def test_api_served_from_a_snapshot_matches_every_golden_response(api, golden_contracts, name):
    contract = golden_contracts[name]
    as_of = date.fromisoformat(expected(name)["as_of"])
    standards = selectors.contract_standards(contract)
    services.write_snapshot(
        contract=contract,
        standards=standards,
        result=selectors.compute_for_contract(contract, as_of=as_of, standards=standards),
    )
    assert selectors.snapshot_dates(contract) == ([as_of] if standards else [])
    _check_every_response(api, name)
