"""The contract standards page and the failing items behind each figure (DOMAIN.md 9, 15.3, 15.5)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests import factories as f
from tests.compliance.pages_support import build_pages_world, snapshot

AS_OF = dt.date(2025, 1, 31)


@pytest.fixture
def world(db):
    world = build_pages_world()
    snapshot(world.contract, AS_OF)
    return world


def login(client, staff):
    client.force_login(staff.user)
    return client


def standards_url(ref="CP-1"):
    return f"/compliance/contracts/{ref}/standards/"


def failing_url(code="CSS2", ref="CP-1"):
    return f"/compliance/contracts/{ref}/standards/{code}/failing/"


def test_standards_page_defaults_to_latest_snapshot_and_shows_rag_per_status(world, client):
    response = login(client, world.manager).get(standards_url())
    assert response.status_code == 200
    assert response.context["query"].as_of == AS_OF
    rows = {r.figures.code: r for r in response.context["rows"]}
    # CSS2: 1 of 5 acknowledged within 2 working days -> 20% red; CSS6: no ESF item -> no figure, grey;
    # CSS4: nobody is over 25 working days on 31 Jan -> 0, green (15.3).
    assert rows["CSS2"].value == pytest.approx(20.0) and rows["CSS2"].rag_class == "rag-red"
    assert rows["CSS6"].value is None and rows["CSS6"].rag_class == "rag-grey"
    assert rows["CSS4"].value == 0 and rows["CSS4"].rag_class == "rag-green"
    html = response.content.decode()
    assert '<span class="rag rag-grey">No figure</span>' in html
    assert f'href="{failing_url()}?as_of=2025-01-31&amp;group=ALL"' in html
    assert 'id="standards-trend"' in html and "plotly-strict.min.js" in html and "cdn" not in html.lower()


def test_standards_trend_holds_the_last_twelve_month_ends_from_contract_start(world, client):
    response = login(client, world.manager).get(standards_url(), {"as_of": "2025-01-31"})
    trend = response.context["trend_json"]
    # The contract started 2024-04-01: April 2024 .. January 2025 is ten month ends.
    assert '"Apr 2024"' in trend and '"Jan 2025"' in trend and '"Mar 2024"' not in trend


def test_standards_page_bad_date_is_400_naming_the_field(world, client):
    response = login(client, world.manager).get(standards_url(), {"as_of": "31/01/2025"})
    assert response.status_code == 400
    assert "as_of" in response.context["error"]


def test_standards_page_unknown_group_is_400_listing_valid_groups(world, client):
    response = login(client, world.manager).get(standards_url(), {"group": "PG1"})
    assert response.status_code == 400 and "LTU" in response.context["error"]


def test_standards_page_of_contract_outside_scope_is_404(world, client):
    assert login(client, world.eve).get(standards_url()).status_code == 404
    assert login(client, world.manager).get(standards_url("CP-2")).status_code == 404


def test_standards_page_query_count_is_bounded(world, client, django_assert_max_num_queries):
    login(client, world.manager)
    with django_assert_max_num_queries(14):
        assert client.get(standards_url()).status_code == 200


def test_failing_items_list_referral_start_deadline_end_age_key_worker_site(world, client):
    response = login(client, world.manager).get(failing_url(), {"as_of": "2025-01-31"})
    assert response.status_code == 200
    rows = list(response.context["table"].data)
    assert [r["referral_ref"] for r in rows] == ["R-ALICE-1", "R-ALICE-3", "R-DAVE-1", "R-SUB-1"]
    late = rows[1]
    assert late["deadline"] == dt.date(2025, 1, 8) and late["end_date"] == dt.date(2025, 1, 15)
    assert late["age_working_days"] == 7  # 6 Jan to 15 Jan (15.5)
    assert late["key_worker_name"] == "Alice Key" and late["site_name"] == "Site One"
    assert "Alice Key" in response.content.decode()


def test_key_worker_sees_only_their_caseloads_failing_items(world, client):
    response = login(client, world.alice).get(failing_url(), {"as_of": "2025-01-31"})
    assert [r["referral_ref"] for r in response.context["table"].data] == ["R-ALICE-1", "R-ALICE-3"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "open"}, ["R-ALICE-1", "R-DAVE-1", "R-SUB-1"]),
        ({"state": "late"}, ["R-ALICE-3"]),
        ({"site": "S2"}, ["R-SUB-1"]),
        ({"organisation": "SUB-Q"}, ["R-SUB-1"]),
        ({"key_worker": "dave"}, ["R-DAVE-1"]),
    ],
)
def test_failing_items_filter_by_state_site_organisation_key_worker(world, client, params, expected):
    lookup = {
        "site": lambda v: {"S1": world.site, "S2": world.sub_site}[v].pk,
        "organisation": lambda v: world.sub.pk,
        "key_worker": lambda v: world.dave.pk,
        "state": lambda v: v,
    }
    query = {"as_of": "2025-01-31", **{k: lookup[k](v) for k, v in params.items()}}
    response = login(client, world.manager).get(failing_url(), query)
    assert [r["referral_ref"] for r in response.context["table"].data] == expected


def test_failing_items_computed_on_demand_without_snapshot_match_the_snapshot(world, client):
    login(client, world.manager)
    held = [
        r["referral_ref"] for r in client.get(failing_url(), {"as_of": "2025-01-31"}).context["table"].data
    ]
    live = client.get(failing_url(), {"as_of": "2025-01-31", "window_start": "2024-04-01"})
    assert [r["referral_ref"] for r in live.context["table"].data] == held
    filtered = client.get(
        failing_url(), {"as_of": "2025-01-30", "key_worker": world.alice.pk, "state": "open"}
    )
    assert [r["referral_ref"] for r in filtered.context["table"].data] == ["R-ALICE-1"]


def test_failing_items_csv_export_has_every_filtered_row(world, client):
    response = login(client, world.manager).get(failing_url(), {"as_of": "2025-01-31", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["referral_ref"] for r in rows] == ["R-ALICE-1", "R-ALICE-3", "R-DAVE-1", "R-SUB-1"]
    assert rows[1]["end_date"] == "2025-01-15" and rows[1]["key_worker_name"] == "Alice Key"


def test_failing_items_excel_export_opens_with_the_same_rows(world, client):
    response = login(client, world.alice).get(failing_url(), {"as_of": "2025-01-31", "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "referral_ref"
    assert [row[0] for row in values[1:]] == ["R-ALICE-1", "R-ALICE-3"]


def test_failing_items_of_unknown_standard_is_404(world, client):
    assert login(client, world.manager).get(failing_url("NOPE")).status_code == 404


def test_failing_items_page_query_count_does_not_grow_with_rows(world, client, django_assert_max_num_queries):
    for i in range(30):
        f.ReferralFactory(
            contract=world.contract,
            ref=f"R-MORE-{i}",
            referral_date=dt.date(2025, 1, 6),
            key_worker=world.dave,
            site=world.site,
            organisation=world.contract.prime,
        )
    snapshot(world.contract, AS_OF)
    login(client, world.manager)
    with django_assert_max_num_queries(14):
        response = client.get(failing_url(), {"as_of": "2025-01-31"})
    assert response.context["table"].paginator.count == 34


def test_contract_tabs_link_to_the_standards_page(world, client):
    html = login(client, world.manager).get(f"/contracts/{world.contract.ref}/").content.decode()
    assert f'href="{standards_url()}"' in html


def test_performance_manager_does_not_see_subcontractor_failing_items(world, client):
    response = login(client, world.mona).get(failing_url(), {"as_of": "2025-01-31"})
    assert [r["referral_ref"] for r in response.context["table"].data] == [
        "R-ALICE-1",
        "R-ALICE-3",
        "R-DAVE-1",
    ]


def test_the_contract_overview_panel_counts_standards_met_and_lists_those_not_met(world, client):
    login(client, world.manager)
    overview = client.get("/contracts/CP-1/").content.decode()
    assert 'hx-get="/compliance/contracts/CP-1/standing/"' in overview
    response = client.get("/compliance/contracts/CP-1/standing/")
    assert response.status_code == 200 and response.context["as_of"] == AS_OF
    not_met = [row.figures.code for row in response.context["not_met"]]
    assert "CSS2" in not_met and "CSS4" not in not_met
    assert response.context["met"] + len(not_met) <= len(response.context["rows"])
    html = response.content.decode()
    assert f"{response.context['met']} met</span>" in html and f"{failing_url()}?as_of=2025-01-31" in html
    assert client.get("/compliance/contracts/CP-2/standing/").status_code == 404


def test_the_overview_panel_says_when_nothing_is_computed_yet(world, client):
    from compliance.models import StandardSnapshot

    StandardSnapshot.objects.all().delete()
    html = login(client, world.manager).get("/compliance/contracts/CP-1/standing/").content.decode()
    assert "Not computed yet" in html


def test_the_home_page_card_line_counts_standards_met(world, client):
    login(client, world.manager)
    assert 'hx-get="/compliance/contracts/CP-1/standing/?compact=1"' in client.get("/").content.decode()
    response = client.get("/compliance/contracts/CP-1/standing/", {"compact": 1})
    html = response.content.decode()
    assert f"{response.context['met']} met</span>" in html
    assert f"{len(response.context['not_met'])} not met</span>" in html


def test_a_contract_without_standards_says_so_rather_than_not_computed(world, client):
    from compliance.models import Standard

    Standard.objects.filter(programme=world.contract.programme).delete()
    login(client, world.manager)
    for params in ({}, {"compact": 1}):
        html = client.get("/compliance/contracts/CP-1/standing/", params).content.decode()
        assert "Not computed" not in html and "not computed" not in html
        assert "no customer service standards" in html or "none for this programme" in html
