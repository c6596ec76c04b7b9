"""The KPI targets grid (issue 12; DOMAIN.md 11, 17.13): one row per unit, a cell per KPI; saved
all-or-nothing with its history, a blank clearing a target; the previous month copied forward into blank
cells without saving; who may set which units' targets; the KPI recompute queued after commit."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from participants.models import KpiTarget, RecomputeRequest
from performance.kpis.targets.forms import cell_name
from performance.kpis.targets.selectors import KPIS
from performance.kpis.targets.services import KPI_RECOMPUTE_TASK
from performance.models import KpiRating
from tests import factories as f

from .kpi_support import client_for, held, make_world, target

pytestmark = pytest.mark.django_db
URL = "/performance/contracts/K-1/kpis/targets/"


@pytest.fixture(autouse=True)
def _no_import_recompute(settings):
    settings.FLIGHTPATH_RECOMPUTE_TASKS = []  # only the targets' own recompute, asked for by name


@pytest.fixture
def world():
    return make_world()


def save(
    client, cells: dict[tuple[str, str], str], *, month="2025-04", level="STAFF", action="save", **extra
):
    data = {"month": month, "level": level, "action": action, **extra}
    data.update({cell_name(ref, kpi): value for (ref, kpi), value in cells.items()})
    return client.post(URL, data)


def cell_value(html: str, ref: str, kpi: str) -> str:
    found = re.search(rf'name="{re.escape(cell_name(ref, kpi))}" id="[^"]+" value="([^"]*)"', html)
    assert found, f"no cell for {ref} {kpi}"
    return found[1]


def test_the_grid_lists_the_delivering_organisations_staff_with_their_targets(
    world, django_assert_max_num_queries
):
    target(world, "STAFF", "KW-A", "JOB_STARTS", "2025-04", 3)
    target(world, "STAFF", "KW-A", "STARTS", "2025-05", 9)  # another month: not shown
    client = client_for(world.contract_manager)
    with django_assert_max_num_queries(14):
        response = client.get(URL, {"month": "2025-04", "level": "STAFF"})
    assert response.status_code == 200
    html = response.content.decode()
    refs = re.findall(r'name="t:([^"]+):STARTS"', html)
    assert sorted(refs) == ["CM", "KW-A", "KW-B", "KW-S", "PM", "TL"]  # the prime's and the sub's staff
    assert cell_value(html, "KW-A", "JOB_STARTS") == "3"
    assert cell_value(html, "KW-A", "STARTS") == ""
    assert "Team leader / performance manager, Prime Ltd" in html  # each member of staff with their role


def test_the_staff_grid_is_filtered_by_site_organisation_and_role(world):
    client = client_for(world.contract_manager)
    at_leeds = client.get(URL, {"level": "STAFF", "site": "S1"}).content.decode()
    assert sorted(re.findall(r'name="t:([^"]+):STARTS"', at_leeds)) == ["KW-A", "KW-B", "TL"]
    sub = client.get(URL, {"level": "STAFF", "organisation": "SUB"}).content.decode()
    assert re.findall(r'name="t:([^"]+):STARTS"', sub) == ["KW-S"]
    managers = client.get(URL, {"level": "STAFF", "role": "CONTRACT_MANAGER"}).content.decode()
    assert re.findall(r'name="t:([^"]+):STARTS"', managers) == ["CM"]
    bad = client.get(URL, {"level": "STAFF", "site": "NOWHERE"})
    assert bad.status_code == 400 and "&#x27;NOWHERE&#x27; is not a site of K-1" in bad.content.decode()


def test_the_other_levels_list_sites_organisations_and_the_contract(world):
    client = client_for(world.contract_manager)
    sites = client.get(URL, {"level": "SITE"}).content.decode()
    assert sorted(re.findall(r'name="t:([^"]+):STARTS"', sites)) == ["S1", "S2"]
    orgs = client.get(URL, {"level": "ORGANISATION"}).content.decode()
    assert sorted(re.findall(r'name="t:([^"]+):STARTS"', orgs)) == ["PRIME", "SUB"]
    contract = client.get(URL, {"level": "CONTRACT"}).content.decode()
    assert re.findall(r'name="t:([^"]*):STARTS"', contract) == [""]  # the contract's ref is empty


def test_the_month_defaults_to_the_current_one(world):
    response = client_for(world.contract_manager).get(URL)
    today = dt.date.today()
    assert f'name="month" value="{today:%Y-%m}"' in response.content.decode()


def test_saving_sets_changes_and_clears_targets_with_their_history(world):
    target(world, "STAFF", "KW-A", "JOB_STARTS", "2025-04", 3)
    target(world, "STAFF", "KW-A", "STARTS", "2025-04", 2)
    target(world, "STAFF", "KW-A", "STARTS", "2025-05", 2)  # another month: left alone
    client = client_for(world.contract_manager)
    response = save(
        client,
        {
            ("KW-A", "JOB_STARTS"): "4",
            ("KW-A", "STARTS"): "",
            ("KW-B", "JOB_STARTS"): " 1.5 ",
            ("KW-B", "STARTS"): "",  # blank and no target: nothing
            ("KW-B", "COMPLAINTS"): "0",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?month=2025-04&level=STAFF"
    assert held(world) == {
        ("STAFF", "KW-A", "JOB_STARTS", "2025-04"): Decimal("4.00"),
        ("STAFF", "KW-A", "STARTS", "2025-05"): Decimal("2.00"),
        ("STAFF", "KW-B", "JOB_STARTS", "2025-04"): Decimal("1.50"),
        ("STAFF", "KW-B", "COMPLAINTS", "2025-04"): Decimal("0.00"),
    }
    page = client.get(response["Location"]).content.decode()
    assert "Targets for April 2025 saved: 2 set, 1 changed, 1 cleared." in page
    history = KpiTarget.history.filter(history_change_reason="targets page")
    assert sorted((h.history_type, h.ref, h.kpi, h.target) for h in history) == [
        ("+", "KW-B", "COMPLAINTS", Decimal("0.00")),
        ("+", "KW-B", "JOB_STARTS", Decimal("1.50")),
        ("-", "KW-A", "STARTS", Decimal("2.00")),
        ("~", "KW-A", "JOB_STARTS", Decimal("4.00")),
    ]
    assert {h.history_user_id for h in history} == {world.contract_manager.user_id}
    assert KpiTarget.history.filter(history_type="-").count() == 1  # one history row per change, no more


def test_saving_the_same_values_changes_nothing(world):
    target(world, "STAFF", "KW-A", "JOB_STARTS", "2025-04", 3)
    client = client_for(world.contract_manager)
    response = save(client, {("KW-A", "JOB_STARTS"): "3.00", ("KW-A", "STARTS"): ""})
    assert "nothing changed" in client.get(response["Location"]).content.decode()
    assert not KpiTarget.history.filter(history_change_reason="targets page").exists()
    assert not RecomputeRequest.objects.exists()


def test_bad_cells_are_each_named_the_typed_values_kept_and_nothing_written(world):
    target(world, "STAFF", "KW-A", "JOB_STARTS", "2025-04", 3)
    before = held(world)
    client = client_for(world.contract_manager)
    response = save(
        client,
        {
            ("KW-A", "JOB_STARTS"): "",  # would clear
            ("KW-A", "STARTS"): "abc",
            ("KW-B", "STARTS"): "-1",
            ("KW-B", "JOB_STARTS"): "5",  # good, but nothing is saved
            ("TL", "COMPLAINTS"): "12345678901",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    errors = re.search(
        r'<div class="alert alert-danger" role="alert" id="grid-errors">(.*?)</div>', html, re.S
    )[1]
    assert "Nothing was saved: 3 cells are not a target." in errors
    assert "Anna Key (KW-A), Starts</a>: not a number (typed &ldquo;abc&rdquo;)" in errors
    assert "Ben Key (KW-B), Starts</a>: must be at least 0 (typed &ldquo;-1&rdquo;)" in errors
    assert "Tess Lead (TL), Complaints</a>: must be at most 9,999,999,999" in errors
    assert cell_value(html, "KW-A", "STARTS") == "abc"
    assert cell_value(html, "KW-B", "STARTS") == "-1"
    assert cell_value(html, "KW-B", "JOB_STARTS") == "5"
    assert cell_value(html, "KW-A", "JOB_STARTS") == ""  # the blank typed, not the held 3
    assert 'aria-invalid="true" aria-describedby="cell-' in html
    assert held(world) == before
    assert not KpiTarget.history.filter(history_change_reason="targets page").exists()
    assert not RecomputeRequest.objects.exists()


def test_copy_forward_fills_only_blank_cells_and_saves_nothing(world):
    target(world, "STAFF", "KW-A", "JOB_STARTS", "2025-03", 3)
    target(world, "STAFF", "KW-A", "STARTS", "2025-03", 8)
    target(world, "STAFF", "KW-B", "STARTS", "2025-03", 2)
    target(world, "STAFF", "KW-B", "STARTS", "2025-04", 5)
    before = held(world)
    client = client_for(world.contract_manager)
    response = save(
        client,
        {
            ("KW-A", "JOB_STARTS"): "",  # blank: March's 3
            ("KW-A", "STARTS"): "7",  # typed: kept
            ("KW-B", "STARTS"): "5",  # April's own: kept
            ("KW-B", "JOB_STARTS"): "",  # March has none: stays blank
        },
        action="copy",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert cell_value(html, "KW-A", "JOB_STARTS") == "3"
    assert cell_value(html, "KW-A", "STARTS") == "7"
    assert cell_value(html, "KW-B", "STARTS") == "5"
    assert cell_value(html, "KW-B", "JOB_STARTS") == ""
    assert "1 blank cell filled from March 2025" in html
    assert html.count("bg-info-subtle") == 1
    assert held(world) == before  # shown, not saved
    # Saving what is shown then keeps it.
    save(client, {("KW-A", "JOB_STARTS"): "3", ("KW-A", "STARTS"): "7"})
    assert held(world)[("STAFF", "KW-A", "JOB_STARTS", "2025-04")] == Decimal("3.00")


def test_copy_forward_from_january_reaches_the_previous_december(world):
    target(world, "CONTRACT", "", "STARTS", "2024-12", 40)
    response = save(
        client_for(world.contract_manager),
        {("", "STARTS"): ""},
        month="2025-01",
        level="CONTRACT",
        action="copy",
    )
    assert cell_value(response.content.decode(), "", "STARTS") == "40"


def test_saving_queues_the_kpi_recompute_of_the_months_touched(world, django_capture_on_commit_callbacks):
    client = client_for(world.contract_manager)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        save(client, {("KW-B", "JOB_STARTS"): "2"}, month="2025-06")
    request = RecomputeRequest.objects.get()
    assert (request.task, request.contract_id, request.months) == (
        KPI_RECOMPUTE_TASK,
        world.contract.pk,
        ["2025-06"],
    )
    assert len(callbacks) == 1
    # Run in-process (tests send tasks eagerly, as `make run` does): the rating exists.
    assert not KpiRating.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        save(client, {("KW-B", "JOB_STARTS"): "3"}, month="2025-06")
    ben = KpiRating.objects.get(level="STAFF", ref="KW-B", quarter_end=dt.date(2025, 6, 1))
    assert ben.kpis == [{"kpi": "JOB_STARTS", "target": 3.0, "actual": 1, "met": False}]


@pytest.mark.parametrize("who", ["anna", "sub_worker", "ben"])
def test_key_workers_may_not_set_targets(world, who):
    client = client_for(getattr(world, who))
    assert client.get(URL).status_code == 403
    assert save(client, {("KW-A", "STARTS"): "1"}).status_code == 403
    assert not KpiTarget.objects.exists()


def test_a_contract_outside_the_users_scope_is_not_found(world):
    other = f.ContractFactory(ref="K-9", prime=f.OrganisationFactory(ref="OTHER"))
    response = client_for(world.contract_manager).get(f"/performance/contracts/{other.ref}/kpis/targets/")
    assert response.status_code == 404


def test_the_primes_team_leader_sets_every_units_targets(world):
    client = client_for(world.manager)
    assert client.get(URL, {"level": "CONTRACT"}).status_code == 200
    assert save(client, {("", "STARTS"): "10"}, level="CONTRACT").status_code == 302
    assert held(world) == {("CONTRACT", "", "STARTS", "2025-04"): Decimal("10.00")}


def test_a_partnerships_manager_sets_only_their_subcontractors_units(world):
    client = client_for(world.partnerships)
    staff = client.get(URL, {"level": "STAFF"}).content.decode()
    assert re.findall(r'name="t:([^"]+):STARTS"', staff) == ["KW-S"]
    sites = client.get(URL, {"level": "SITE"}).content.decode()
    assert re.findall(r'name="t:([^"]+):STARTS"', sites) == ["S2"]
    orgs = client.get(URL, {"level": "ORGANISATION"}).content.decode()
    assert re.findall(r'name="t:([^"]+):STARTS"', orgs) == ["SUB"]
    assert '<option value="CONTRACT"' not in orgs
    assert client.get(URL, {"level": "CONTRACT"}).status_code == 403
    assert save(client, {("", "STARTS"): "1"}, level="CONTRACT").status_code == 403
    # A cell of the prime's own key worker, posted by hand: refused whole.
    refused = save(client, {("KW-S", "STARTS"): "2", ("KW-A", "STARTS"): "1"})
    assert refused.status_code == 400
    assert "&#x27;KW-A&#x27; is not a unit whose STAFF targets you set." in refused.content.decode()
    assert not KpiTarget.objects.exists()
    assert save(client, {("KW-S", "STARTS"): "2"}).status_code == 302
    assert save(client, {("SUB", "STARTS"): "6"}, level="ORGANISATION").status_code == 302
    assert held(world) == {
        ("STAFF", "KW-S", "STARTS", "2025-04"): Decimal("2.00"),
        ("ORGANISATION", "SUB", "STARTS", "2025-04"): Decimal("6.00"),
    }


def test_a_post_without_an_action_saves_nothing(world):
    response = client_for(world.contract_manager).post(
        URL, {"month": "2025-04", cell_name("KW-A", "STARTS"): "1"}
    )
    assert response.status_code == 400
    assert not KpiTarget.objects.exists()


def test_the_ratings_page_links_to_the_targets_for_those_who_set_them(world):
    ratings = "/performance/contracts/K-1/kpis/"
    assert 'id="targets-link"' in client_for(world.contract_manager).get(ratings).content.decode()
    assert 'id="targets-link"' in client_for(world.partnerships).get(ratings).content.decode()
    assert 'id="targets-link"' not in client_for(world.anna).get(ratings).content.decode()


def test_a_page_of_blank_cells_clears_only_the_targets_of_the_cells_posted(world):
    target(world, "SITE", "S1", "STARTS", "2025-04", 5)
    target(world, "SITE", "S2", "STARTS", "2025-04", 6)  # its cells not posted: left alone
    response = save(
        client_for(world.contract_manager),
        {("S1", kpi): "" for kpi in ("STARTS", "JOB_STARTS")},
        level="SITE",
    )
    assert response.status_code == 302
    assert held(world) == {("SITE", "S2", "STARTS", "2025-04"): Decimal("6.00")}
    gone = KpiTarget.history.get(history_type="-")
    assert (gone.ref, gone.target, gone.history_user_id) == (
        "S1",
        Decimal("5.00"),
        world.contract_manager.user_id,
    )


def test_a_save_costs_the_same_few_queries_however_many_cells_change(world, django_assert_max_num_queries):
    refs = ["CM", "KW-A", "KW-B", "KW-S", "PM", "TL"]
    for ref in refs:
        for kpi in KPIS:
            target(world, "STAFF", ref, kpi, "2025-04", 1)
    client = client_for(world.contract_manager)
    cells = {(ref, kpi): ("" if n % 2 else "2") for ref in refs for n, kpi in enumerate(KPIS)}
    cells.update({(ref, "STARTS"): "3" for ref in refs})
    KpiTarget.objects.filter(level="STAFF", kpi="STARTS").delete()
    with django_assert_max_num_queries(24):
        response = save(client, cells)
    counts = client.get(response["Location"]).content.decode()
    assert "6 set, 24 changed, 30 cleared" in counts
    assert KpiTarget.history.filter(history_change_reason="targets page").count() == 60
