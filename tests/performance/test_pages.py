"""The contract performance page and its drill-down: scoping (200 / 404), bad input (400 naming the field),
figures equal to the MI API's, drill-down counts equal to the figures, CSV export and a query-count bound."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from participants.imports.services import import_bundle
from participants.journey import ALL, rounded
from participants.models import Contract, JourneyEvent
from performance import engine, services
from performance.engine.drilldown import MEASURES
from tests.factories import UserFactory
from tests.golden import FIXTURES, bundle_frames
from tests.scoping import build_world

pytestmark = pytest.mark.django_db
BUNDLE = "wp-england"


@pytest.fixture(scope="module")
def golden(django_db_setup, django_db_blocker):
    """The WP worked example imported once for the module, rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        import_bundle(path=FIXTURES / BUNDLE)
        yield Contract.objects.get(ref=bundle_frames(BUNDLE).contract["contract_ref"])
        transaction.set_rollback(True)


@pytest.fixture
def admin(db):
    return UserFactory(username="pages-admin", is_superuser=True)


@pytest.fixture
def browser_client(admin):
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def api(admin):
    client = APIClient()
    client.force_authenticate(admin)
    return client


def page_url(contract) -> str:
    return f"/performance/contracts/{contract.ref}/"


def drill_url(contract) -> str:
    return f"/performance/contracts/{contract.ref}/referrals/"


# ---------------------------------------------------------------------------------------------- scoping


def test_a_user_sees_the_page_of_a_contract_they_may_see_and_404_otherwise():
    world = build_world()
    for user, contract, status in [
        (world.alice, world.contract_a, 200),
        (world.bob, world.contract_a, 200),
        (world.charlie, world.contract_b, 200),
        (world.charlie, world.contract_a, 404),
        (world.alice, world.contract_b, 404),
    ]:
        client = Client()
        client.force_login(user)
        assert client.get(page_url(contract)).status_code == status, (user, contract.ref)
        assert client.get(drill_url(contract), {"measure": "referrals"}).status_code == status


def test_anonymous_users_are_sent_to_log_in(golden):
    response = Client().get(page_url(golden))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_drilldown_lists_only_referrals_the_user_may_see():
    world = build_world()
    client = Client()
    client.force_login(world.alice)
    month = f"{world.alice_referral.referral_date:%Y-%m}"
    response = client.get(
        drill_url(world.contract_a), {"measure": "referrals", "period": "ctd", "month": month}
    )
    refs = {row.record.ref for row in response.context["table"].paginated_rows}
    assert "RA-ALICE" in refs and "RA-OTHER" not in refs and "RA-SUB" not in refs
    assert response.context["members"].figure == 3  # the figure is the contract's; the list is her scope


