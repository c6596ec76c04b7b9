"""MI API v1 standards endpoints (DATA.md): 200 / 400 / 404 per endpoint, scoping, query bounds, CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from rest_framework.test import APIClient

from compliance.filtersets import FailingItemFilters
from compliance.models import Standard
from compliance.selectors import pages
from compliance.selectors import standards as selectors
from compliance.services import snapshots as services
from participants.models import EventCode
from tests import factories as f
from tests.scoping import build_world

AS_OF = "2025-06-30"


@pytest.fixture
def world(db):
    world = build_world()
    contract = world.contract_a
    # Ten more referrals on contract A, none resolved: CSS4 failures, all at the prime.
    for i in range(10):
        f.ReferralFactory(contract=contract, ref=f"RA-LATE{i}", referral_date=date(2025, 2, 3))
    referral = f.ReferralFactory(
        contract=contract, ref="RA-EARLY", referral_date=date(2024, 5, 1), group="DISABILITY"
    )
    f.JourneyEventFactory(referral=referral, code=EventCode.STARTED, event_date=date(2024, 5, 2))
    return world


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def admin_api(db):
    return client_for(f.UserFactory(username="root", is_superuser=True))


def standards_url(ref="CA-1"):
    return f"/api/v1/contracts/{ref}/standards/"


def failures_url(code="CSS4", ref="CA-1"):
    return f"/api/v1/contracts/{ref}/standards/{code}/failures/"


def snapshot(contract, as_of=date(2025, 6, 30)):
    standards = selectors.contract_standards(contract)
    services.write_snapshot(
        contract=contract,
        standards=standards,
        result=selectors.compute_for_contract(contract, as_of=as_of, standards=standards),
    )


# --- standards ------------------------------------------------------------------------------------------


def test_standards_lists_every_whp_standard_with_its_figures(world, admin_api):
    response = admin_api.get(standards_url(), {"as_of": AS_OF})
    assert response.status_code == 200
    body = response.json()
    assert body["contract_ref"] == "CA-1" and body["as_of"] == AS_OF
    by_code = {r["code"]: r for r in body["results"]}
    assert list(by_code) == ["CSS1a", "CSS1b", "CSS2", "CSS3", "CSS4", "CSS5", "CSS6"]
    assert by_code["CSS4"] == {
        "code": "CSS4",
        "measure": "backlog_max",
        "limit_working_days": 25,
        "target": 0,
        "over_limit": 10,
        "oldest_age_working_days": 101,
        "status": "NOT_MET",
    }
    assert by_code["CSS1a"]["eligible"] == 14 and by_code["CSS1a"]["met"] == 4
    assert by_code["CSS6"]["eligible"] == 0 and by_code["CSS6"]["compliance_pct"] is None
    assert by_code["CSS6"]["status"] is None


def test_standards_for_a_group_count_only_that_groups_referrals(world, admin_api):
    body = admin_api.get(standards_url(), {"as_of": AS_OF, "group": "DISABILITY"}).json()
    css1a = next(r for r in body["results"] if r["code"] == "CSS1a")
    assert (css1a["eligible"], css1a["met"], css1a["compliance_pct"], css1a["status"]) == (1, 1, 100.0, "MET")


def test_window_bounds_the_items_counted(world, admin_api):
    body = admin_api.get(
        standards_url(), {"as_of": AS_OF, "window_start": "2025-01-01", "window_end": "2025-01-31"}
    ).json()
    css1a = next(r for r in body["results"] if r["code"] == "CSS1a")
    assert css1a["eligible"] == 3  # the three referrals of 2025-01-06


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "as_of"),
        ({"as_of": "2025-13-01"}, "as_of"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"as_of": AS_OF, "group": "PG1"}, "group"),
        ({"as_of": AS_OF, "window_start": "2025-02-30"}, "window_start"),
        ({"as_of": AS_OF, "window_end": "soon"}, "window_end"),
        ({"as_of": AS_OF, "window_start": "2025-03-01", "window_end": "2025-02-01"}, "window_end"),
    ],
)
@pytest.mark.parametrize("url", [standards_url(), failures_url()])
def test_bad_input_is_a_400_naming_the_field(world, admin_api, url, params, field):
    response = admin_api.get(url, params)
    assert response.status_code == 400
    assert field in response.json()


def test_unknown_group_lists_the_valid_groups(world, admin_api):
    message = admin_api.get(standards_url(), {"as_of": AS_OF, "group": "PG1"}).json()["group"][0]
    assert "ALL, DISABILITY, EARLY_ENTRY, LTU" in message


def test_unknown_contract_is_404(world, admin_api):
    assert admin_api.get(standards_url("NOPE"), {"as_of": AS_OF}).status_code == 404
    assert admin_api.get(failures_url(ref="NOPE"), {"as_of": AS_OF}).status_code == 404


@pytest.mark.parametrize("url", [standards_url(), failures_url()])
def test_contract_outside_the_callers_scope_is_404(world, url):
    # charlie is a DWP contact named on contract B only.
    assert client_for(world.charlie).get(url, {"as_of": AS_OF}).status_code == 404
    assert client_for(world.charlie).get(url.replace("CA-1", "CB-1"), {"as_of": AS_OF}).status_code == 200


def test_anonymous_caller_is_refused(world):
    assert APIClient().get(standards_url(), {"as_of": AS_OF}).status_code in (401, 403)


def test_wp_contract_has_no_standards(db, admin_api):
    wp = f.ContractFactory(ref="WP-1", programme=f.models.Programme.objects.get(code="WP"))
    body = admin_api.get(standards_url(wp.ref), {"as_of": AS_OF}).json()
    assert body["results"] == []
    assert admin_api.get(failures_url("CSS1a", wp.ref), {"as_of": AS_OF}).status_code == 404


def test_snapshot_date_is_served_from_the_snapshot(world, admin_api, django_assert_max_num_queries):
    snapshot(world.contract_a)
    # Change the data after the snapshot: the snapshot date still shows what was computed, other dates see it.
    f.JourneyEventFactory(
        referral=world.prime_referral, code=EventCode.ACKNOWLEDGED, event_date=date(2025, 1, 7)
    )
    with django_assert_max_num_queries(4):
        body = admin_api.get(standards_url(), {"as_of": AS_OF}).json()
    on_demand = admin_api.get(standards_url(), {"as_of": "2025-06-29"}).json()
    css2 = next(r for r in body["results"] if r["code"] == "CSS2")
    assert css2["met"] == 0
    assert next(r for r in on_demand["results"] if r["code"] == "CSS2")["met"] == 1


def test_contract_tender_standard_replaces_the_programme_one_and_adds_its_own(world, admin_api):
    Standard.objects.create(
        contract=world.contract_a,
        code="CSS1a",
        measure="deadline",
        start_event="REFERRED",
        end_events=["STARTED", "DID_NOT_START", "FAILED_TO_ATTEND"],
        limit_working_days=15,
        target=99,
    )
    Standard.objects.create(
        contract=world.contract_a,
        code="T9",
        measure="deadline",
        start_event="REFERRED",
        end_events=["ACKNOWLEDGED"],
        limit_working_days=3,
        target=95,
        position=99,
    )
    results = admin_api.get(standards_url(), {"as_of": AS_OF}).json()["results"]
    assert [r["code"] for r in results] == ["CSS1a", "CSS1b", "CSS2", "CSS3", "CSS4", "CSS5", "CSS6", "T9"]
    assert results[0]["limit_working_days"] == 15 and results[0]["target"] == 99.0
    other = admin_api.get(standards_url("CB-1"), {"as_of": AS_OF}).json()["results"]
    assert other[0]["limit_working_days"] == 10 and "T9" not in [r["code"] for r in other]


# --- failures -------------------------------------------------------------------------------------------


def test_failures_list_failing_items_by_start_date_then_reference(world, admin_api):
    body = admin_api.get(failures_url(), {"as_of": AS_OF}).json()
    assert body["count"] == 10 and body["previous"] is None
    refs = [r["referral_ref"] for r in body["results"]]
    assert refs == sorted(refs) and refs[0] == "RA-LATE0"
    assert body["results"][0] == {
        "referral_ref": "RA-LATE0",
        "start_date": "2025-02-03",
        "deadline": "2025-03-10",
        "end_date": None,
        "age_working_days": 101,
        "group": "LTU",
    }


def test_unknown_standard_code_is_404(world, admin_api):
    assert admin_api.get(failures_url("CAP1"), {"as_of": AS_OF}).status_code == 404


@pytest.mark.parametrize("from_snapshot", [False, True])
def test_failures_are_paginated_with_page_size(world, admin_api, from_snapshot):
    if from_snapshot:
        snapshot(world.contract_a)
    first = admin_api.get(failures_url(), {"as_of": AS_OF, "page_size": 4}).json()
    third = admin_api.get(failures_url(), {"as_of": AS_OF, "page_size": 4, "page": 3}).json()
    assert first["count"] == 10 and len(first["results"]) == 4 and "page=2" in first["next"]
    assert [r["referral_ref"] for r in third["results"]] == ["RA-LATE8", "RA-LATE9"] and third["next"] is None


@pytest.mark.parametrize("from_snapshot", [False, True])
def test_failures_csv_streams_every_row(world, admin_api, from_snapshot):
    if from_snapshot:
        snapshot(world.contract_a)
    response = admin_api.get(failures_url(), {"as_of": AS_OF, "format": "csv", "page_size": 2})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 10
    assert rows[0] == {
        "referral_ref": "RA-LATE0",
        "start_date": "2025-02-03",
        "deadline": "2025-03-10",
        "end_date": "",
        "age_working_days": "101",
        "group": "LTU",
    }


@pytest.mark.parametrize("from_snapshot", [False, True])
def test_failures_show_only_referrals_the_caller_may_see(world, from_snapshot):
    if from_snapshot:
        snapshot(world.contract_a)
    # CSS1b (recorded on PRaP within 15 days): every referral of contract A fails it.
    every = (
        client_for(f.UserFactory(username="root2", is_superuser=True))
        .get(failures_url("CSS1b"), {"as_of": AS_OF})
        .json()
    )
    alice = client_for(world.alice).get(failures_url("CSS1b"), {"as_of": AS_OF}).json()
    bob = client_for(world.bob).get(failures_url("CSS1b"), {"as_of": AS_OF}).json()
    assert every["count"] == 14
    assert [r["referral_ref"] for r in alice["results"]] == ["RA-ALICE"]
    assert [r["referral_ref"] for r in bob["results"]] == ["RA-SUB"]


@pytest.mark.parametrize("from_snapshot", [False, True])
def test_failures_for_a_group(world, admin_api, from_snapshot):
    if from_snapshot:
        snapshot(world.contract_a)
    body = admin_api.get(failures_url("CSS1b"), {"as_of": AS_OF, "group": "DISABILITY"}).json()
    assert [r["referral_ref"] for r in body["results"]] == ["RA-EARLY"]


def test_failures_page_from_a_snapshot_takes_a_bounded_number_of_queries(
    world, django_assert_max_num_queries
):
    snapshot(world.contract_a)
    api = client_for(world.alice)
    with django_assert_max_num_queries(8):  # 7, and the access log's row
        assert api.get(failures_url("CSS1b"), {"as_of": AS_OF}).status_code == 200


def test_openapi_schema_describes_both_endpoints_and_their_parameters(admin_api):
    schema = admin_api.get("/api/schema/", {"format": "json"}).json()
    standards = schema["paths"]["/api/v1/contracts/{contract_ref}/standards/"]["get"]
    failures = schema["paths"]["/api/v1/contracts/{contract_ref}/standards/{code}/failures/"]["get"]
    assert {p["name"] for p in standards["parameters"]} >= {"as_of", "group", "window_start", "window_end"}
    assert next(p for p in standards["parameters"] if p["name"] == "as_of")["required"] is True
    assert {p["name"] for p in failures["parameters"]} >= {"as_of", "page", "page_size", "format"}
    assert "text/csv" in failures["responses"]["200"]["content"]


@pytest.mark.parametrize("named", [True, False])
@pytest.mark.parametrize("from_snapshot", [False, True])
def test_worklist_rows_name_site_and_key_worker_by_name_else_reference(world, from_snapshot, named):
    site = f.SiteFactory(name="Leeds Central", organisation=world.contract_a.prime)
    world.alice_referral.site = site
    world.alice_referral.save()
    staff = world.alice.staff
    if not named:
        staff.name = ""
        staff.save()
    if from_snapshot:
        snapshot(world.contract_a)
    standard = selectors.standard_by_code(world.contract_a, "CSS1b")
    query = selectors.StandardsQuery(as_of=date(2025, 6, 30))
    found = pages.failing_item_rows(
        world.contract_a, standard, query, user=world.alice, filters=FailingItemFilters()
    )
    rows = list(found)
    assert [(r["referral_ref"], r["site_name"], r["key_worker_name"]) for r in rows] == [
        ("RA-ALICE", "Leeds Central", staff.name if named else staff.ref)
    ]
