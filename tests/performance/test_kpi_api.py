"""GET /api/v1/contracts/{ref}/kpis/ (DATA.md "Regimes, notices and KPIs"): the shape, 400s, scope,
pagination, CSV and a query bound."""

import pytest
from rest_framework.test import APIClient

from performance.kpis import services

from .kpi_support import make_world, target

pytestmark = pytest.mark.django_db
URL = "/api/v1/contracts/K-1/kpis/"


@pytest.fixture
def world():
    w = make_world()
    target(w, "STAFF", "KW-A", "JOB_STARTS", "2025-04", 1)
    target(w, "STAFF", "KW-B", "JOB_STARTS", "2025-06", 2)
    target(w, "CONTRACT", "", "STARTS", "2025-05", 1)
    services.recompute_ratings(contract_id=w.contract.pk)
    return w


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_shape_exactly_as_data_md(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client_for(world.contract_manager.user).get(URL, {"quarter_end": "2025-06"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert body["results"][0] == {
        "level": "CONTRACT",
        "ref": "K-1",
        "quarter_end": "2025-06",
        "rag": "AMBER",
        "kpis": [{"kpi": "STARTS", "target": 1.0, "actual": 0, "met": False}],
    }
    assert [(r["ref"], r["rag"]) for r in body["results"][1:]] == [("KW-A", "GREEN"), ("KW-B", "AMBER")]


def test_level_filter_and_scope(world):
    body = client_for(world.anna.user).get(URL, {"quarter_end": "2025-06"}).json()
    assert [r["ref"] for r in body["results"]] == ["KW-A"]
    body = (
        client_for(world.contract_manager.user).get(URL, {"quarter_end": "2025-06", "level": "STAFF"}).json()
    )
    assert body["count"] == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"quarter_end": "2025-05"}, "quarter_end"),
        ({}, "quarter_end"),
        ({"quarter_end": "2025-06", "level": "TEAM"}, "level"),
    ],
)
def test_bad_parameters_are_400s_naming_the_field(world, query, field):
    response = client_for(world.contract_manager.user).get(URL, query)
    assert response.status_code == 400
    assert field in response.content.decode()


def test_unknown_or_unseen_contract_is_404(world):
    from tests import factories as f

    stranger = f.StaffFactory(organisation=f.OrganisationFactory(ref="OTHER")).user
    assert client_for(stranger).get(URL, {"quarter_end": "2025-06"}).status_code == 404
    assert (
        client_for(world.contract_manager.user)
        .get("/api/v1/contracts/NOPE/kpis/", {"quarter_end": "2025-06"})
        .status_code
        == 404
    )


def test_csv_has_one_line_per_kpi(world):
    response = client_for(world.contract_manager.user).get(URL, {"quarter_end": "2025-06", "format": "csv"})
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0] == "level,ref,quarter_end,rag,kpi,target,actual,met"
    assert lines[1] == "CONTRACT,K-1,2025-06,AMBER,STARTS,1.0,0,False"
    assert len(lines) == 4