# ---------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group": "PG42"}, "group"),
        ({"month": "2025-13"}, "month"),
        ({"month": "2020-01"}, "month"),
        ({"period": "fortnight"}, "period"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(browser_client, golden, params, field):
    response = browser_client.get(page_url(golden), params)
    assert response.status_code == 400
    assert response.context["error"].field == field
    assert field in response.content.decode()


def test_an_unknown_measure_is_a_400(browser_client, golden):
    response = browser_client.get(drill_url(golden), {"measure": "happiness"})
    assert response.status_code == 400
    assert response.context["error"].field == "measure"


# ---------------------------------------------------------------------------------------------- figures


def _api(api, contract, month, period, group) -> dict:
    response = api.get(
        f"/api/v1/contracts/{contract.ref}/performance/", {"month": month, "period": period, "group": group}
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_defaults_are_the_latest_month_with_data_rolling_12_and_all_groups(browser_client, golden):
    response = browser_client.get(page_url(golden))
    assert response.status_code == 200
    params = response.context["params"]
    latest = max(
        bundle_frames(BUNDLE).events["event_date"].max(),
        bundle_frames(BUNDLE).referrals["referral_date"].max(),
    )
    assert params.month_label == f"{latest:%Y-%m}"
    assert (params.period, params.group) == ("rolling_12", "ALL")


@pytest.mark.parametrize("snapshots", [False, True], ids=["on-demand", "from-snapshots"])
def test_every_figure_shown_equals_the_apis(browser_client, api, golden, snapshots):
    if snapshots:
        services.recompute_contract(contract_id=golden.pk)
    month = "2024-06"
    response = browser_client.get(page_url(golden), {"month": month, "period": "quarter", "group": "PG1"})
    assert response.status_code == 200
    html = response.content.decode()
    for row in response.context["flow_rows"]:
        want = _api(api, golden, month, "quarter", row["group"])
        for name in engine.FLOWS:
            assert row["record"][name] == want[name], (row["group"], name)
        for name in ("mpl_required", "variance", "pct_of_mpl"):
            assert row["record"][name] == want[name], (row["group"], name)
    for row in response.context["matrix_rows"]:
        for period, record in row["cells"]:
            want = _api(api, golden, month, period, row["group"])
            assert (record["job_outcomes"], record["mpl_required"], record["pct_of_mpl"]) == (
                want["job_outcomes"],
                want["mpl_required"],
                want["pct_of_mpl"],
            )
    selected = _api(api, golden, month, "quarter", "PG1")
    assert f"{selected['mpl_required']:.2f}" in html


def test_the_monthly_chart_data_equals_the_in_month_figures(browser_client, api, golden):
    response = browser_client.get(page_url(golden), {"month": "2024-03", "group": "PG2"})
    series = response.context["series"]
    assert series[0]["month"] == f"{golden.start_date:%Y-%m}" and series[-1]["month"] == "2024-03"
    for row in series[::5]:
        want = _api(api, golden, row["month"], "in_month", "PG2")
        assert row["job_outcomes"] == want["job_outcomes"]
        assert rounded(row["mpl_required"]) == want["mpl_required"]


def test_cohorts_equal_the_apis(browser_client, api, golden):
    response = browser_client.get(page_url(golden), {"group": "PG1"})
    want = api.get(f"/api/v1/contracts/{golden.ref}/cohorts/", {"group": "PG1"}).json()["results"]
    shown = list(reversed(response.context["cohorts"]))
    assert [r["cohort"] for r in shown] == [w["cohort"] for w in want]
    assert [r["size"] for r in shown] == [w["size"] for w in want]
    assert [rounded(r["latest_conversion_pct"]) for r in shown] == [w["conversion_pct"][-1] for w in want]


def test_the_assessment_panel_equals_the_api_and_names_the_round_used(browser_client, api, golden):
    response = browser_client.get(page_url(golden))
    rows = response.context["assessments"]
    assert rows, "WP contracts show their quarterly reviews"
    for row in rows[::4]:
        want = api.get(
            f"/api/v1/contracts/{golden.ref}/assessments/",
            {"quarter_end": row["quarter_end_label"], "group": row["group"]},
        ).json()
        for name in (
            "validated_months",
            "validated_outcomes",
            "extrapolated_outcomes",
            "adjusted_outcomes",
            "invalid_pct_used",
            "mpl_required",
            "met",
        ):
            assert row[name] == want[name], (row["quarter_end_label"], row["group"], name)
        shown_rate = row["round"]["invalid_pct"] if row["round"] else 0.0  # the round named beside the rate
        assert rounded(shown_rate) == want["invalid_pct_used"]
    assert "Formal quarterly reviews" in response.content.decode()


def test_the_projection_flags_groups_below_mpl(browser_client, golden):
    response = browser_client.get(page_url(golden))
    projection = response.context["projection"]
    assert {row["group"] for row in projection} == set(golden.programme.measured_groups)
    html = response.content.decode()
    assert ("PIN risk" in html) == any(row["below_mpl"] for row in projection)
    for row in projection:
        assert row["low"] <= row["projected"] <= row["high"]


@pytest.mark.parametrize("name", ["whp-scotland", "cap-wales"])
def test_other_programmes_show_flows_cohorts_and_projection_without_quarterly_reviews(browser_client, name):
    import_bundle(path=FIXTURES / name)
    contract = Contract.objects.get(ref=bundle_frames(name).contract["contract_ref"])
    response = browser_client.get(page_url(contract))
    assert response.status_code == 200
    assert response.context["assessments"] == []
    assert "Formal quarterly reviews" not in response.content.decode()
    own_groups = [g for g in contract.programme.groups if g != ALL]
    assert [row["group"] for row in response.context["flow_rows"]] == [ALL, *own_groups]
    assert response.context["cohorts"] and response.context["projection"]
    assert "MPL risk" in response.content.decode() or not any(
        r["below_mpl"] for r in response.context["projection"]
    )
    drill = browser_client.get(drill_url(contract), {"measure": "validated_outcomes", "month": "2025-03"})
    assert drill.status_code == 400 and drill.context["error"].field == "measure"


# ---------------------------------------------------------------------------------------------- drill-down


@pytest.mark.parametrize("period", ["in_month", "rolling_12", "ctd"])
def test_every_drilldown_lists_as_many_referrals_as_the_figure(browser_client, api, golden, period):
    month, group = "2024-06", "ALL"
    want = _api(api, golden, month, period, group)
    for measure in engine.FLOWS:
        response = browser_client.get(
            drill_url(golden), {"measure": measure, "month": month, "period": period, "group": group}
        )
        assert response.status_code == 200
        members = response.context["members"]
        assert members.figure == sum(members.counts.values()) == want[measure], measure
        assert response.context["visible"] == len(members.counts)


def test_quarterly_review_drilldowns_equal_the_assessment_figures(browser_client, api, golden):
    rows = browser_client.get(page_url(golden)).context["assessments"]
    for row in rows[:6]:
        want = api.get(
            f"/api/v1/contracts/{golden.ref}/assessments/",
            {"quarter_end": row["quarter_end_label"], "group": row["group"]},
        ).json()
        params = {"month": row["quarter_end_label"], "group": row["group"]}
        validated = browser_client.get(drill_url(golden), {"measure": "validated_outcomes", **params})
        base = browser_client.get(drill_url(golden), {"measure": "extrapolation_base", **params})
        assert validated.context["members"].figure == want["validated_outcomes"]
        assert base.context["members"].figure == row["extrapolation_base"]
        assert rounded(
            base.context["members"].figure * (1 - want["invalid_pct_used"] / 100)
        ) == pytest.approx(want["extrapolated_outcomes"], abs=0.011)


def test_a_quarterly_review_drilldown_needs_a_quarter_end(browser_client, golden):
    response = browser_client.get(
        drill_url(golden), {"measure": "validated_outcomes", "month": "2025-02", "group": "PG1"}
    )
    assert response.status_code == 400 and response.context["error"].field == "month"


def test_cohort_drilldowns_list_the_cohort_and_its_outcomes(browser_client, golden):
    page = browser_client.get(page_url(golden), {"group": "PG2"})
    for row in page.context["cohorts"][::7]:
        for measure, figure in (("cohort", row["size"]), ("cohort_outcomes", row["outcomes"])):
            response = browser_client.get(
                drill_url(golden), {"measure": measure, "cohort": row["cohort"], "group": "PG2"}
            )
            assert response.context["members"].figure == figure, (row["cohort"], measure)


def test_every_count_on_the_page_links_to_its_drilldown(browser_client, golden):
    html = browser_client.get(page_url(golden)).content.decode()
    for measure in MEASURES:
        assert re.search(rf"referrals/\?measure={measure}&", html), measure


def test_the_drilldown_exports_csv_with_one_row_per_referral(browser_client, api, golden):
    want = _api(api, golden, "2024-06", "rolling_12", "PG1")
    response = browser_client.get(
        drill_url(golden),
        {
            "measure": "job_outcomes",
            "month": "2024-06",
            "period": "rolling_12",
            "group": "PG1",
            "export": "csv",
        },
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == want["job_outcomes"] > 0
    assert {r["group"] for r in rows} == {"PG1"}
    assert {r["times_counted"] for r in rows} == {"1"}


# ---------------------------------------------------------------------------------------------- queries


def test_the_page_runs_a_bounded_number_of_queries(browser_client, golden, django_assert_max_num_queries):
    services.recompute_contract(contract_id=golden.pk)
    with django_assert_max_num_queries(25):
        assert browser_client.get(page_url(golden), {"group": "PG1"}).status_code == 200


@pytest.mark.parametrize(
    "query", [{"group": "PG1"}, {"group": "PG1", "month": "2024-06"}], ids=["latest", "past"]
)
def test_after_a_recompute_the_page_reads_only_snapshots(browser_client, golden, monkeypatch, query):
    """Every panel (flows, chart, cohorts, reviews, projection) comes from the recompute job's snapshots, for
    the latest month and a past one: the page never loads the contract's referrals and events, and shows
    what it computed on demand before."""
    on_demand = browser_client.get(page_url(golden), query).context
    services.recompute_contract(contract_id=golden.pk)

    def refuse(*args, **kwargs):
        raise AssertionError("the page loaded the contract's referrals and events")

    monkeypatch.setattr("performance.selectors.figures.engine_frames", refuse)
    monkeypatch.setattr("performance.selectors.figures.contract_facts", refuse)
    stored = browser_client.get(page_url(golden), query).context
    for panel in ("series", "cohorts", "assessments"):
        assert stored[panel] == on_demand[panel], panel
    assert stored["projection_as_of"] == on_demand["projection_as_of"]
    assert len(stored["projection"]) == len(on_demand["projection"]) > 0
    for mine, theirs in zip(stored["projection"], on_demand["projection"], strict=True):
        assert (mine["group"], mine["quarter_end"], mine["rag"]) == (
            theirs["group"],
            theirs["quarter_end"],
            theirs["rag"],
        )
        for name in ("actual", "expected", "projected", "low", "high", "mpl_required", "projected_pct"):
            assert mine[name] == pytest.approx(theirs[name], nan_ok=True), name


def test_the_drilldown_runs_a_bounded_number_of_queries(
    browser_client, golden, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        response = browser_client.get(
            drill_url(golden), {"measure": "referrals", "month": "2024-06", "period": "ctd"}
        )
        assert response.status_code == 200


def test_the_contract_overview_panel_shows_rolling_12_against_mpl_and_open_warnings(
    browser_client, api, golden, django_assert_max_num_queries
):
    url = f"/performance/contracts/{golden.ref}/standing/"
    assert "Not computed yet" in browser_client.get(url).content.decode()
    result = services.recompute_contract(contract_id=golden.pk)
    with django_assert_max_num_queries(10):  # snapshots, and the latest data date (two indexed lookups)
        response = browser_client.get(url)
    rows = response.context["rows"]
    assert [r["group"] for r in rows] == ["ALL", *golden.programme.measured_groups]
    month = response.context["month_label"]
    assert month == f"{result.as_of:%Y-%m}"
    for row in rows:
        want = _api(api, golden, month, "rolling_12", row["group"])
        assert (row["job_outcomes"], row["pct_of_mpl"]) == (want["job_outcomes"], want["pct_of_mpl"])
    html = response.content.decode()
    for recommendation in response.context["recommendations"]:
        assert recommendation.message in html
    overview = browser_client.get(f"/contracts/{golden.ref}/").content.decode()
    assert f'hx-get="{url}"' in overview
    # The home page's contract card: all groups' rolling 12 months as one line.
    assert f'hx-get="{url}?compact=1"' in browser_client.get("/").content.decode()
    line = browser_client.get(url, {"compact": 1}).content.decode()
    assert f"{rows[0]['pct_of_mpl']:.2f}%" in line and f"rolling 12 to {month}" in line


def test_the_page_opens_on_the_latest_complete_month_and_a_month_in_progress_is_to_date_not_red(
    browser_client, golden
):
    """DOMAIN.md 15.8: data into a new month (a single event on 6 January after a December that ended)
    leave the page on December; January, chosen, is labelled "to date" and nothing there is amber or red
    merely for being short."""
    referral = golden.referrals.order_by("pk").first()
    JourneyEvent.objects.create(
        referral=referral, contract=golden, code="ENGAGED", event_date=date(2026, 1, 6)
    )
    url = f"/performance/contracts/{golden.ref}/"
    opened = browser_client.get(url)
    assert opened.context["params"].month_label == "2025-12"
    assert opened.context["to_date"] is None and "to date</span>" not in opened.content.decode()
    december_rags = {cell["rag"] for row in opened.context["flow_rows"] for cell in [row["record"]]}
    assert "RED" in december_rags or "AMBER" in december_rags  # the worked example is below MPL somewhere
    january = browser_client.get(url, {"month": "2026-01"})
    html = january.content.decode()
    assert january.context["to_date"] == date(2026, 1, 6)
    assert "to date</span>" in html and "figures count the data to 6 Jan 2026" in html
    rags = {row["record"]["rag"] for row in january.context["flow_rows"]}
    assert rags <= {"GREEN", "GREY", "TO_DATE"} and "TO_DATE" in rags
    assert "Month in progress: rated when it ends" in html
