"""The regimes endpoints (DATA.md "Regimes, notices and KPIs"): 200, 201, 400, 403, 404, 409, query bounds."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from regimes.models import Recommendation
from regimes.services import recommendations
from tests import factories as f

from .helpers import world


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _post(client, ref, **body):
    return client.post(f"/api/v1/contracts/{ref}/decisions/", body, format="json")


@pytest.mark.django_db
def test_issue_pin_answers_201_with_its_obligations_then_409_inside_the_remedy_period():
    w = world()
    dwp = client_for(w.dwp)
    body = {
        "decision": "ISSUE_PIN",
        "group": "PG1",
        "quarter_end": "2025-03",
        "decided_on": "2025-05-06",
        "reason": "Failed",
    }
    response = _post(dwp, w.contract.ref, **body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["decision"] == "ISSUE_PIN" and data["pin"]
    assert sorted(o["kind"] for o in data["obligations"]) == ["ACTION_PLAN_DUE", "PIN_REMEDY_END"]
    plan = next(o for o in data["obligations"] if o["kind"] == "ACTION_PLAN_DUE")
    assert plan == {**plan, "due_date": "2025-05-13", "owner": w.manager.username, "status": "OVERDUE"}
    again = _post(dwp, w.contract.ref, **{**body, "quarter_end": "2025-06", "decided_on": "2025-09-30"})
    assert again.status_code == 409 and "17.4" in again.json()["detail"]
    regime = dwp.get(f"/api/v1/contracts/{w.contract.ref}/regime/").json()
    assert regime["regime"] == "PMR" and regime["levels"] == [1] and regime["epr"] is None
    assert (
        regime["pins"][0]
        | {"group": "PG1", "quarter_end": "2025-03", "remedy_end": "2025-09", "status": "OPEN"}
        == regime["pins"][0]
    )
    obligations = dwp.get(f"/api/v1/contracts/{w.contract.ref}/obligations/?status=OVERDUE").json()
    assert obligations["count"] == 2 and obligations["results"][0]["source"].startswith("PIN ")


@pytest.mark.django_db
def test_decisions_answer_400_naming_the_field_403_for_other_roles_404_outside_the_scope():
    w = world()
    bad = _post(
        client_for(w.dwp), w.contract.ref, decision="ISSUE_PIN", group="PG1", quarter_end="March", reason="r"
    )
    assert bad.status_code == 400 and "quarter_end" in bad.json()
    missing = _post(
        client_for(w.dwp), w.contract.ref, decision="ISSUE_PIN", quarter_end="2025-03", reason="r"
    )
    assert missing.status_code == 400 and "group" in missing.json()
    assert (
        _post(client_for(w.key_worker), w.contract.ref, decision="ALLOCATE_EPR", reason="r").status_code
        == 403
    )
    other = world(ref="RG-2")
    assert (
        _post(client_for(w.dwp), other.contract.ref, decision="ALLOCATE_EPR", reason="r").status_code == 404
    )
    letter = _post(
        client_for(w.manager),
        w.contract.ref,
        decision="ALLOCATE_EPR",
        reason="Letter",
        decided_on="2025-05-06",
    )
    assert letter.status_code == 400 and "decided_by" in letter.json()
    letter = _post(
        client_for(w.manager),
        w.contract.ref,
        decision="ALLOCATE_EPR",
        reason="Letter",
        decided_on="2025-05-06",
        decided_by="A. DWP",
    )
    assert letter.status_code == 201 and letter.json()["recorded_for_dwp"] is True
    listed = client_for(w.manager).get("/api/v1/contracts/").json()["results"]
    assert [c["regime"] for c in listed if c["contract_ref"] == w.contract.ref] == ["EPR"]


@pytest.mark.django_db
def test_recommendations_list_is_paginated_filtered_and_bounded_in_queries(django_assert_max_num_queries):
    w = world()
    for i in range(30):
        Recommendation.objects.create(
            contract=w.contract,
            key=f"PIN_RISK:PG1:{i}",
            kind="PIN_RISK",
            group="PG1",
            quarter_end=dt.date(2025, 3, 1),
            message=f"m{i}",
            status="OPEN" if i % 2 else "DISMISSED",
            decided_by=None if i % 2 else w.dwp,
        )
    client = client_for(w.dwp)
    with django_assert_max_num_queries(10):
        data = client.get(f"/api/v1/contracts/{w.contract.ref}/recommendations/?status=DISMISSED").json()
    assert data["count"] == 15 and {r["status"] for r in data["results"]} == {"DISMISSED"}
    assert data["results"][0]["decided_by"] and data["results"][0]["quarter_end"] == "2025-03"
    assert client.get(f"/api/v1/contracts/{w.contract.ref}/recommendations/?status=NOPE").status_code == 400
    # warnings for a quarter the projection no longer looks at are kept until decided (17.6)
    assert recommendations.refresh(contract=w.contract)["withdrawn"] == 0


@pytest.mark.django_db
def test_contract_list_regime_costs_no_query_per_contract(django_assert_max_num_queries):
    w = world()
    for i in range(5):
        f.ContractFactory(ref=f"RG-X{i}", prime=w.contract.prime)
    with django_assert_max_num_queries(8):
        data = client_for(w.manager).get("/api/v1/contracts/").json()
    assert {c["regime"] for c in data["results"]} == {"PMR"}
