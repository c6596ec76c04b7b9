"""MI API v1 performance endpoints: 200 / 400 / 404 per endpoint, scoping, query counts and CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from participants.models import JobRun, MplProfile, MplTarget, Programme, ValidationRound
from performance import services
from performance.api.records import performance_record
from performance.models import PerformanceSnapshot
from performance.selectors import pages
from tests import factories as f
from tests.scoping import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def wp_contract():
    """A small WP contract: a PG1 cohort with outcomes, a profile, a notified target and final rounds."""
    contract = f.ContractFactory(
        ref="WP-1", programme=Programme.objects.get(code="WP"), start_date=dt.date(2024, 4, 1)
    )
    for i in range(10):
        referral = f.ReferralFactory(
            contract=contract,
            ref=f"W{i}",
            group="PG1" if i < 8 else "PG3",
            referral_date=dt.date(2024, 4, 2 + i),
        )
        f.JourneyEventFactory(referral=referral, code="STARTED", event_date=dt.date(2024, 4, 20))
        if i < 4:
            f.JourneyEventFactory(referral=referral, code="JOB_OUTCOME", event_date=dt.date(2024, 9, 10 + i))
        if i == 0:
            f.JourneyEventFactory(
                referral=referral, code="OUTCOME_INVALIDATED", event_date=dt.date(2025, 1, 5)
            )
    MplProfile.objects.bulk_create(
        [MplProfile(contract=contract, group="PG1", month=k, cumulative_pct=5 * k) for k in range(1, 7)]
    )
    MplTarget.objects.create(
        contract=contract,
        group="PG1",
        period_start=dt.date(2024, 4, 1),
        period_end=dt.date(2025, 3, 31),
        required_outcomes=3,
    )
    ValidationRound.objects.create(
        contract=contract,
        round=1,
        period_start=dt.date(2024, 4, 1),
        period_end=dt.date(2024, 9, 30),
        invalid_pct=10,
        status="FINAL",
    )
    return contract


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def admin_api():
    return client_for(f.UserFactory(username="perf-admin", is_superuser=True))


def perf_url(ref: str) -> str:
    return f"/api/v1/contracts/{ref}/performance/"


def test_performance_returns_the_data_md_shape(admin_api, wp_contract):
    got = admin_api.get(perf_url("WP-1"), {"month": "2025-03", "period": "rolling_12", "group": "PG1"})
    assert got.status_code == 200, got.content
    body = got.json()
    assert body["period_start"] == "2024-04" and body["period_end"] == "2025-03"
    assert body["referrals"] == 8 and body["starts"] == 8 and body["job_outcomes"] == 4
    assert body["mpl_required"] == 3.0  # the notified target replaces the derived figure (15.10)
    assert body["variance"] == 1.0 and body["pct_of_mpl"] == 133.33


def test_performance_pct_of_mpl_is_null_without_a_profile(admin_api, wp_contract):
    body = admin_api.get(perf_url("WP-1"), {"month": "2025-03", "period": "ctd", "group": "PG3"}).json()
    assert body["mpl_required"] == 0.0 and body["pct_of_mpl"] is None


@pytest.mark.parametrize(
    "params,field",
    [
        ({"month": "2025-13", "period": "ctd"}, "month"),
        ({"month": "March", "period": "ctd"}, "month"),
        ({"period": "ctd"}, "month"),
        ({"month": "2024-03", "period": "ctd"}, "month"),  # before the contract start
        ({"month": "2025-03", "period": "fortnight"}, "period"),
        ({"month": "2025-03", "period": "ctd", "group": "LTU"}, "group"),
    ],
)
def test_performance_bad_parameters_are_400_naming_the_field(admin_api, wp_contract, params, field):
    got = admin_api.get(perf_url("WP-1"), params)
    assert got.status_code == 400
    assert field in got.json()


def test_a_bad_parameter_with_format_csv_is_still_a_json_error(admin_api, wp_contract):
    got = admin_api.get(perf_url("WP-1"), {"month": "2025-13", "period": "ctd", "format": "csv"})
    assert got.status_code == 400 and got["Content-Type"] == "application/json"
    assert "month" in got.json()


def test_unknown_group_error_lists_the_valid_groups(admin_api, wp_contract):
    got = admin_api.get(perf_url("WP-1"), {"month": "2025-03", "period": "ctd", "group": "LTU"})
    assert "PG1" in got.json()["group"][0] and "PG6A" in got.json()["group"][0]


def test_unknown_contract_is_404(admin_api):
    assert admin_api.get(perf_url("NOPE"), {"month": "2025-03", "period": "ctd"}).status_code == 404


def test_contract_outside_the_callers_scope_is_404_on_every_endpoint(world):
    charlie = client_for(world.charlie)  # DWP contact on contract B only
    ref = world.contract_a.ref
    assert charlie.get(perf_url(ref), {"month": "2025-01", "period": "ctd"}).status_code == 404
    assert charlie.get(f"/api/v1/contracts/{ref}/cohorts/").status_code == 404
    assert (
        charlie.get(
            f"/api/v1/contracts/{ref}/assessments/", {"quarter_end": "2025-03", "group": "LTU"}
        ).status_code
        == 404
    )
    assert (
        charlie.get(perf_url(world.contract_b.ref), {"month": "2025-02", "period": "ctd"}).status_code == 200
    )
    alice = client_for(world.alice)
    assert alice.get(perf_url(ref), {"month": "2025-01", "period": "ctd"}).status_code == 200
    assert alice.get(perf_url(world.contract_b.ref), {"month": "2025-02", "period": "ctd"}).status_code == 404


def test_anonymous_callers_are_refused(wp_contract):
    assert APIClient().get(perf_url("WP-1"), {"month": "2025-03", "period": "ctd"}).status_code in (401, 403)


def test_performance_from_a_snapshot_takes_a_bounded_number_of_queries(
    admin_api, wp_contract, django_assert_max_num_queries
):
    services.recompute_contract(contract_id=wp_contract.pk)
    assert PerformanceSnapshot.objects.filter(contract=wp_contract).exists()
    params = {"month": "2025-01", "period": "rolling_12", "group": "PG1"}  # the latest month held
    with django_assert_max_num_queries(2):  # the contract (with its programme), the snapshot
        got = admin_api.get(perf_url("WP-1"), params)
    assert got.status_code == 200 and got.json()["job_outcomes"] == 4


def test_snapshot_and_on_demand_answers_agree(admin_api, wp_contract):
    params = [
        {"month": f"2024-{m:02d}", "period": p, "group": g}
        for m in (6, 9, 12)
        for p in ("in_month", "quarter", "ytd")
        for g in ("ALL", "PG1")
    ]
    on_demand = [admin_api.get(perf_url("WP-1"), q).json() for q in params]
    services.recompute_contract(contract_id=wp_contract.pk)
    assert [admin_api.get(perf_url("WP-1"), q).json() for q in params] == on_demand


def test_cohorts_default_as_of_is_the_latest_date_held_and_csv_lists_every_month(admin_api, wp_contract):
    got = admin_api.get("/api/v1/contracts/WP-1/cohorts/", {"group": "PG1"})
    assert got.status_code == 200
    body = got.json()
    assert body["as_of"] == "2025-01-05"
    (cohort,) = body["results"]  # as at 2025-01-05 the last month ended is December 2024
    assert cohort["cohort"] == "2024-04" and cohort["size"] == 8 and len(cohort["conversion_pct"]) == 9
    assert cohort["conversion_pct"][5] == 50.0 and cohort["profile_pct"][:3] == [5.0, 10.0, 15.0]
    csv = admin_api.get("/api/v1/contracts/WP-1/cohorts/", {"group": "PG1", "format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert lines[0] == "cohort,size,month_on_programme,conversion_pct,profile_pct"
    assert len(lines) == 1 + 9 and lines[6] == "2024-04,8,6,50.0,30.0"


def test_cohorts_bad_as_of_and_group_are_400(admin_api, wp_contract):
    assert "as_of" in admin_api.get("/api/v1/contracts/WP-1/cohorts/", {"as_of": "31/12/2024"}).json()
    assert admin_api.get("/api/v1/contracts/WP-1/cohorts/", {"group": "XX"}).status_code == 400


def test_assessment_uses_the_final_round_and_the_notified_target(admin_api, wp_contract):
    got = admin_api.get("/api/v1/contracts/WP-1/assessments/", {"quarter_end": "2025-03", "group": "PG1"})
    assert got.status_code == 200, got.content
    body = got.json()
    # Apr-Sep 2024 validated (4 outcomes, 1 invalidated), Oct-Mar extrapolated (none).
    assert body["validated_months"] == 6 and body["validated_outcomes"] == 3
    assert body["invalid_pct_used"] == 10.0 and body["mpl_required"] == 3.0 and body["met"] is True
    final = admin_api.get(
        "/api/v1/contracts/WP-1/assessments/", {"quarter_end": "2025-03", "group": "PG1", "final": "true"}
    ).json()
    assert final["validated_months"] == 12 and final["invalid_pct_used"] == 0.0


@pytest.mark.parametrize(
    "params,field",
    [
        ({"quarter_end": "2025-02", "group": "PG1"}, "quarter_end"),
        ({"quarter_end": "2025-03", "group": "PG3"}, "group"),  # not a measured group
        ({"quarter_end": "2025-03", "group": "PG1", "final": "maybe"}, "final"),
    ],
)
def test_assessment_bad_parameters_are_400(admin_api, wp_contract, params, field):
    got = admin_api.get("/api/v1/contracts/WP-1/assessments/", params)
    assert got.status_code == 400 and field in got.json()


def test_assessments_of_a_non_wp_programme_are_404(admin_api, world):
    got = admin_api.get(
        f"/api/v1/contracts/{world.contract_a.ref}/assessments/", {"quarter_end": "2025-03", "group": "LTU"}
    )
    assert got.status_code == 404


def test_schema_describes_the_parameters(admin_api):
    schema = admin_api.get("/api/schema/", {"format": "json"}).json()
    params = {
        p["name"]
        for p in schema["paths"]["/api/v1/contracts/{contract_ref}/performance/"]["get"]["parameters"]
    }
    assert {"month", "period", "group"} <= params
    params = {
        p["name"]
        for p in schema["paths"]["/api/v1/contracts/{contract_ref}/assessments/"]["get"]["parameters"]
    }
    assert {"quarter_end", "group", "final"} <= params


def test_performance_answers_csv_as_one_row(admin_api, wp_contract):
    params = {"month": "2024-09", "period": "in_month", "group": "PG1", "format": "csv"}
    got = admin_api.get(perf_url("WP-1"), params)
    assert got.status_code == 200 and got["Content-Type"].startswith("text/csv")
    header, row = got.content.decode().splitlines()
    assert header.startswith("contract_ref,group,period,period_start,period_end,referrals")
    assert row.startswith("WP-1,PG1,in_month,2024-09,2024-09,0,0,0,0,0,0,4,")


def test_a_whole_month_and_the_reviews_read_from_snapshots_equal_those_computed_on_demand(wp_contract):
    month = engine_month("2024-12")

    def shown() -> tuple[dict, list[dict]]:
        """The page's figures of every period and group in the API's shape, and its quarterly reviews."""
        data = pages.ContractData(wp_contract)
        grid = pages.performance_grid(data, month=month)
        records = {key: performance_record(row, "WP-1") for key, row in grid.items()}
        return records, pages.assessments(data, through=month)

    on_demand, reviews = shown()
    services.recompute_contract(contract_id=wp_contract.pk)
    assert shown() == (on_demand, reviews)
    assert len(on_demand) == 6 * 11
    assert on_demand[("in_month", "ALL")]["mpl_required"] is not None
    assert reviews[0]["quarter_end_label"] == "2024-12"
    assert {r["group"] for r in reviews} == {"PG1", "PG2", "PG6A"}
    run = JobRun.objects.filter(kind="performance.recompute", contract=wp_contract).latest("started_at")
    assert run.status == JobRun.Status.SUCCEEDED  # the service records its run


def engine_month(label: str) -> int:
    from performance import engine

    return engine.parse_month(label)
