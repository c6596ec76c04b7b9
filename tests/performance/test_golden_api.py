"""The worked examples through the real import and the MI API: every `performance`, `cohorts` and
`assessments` response, served from the snapshots of the recompute job, and a sample computed on demand."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from participants.imports.services import import_bundle
from participants.models import Contract
from performance import engine, services
from performance.models import CohortSnapshot, PerformanceSnapshot
from tests.factories import UserFactory
from tests.golden import BUNDLES, FIXTURES, assert_matches, bundle_frames, expected
from tests.performance.golden_support import (
    cohort_profile_ties,
    cohorts_tie_tolerant,
    rules_for,
    terms_for,
    tie_keys,
    tie_tolerant,
)


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


def _ties(name: str) -> tuple[set, dict[str, set]]:
    """Where the exact figures are ties at the third decimal (see golden_support.tie_tolerant)."""
    bundle = bundle_frames(name)
    facts = engine.referral_facts(bundle.referrals, bundle.events)
    rules = rules_for(bundle.contract["programme"])
    months = sorted({engine.parse_month(w["period_end"]) for w in expected(name)["performance"]})
    as_of = date.fromisoformat(expected(name)["as_of"])
    return (
        tie_keys(
            engine.performance_table(facts, rules, terms_for(bundle), bundle.profiles, bundle.targets, months)
        ),
        {
            g: cohort_profile_ties(engine.cohort_table(facts, rules, bundle.profiles, g, as_of))
            for g in rules.report_groups
        },
    )


def _check(api, name: str, every: int = 1) -> None:
    want = expected(name)
    ref = want["contract_ref"]
    ties, cohort_ties = _ties(name)
    for w in want["performance"][::every]:
        got = api.get(
            f"/api/v1/contracts/{ref}/performance/",
            {"month": w["period_end"], "period": w["period"], "group": w["group"]},
        )
        assert got.status_code == 200, got.content
        key = (w["period_end"], w["period"], w["group"])
        assert_matches(got.json(), tie_tolerant(w, got.json()) if key in ties else w, "/".join(key))
    for group, response in want["cohorts"].items():
        got = api.get(f"/api/v1/contracts/{ref}/cohorts/", {"group": group, "as_of": want["as_of"]})
        assert got.status_code == 200, got.content
        assert_matches(
            got.json(),
            cohorts_tie_tolerant(response, got.json(), cohort_ties[group]),
            f"{name}.cohorts.{group}",
        )
    for w in want["assessments"][::every]:
        params = {"quarter_end": w["quarter_end"], "group": w["group"]}
        if w["validated_months"] == 12:
            params["final"] = "true"
        got = api.get(f"/api/v1/contracts/{ref}/assessments/", params)
        assert got.status_code == 200, got.content
        assert_matches(got.json(), w, f"{name}.assessments.{w['quarter_end']}.{w['group']}")


@pytest.mark.parametrize("name", BUNDLES)
def test_api_served_from_snapshots_matches_every_golden_response(api, golden_contracts, name):
    contract = golden_contracts[name]
    result = services.recompute_contract(contract_id=contract.pk)
    assert result.as_of == date.fromisoformat(expected(name)["as_of"]) or result.as_of is not None
    assert PerformanceSnapshot.objects.filter(contract=contract).count() == result.performance_rows > 0
    _check(api, name)


@pytest.mark.parametrize("name", BUNDLES)
def test_api_computed_on_demand_matches_a_sample_of_golden_responses(api, golden_contracts, name):
    contract = golden_contracts[name]
    assert not PerformanceSnapshot.objects.filter(contract=contract).exists()
    assert not CohortSnapshot.objects.filter(contract=contract).exists()
    _check(api, name, every=37)
