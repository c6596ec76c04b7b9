"""The contract's figures by site, delivering organisation, key worker and Devolution Deal Area (issues 12,
13): filters against hand-made data, slices adding up to the contract, the 400s, scoping (subcontractor
staff and partnerships managers), the by-unit table and query bounds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.test import Client
from rest_framework.test import APIClient

from participants.choices import Role
from participants.models import MplProfile, MplTarget, Programme
from performance import engine
from performance.selectors import figures
from tests import factories as f

pytestmark = pytest.mark.django_db
FLOWS = list(engine.FLOWS)


class Sliced:
    """A WP contract of prime PR (site LEEDS, key worker KW-L) and subcontractors SB (site BRAD, KW-B;
    assigned to the partnerships manager) and SB2 (not assigned)."""

    def __init__(self):
        self.prime = f.OrganisationFactory(ref="PR", name="Prime")
        self.sub = f.SubcontractorFactory(ref="SB", name="Sub B", parent=self.prime)
        self.sub2 = f.SubcontractorFactory(ref="SB2", name="Sub C", parent=self.prime)
        self.contract = f.ContractFactory(
            ref="WP-S",
            prime=self.prime,
            programme=Programme.objects.get(code="WP"),
            start_date=dt.date(2024, 4, 1),
            devolution_deal_areas=["Area North"],
        )
        self.contract.delivery_organisations.set([self.prime, self.sub, self.sub2])
        self.leeds = f.SiteFactory(ref="LEEDS", name="Leeds Central", organisation=self.prime)
        self.brad = f.SiteFactory(ref="BRAD", name="Bradford", organisation=self.sub)
        self.kw_leeds = f.StaffFactory(ref="KW-L", name="Kim Lee", organisation=self.prime)
        self.kw_brad = f.StaffFactory(ref="KW-B", name="Bo Brown", organisation=self.sub)
        self.sub_manager = f.StaffFactory(organisation=self.sub, role=Role.PERFORMANCE_MANAGER).user
        self.partnerships = f.StaffFactory(organisation=self.prime, role=Role.PARTNERSHIPS_MANAGER)
        self.partnerships.managed_organisations.set([self.sub])
        self.contract_manager = f.StaffFactory(organisation=self.prime, role=Role.CONTRACT_MANAGER).user
        # LEEDS: 6 referrals (3 in Area North), 3 job starts, 2 job outcomes; BRAD: 4, 1, 1; SB2: 1, 0, 0.
        rows = [(self.prime, self.leeds, self.kw_leeds, i) for i in range(6)]
        rows += [(self.sub, self.brad, self.kw_brad, i) for i in range(4)]
        rows += [(self.sub2, None, None, 0)]
        for n, (org, site, kw, i) in enumerate(rows):
            referral = f.ReferralFactory(
                contract=self.contract,
                ref=f"S{n}",
                group="PG1",
                organisation=org,
                site=site,
                key_worker=kw,
                dda="Area North" if site == self.leeds and i < 3 else "",
                referral_date=dt.date(2024, 4, 2 + n),
            )
            f.JourneyEventFactory(referral=referral, code="STARTED", event_date=dt.date(2024, 4, 25))
            if org != self.sub2 and i < (3 if site == self.leeds else 1):
                f.JourneyEventFactory(referral=referral, code="JOB_START", event_date=dt.date(2024, 6, 3))
            if org != self.sub2 and i < (2 if site == self.leeds else 1):
                f.JourneyEventFactory(referral=referral, code="JOB_OUTCOME", event_date=dt.date(2024, 9, 9))
        MplProfile.objects.bulk_create(
            [
                MplProfile(contract=self.contract, group="PG1", month=k, cumulative_pct=5 * k)
                for k in range(1, 7)
            ]
        )
        MplTarget.objects.create(  # the contract's notified figure: never a slice's
            contract=self.contract,
            group="PG1",
            period_start=dt.date(2024, 4, 1),
            period_end=dt.date(2025, 3, 31),
            required_outcomes=3,
        )


@pytest.fixture
def world():
    return Sliced()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def admin():
    return f.UserFactory(username="slice-admin", is_superuser=True)


def perf(client, **query):
    return client.get("/api/v1/contracts/WP-S/performance/", {"month": "2024-12", "period": "ctd", **query})


@pytest.mark.parametrize(
    "query, referrals, job_starts, job_outcomes",
    [
        ({}, 11, 4, 3),
        ({"site": "LEEDS"}, 6, 3, 2),
        ({"organisation": "SB"}, 4, 1, 1),
        ({"organisation": "SB2"}, 1, 0, 0),
        ({"key_worker": "KW-L"}, 6, 3, 2),
        ({"dda": "Area North"}, 3, 3, 2),
        ({"site": "LEEDS", "dda": "Area North"}, 3, 3, 2),
        ({"site": "BRAD", "key_worker": "KW-L"}, 0, 0, 0),
    ],
)
def test_each_filter_counts_its_own_referrals(world, admin, query, referrals, job_starts, job_outcomes):
    body = perf(api(admin), **query).json()
    assert (body["referrals"], body["starts"], body["job_starts"], body["job_outcomes"]) == (
        referrals,
        referrals,
        job_starts,
        job_outcomes,
    )


def test_organisations_add_up_to_the_contract_flows_and_derived_mpl(world, admin):
    client = api(admin)
    for month, period in (("2024-12", "ctd"), ("2024-09", "in_month"), ("2025-03", "rolling_3")):
        whole = perf(client, month=month, period=period).json()
        parts = [perf(client, month=month, period=period, organisation=o).json() for o in ("PR", "SB", "SB2")]
        for flow in FLOWS:
            assert sum(p[flow] for p in parts) == whole[flow], (month, period, flow)
        assert sum(p["mpl_required"] for p in parts) == pytest.approx(whole["mpl_required"])


def test_a_slice_never_takes_the_contracts_notified_target(world, admin):
    client = api(admin)
    whole = perf(client, month="2025-03", period="rolling_12").json()
    assert whole["mpl_required"] == 3.0  # DWP's notified figure for the contract
    leeds = perf(client, month="2025-03", period="rolling_12", site="LEEDS").json()
    assert leeds["mpl_required"] == pytest.approx(6 * 0.30)  # 6 referrals x P(6) = 30%, its own cohorts


def test_cohorts_api_filters_too(world, admin):
    body = api(admin).get("/api/v1/contracts/WP-S/cohorts/", {"site": "BRAD", "group": "PG1"}).json()
    assert [row["size"] for row in body["results"]] == [4]
    whole = api(admin).get("/api/v1/contracts/WP-S/cohorts/", {"group": "PG1"}).json()
    assert [row["size"] for row in whole["results"]] == [11]


@pytest.mark.parametrize(
    "field, value",
    [
        ("site", "NOPE"),
        ("organisation", "NOPE"),
        ("key_worker", "NOPE"),
        ("dda", "Nowhere"),
        ("site", "ELSE"),
    ],
)
def test_an_unknown_unit_is_a_400_naming_the_field(world, admin, field, value):
    f.SiteFactory(ref="ELSE", organisation=f.OrganisationFactory(ref="OTHER-PRIME"))  # not the contract's
    for url in ("/api/v1/contracts/WP-S/performance/", "/api/v1/contracts/WP-S/cohorts/"):
        response = api(admin).get(url, {"month": "2024-12", "period": "ctd", field: value})
        assert response.status_code == 400
        assert field in response.json(), response.json()
    page = Client()
    page.force_login(admin)
    response = page.get("/performance/contracts/WP-S/", {field: value})
    assert response.status_code == 400
    assert f"{field}: " in response.content.decode()


def test_subcontractor_staff_see_their_own_organisation_by_default_and_nothing_else(world):
    client = api(world.sub_manager)
    body = perf(client).json()
    assert (body["referrals"], body["job_outcomes"]) == (4, 1)
    assert perf(client, organisation="SB").json()["referrals"] == 4
    assert perf(client, site="BRAD").json()["referrals"] == 4
    for query in ({"organisation": "PR"}, {"site": "LEEDS"}, {"key_worker": "KW-L"}, {"organisation": "SB2"}):
        assert perf(client, **query).status_code == 404, query
    page = Client()
    page.force_login(world.sub_manager)
    response = page.get("/performance/contracts/WP-S/", {"month": "2024-12", "period": "ctd"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Showing: Organisation: Sub B</strong>, indicative MPL" in text
    assert "Projection:" in text and "No projection" in text  # the contract's projection is not shown
    assert page.get("/performance/contracts/WP-S/", {"site": "LEEDS"}).status_code == 404


def test_partnerships_managers_see_their_organisation_and_assigned_subcontractors(world):
    client = api(world.partnerships.user)
    assert perf(client).json()["referrals"] == 10  # PR and SB, not SB2
    assert perf(client, organisation="SB").json()["referrals"] == 4
    assert perf(client, organisation="SB2").status_code == 404


def test_the_prime_sees_every_slice_and_the_whole_contract_from_snapshots(world):
    client = api(world.contract_manager)
    assert perf(client).json()["referrals"] == 11
    assert perf(client, organisation="SB2").json()["referrals"] == 1


def test_the_by_unit_table_lists_each_unit_with_links(world):
    page = Client()
    page.force_login(world.contract_manager)
    url = "/performance/contracts/WP-S/units/"
    query = {"month": "2024-12", "period": "ctd"}
    text = page.get(url, {**query, "by": "site"}).content.decode()
    assert "Leeds Central" in text and "Bradford" in text and "(none)" in text
    assert "site=LEEDS" in text
    by_kw = page.get(url, {**query, "by": "key_worker", "organisation": "SB"}).content.decode()
    assert "Bo Brown" in by_kw and "Kim Lee" not in by_kw
    assert page.get(url, {**query, "by": "dda"}).status_code == 200
    assert page.get(url, {**query, "by": "team"}).status_code == 400
    sub = Client()
    sub.force_login(world.sub_manager)
    assert "Leeds Central" not in sub.get(url, {**query, "by": "site"}).content.decode()


def test_unit_table_adds_up_to_the_contract_on_the_engine(world):
    inputs = figures.contract_inputs(world.contract)
    referrals, events = figures.engine_frames(
        world.contract.pk,
        inputs.rules.groups,
        units=("site", "organisation", "key_worker", "dda"),
        ddas=("Area North",),
    )
    facts = engine.referral_facts(referrals, events)
    no_targets = inputs.targets.iloc[0:0]
    for month, period in (
        (engine.month_of(dt.date(2024, 12, 1)), "ctd"),
        (engine.month_of(dt.date(2025, 3, 1)), "rolling_12"),
    ):
        whole = engine.performance_table(
            facts, inputs.rules, inputs.terms, inputs.profiles, no_targets, [month], (period,), ("ALL",)
        ).iloc[0]
        for by in ("site", "organisation", "key_worker", "dda"):
            table = engine.unit_table(
                facts,
                referrals[by].to_numpy(np.int64),
                inputs.rules,
                inputs.terms,
                inputs.profiles,
                month=month,
                period=period,
                group="ALL",
            )
            for flow in FLOWS:
                assert table[flow].sum() == whole[flow], (by, flow)
            assert table["mpl_required"].sum() == pytest.approx(whole["mpl_required"])


def test_a_filtered_answer_takes_a_bounded_number_of_queries(world, admin, django_assert_max_num_queries):
    client = api(admin)
    with django_assert_max_num_queries(14):
        assert perf(client, site="LEEDS", dda="Area North").status_code == 200
    page = Client()
    page.force_login(admin)
    with django_assert_max_num_queries(16):
        assert page.get("/performance/contracts/WP-S/units/", {"by": "key_worker"}).status_code == 200


def test_a_slices_figures_are_cached_until_the_next_recompute(world, admin, django_assert_max_num_queries):
    from participants.models import JobRun
    from performance import services

    assert figures.RECOMPUTE_KIND == services.JOB_KIND
    client = api(admin)
    first = perf(client, site="LEEDS").json()
    with django_assert_max_num_queries(10):  # the contract, scope, site, data date, run: no frames
        assert perf(client, site="LEEDS", period="rolling_12").status_code == 200
    f.ReferralFactory(
        contract=world.contract,
        ref="S-NEW",
        group="PG1",
        site=world.leeds,
        referral_date=dt.date(2024, 5, 2),
    )
    assert perf(client, site="LEEDS").json() == first  # cached: the same run
    JobRun.objects.create(kind=services.JOB_KIND, contract=world.contract, status="SUCCEEDED")
    assert perf(client, site="LEEDS").json()["referrals"] == first["referrals"] + 1
