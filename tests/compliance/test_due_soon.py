"""The due-soon worklist: open items whose deadline falls within the next N working days, or has passed
(DOMAIN.md 3 and 9), per key worker, site and organisation; and its htmx panel on the caseload page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from compliance.selectors import pages as selectors_pages
from tests import factories as f
from tests.compliance.pages_support import TODAY, build_pages_world

URL = "/compliance/due-soon/"


@pytest.fixture
def world(db):
    return build_pages_world()


def items(world, days, **filters):
    rows = selectors_pages.due_soon_items(
        world.manager.user, today=TODAY, filters=selectors_pages.DueSoonFilters(days=days, **filters)
    )
    return [(r["referral_ref"], r["code"], r["working_days_left"]) for r in rows]


def test_items_late_and_due_within_three_working_days(world):
    # CSS2 fell due on Wed 8 Jan: 4 working days late on Tue 14 Jan. CSS1a (Mon 20 Jan) is 4 ahead: not yet.
    assert items(world, 3) == [
        ("R-ALICE-1", "CSS2", -4),
        ("R-ALICE-3", "CSS2", -4),
        ("R-DAVE-1", "CSS2", -4),
        ("R-SUB-1", "CSS2", -4),
    ]


def test_deadline_exactly_n_working_days_ahead_is_due_soon(world):
    due = [row for row in items(world, 4) if row[2] >= 0]
    assert due == [
        ("R-ALICE-1", "CSS1a", 4),
        ("R-ALICE-3", "CSS1a", 4),
        ("R-DAVE-1", "CSS1a", 4),
        ("R-SUB-1", "CSS1a", 4),
    ]


def test_event_dated_after_today_does_not_close_an_item(world):
    # R-ALICE-3 is acknowledged on 15 Jan: as at the 14th its CSS2 item is still open and late.
    assert ("R-ALICE-3", "CSS2", -4) in items(world, 3)
    rows = selectors_pages.due_soon_items(
        world.manager.user, today=dt.date(2025, 1, 15), filters=selectors_pages.DueSoonFilters(days=0)
    )
    assert "R-ALICE-3" not in {r["referral_ref"] for r in rows if r["code"] == "CSS2"}


def test_items_ended_in_time_are_not_listed_but_their_open_items_are(world):
    # R-ALICE-2 was acknowledged and started in time (CSS2, CSS1a met); PRaP recording (CSS1b, due 27 Jan) and
    # its action plan (CSS5, started referrals, due 3 Feb) are still open.
    mine = {(ref, code) for ref, code, _ in items(world, 10) if ref == "R-ALICE-2"}
    assert mine == {("R-ALICE-2", "CSS1b")}
    mine = {(ref, code) for ref, code, _ in items(world, 15) if ref == "R-ALICE-2"}
    assert mine == {("R-ALICE-2", "CSS1b"), ("R-ALICE-2", "CSS5")}


def test_filters_by_key_worker_site_and_organisation(world):
    assert {r[0] for r in items(world, 3, key_worker=world.dave.pk)} == {"R-DAVE-1"}
    assert {r[0] for r in items(world, 3, site=world.sub_site.pk)} == {"R-SUB-1"}
    assert {r[0] for r in items(world, 3, organisation=world.sub.pk)} == {"R-SUB-1"}
    assert {r[0] for r in items(world, 4, state="due")} == {"R-ALICE-1", "R-ALICE-3", "R-DAVE-1", "R-SUB-1"}
    assert all(left >= 0 for _, _, left in items(world, 4, state="due"))


def test_key_worker_sees_only_their_caseload(world, client):
    client.force_login(world.alice.user)
    response = client.get(URL, {"today": TODAY.isoformat()})
    assert response.status_code == 200
    assert {r["referral_ref"] for r in response.context["rows"]} == {"R-ALICE-1", "R-ALICE-3"}


def test_other_primes_key_worker_sees_nothing_of_this_contract(world, client):
    client.force_login(world.eve.user)
    refs = {r["referral_ref"] for r in client.get(URL, {"today": TODAY.isoformat()}).context["rows"]}
    assert refs == {"R-OTHER-1"}


def test_page_groups_by_site_with_counts(world, client):
    client.force_login(world.manager.user)
    response = client.get(URL, {"today": TODAY.isoformat(), "group_by": "site_name"})
    assert [(name, count) for name, count, _ in response.context["groups"]] == [
        ("Site One", 3),
        ("Site Two", 1),
    ]
    assert "Late by 4 working days" in response.content.decode()


def test_default_horizon_is_three_working_days_and_a_setting(world, client):
    client.force_login(world.manager.user)
    assert client.get(URL, {"today": TODAY.isoformat()}).context["days"] == 3
    with override_settings(FLIGHTPATH_DUE_SOON_WORKING_DAYS=4):
        response = client.get(URL, {"today": TODAY.isoformat()})
    assert response.context["days"] == 4 and len(response.context["rows"]) == 8


@pytest.mark.parametrize(
    ("params", "field"),
    [({"days": "soon"}, "days"), ({"days": "99"}, "days"), ({"today": "14/01/2025"}, "today")],
)
def test_bad_input_is_400_naming_the_field(world, client, params, field):
    client.force_login(world.manager.user)
    response = client.get(URL, params)
    assert response.status_code == 400 and field in response.context["error"]


def test_htmx_request_gets_the_compact_panel_for_the_caseload_page(world, client):
    client.force_login(world.alice.user)
    response = client.get(
        URL, {"key_worker": world.alice.pk, "today": TODAY.isoformat(), "days": 4}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<nav" not in html and "<html" not in html  # a fragment, not a page
    assert "<strong>2</strong> due within 4 working days" in html and "2 late" in html
    # Preventable items first, then the late ones.
    assert html.index("Due Mon 20 Jan") < html.index("Late since 8 Jan 2025")


def test_caseload_page_calls_this_url_for_its_panel(world, client):
    client.force_login(world.alice.user)
    html = client.get("/caseload/").content.decode()
    assert f'hx-get="{URL}?key_worker={world.alice.pk}"' in html


def test_key_worker_asking_for_anothers_panel_gets_a_400_not_their_items(world, client):
    client.force_login(world.alice.user)
    response = client.get(
        URL, {"key_worker": world.dave.pk, "today": TODAY.isoformat()}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400 and "R-DAVE-1" not in response.content.decode()


def test_page_query_count_does_not_grow_with_items(world, client, django_assert_max_num_queries):
    for i in range(25):
        f.ReferralFactory(
            contract=world.contract,
            ref=f"R-MORE-{i}",
            referral_date=dt.date(2025, 1, 6),
            key_worker=world.dave,
            site=world.site,
            organisation=world.contract.prime,
        )
    client.force_login(world.manager.user)
    with django_assert_max_num_queries(16):
        response = client.get(URL, {"today": TODAY.isoformat()})
    assert len(response.context["rows"]) == 29


def test_one_key_workers_list_computed_alone_matches_the_whole_contracts(world):
    from participants.models import Contract, Referral

    whole = selectors_pages.due_soon_for_contracts(Contract.objects.all(), today=TODAY, days=4)
    expected = selectors_pages.due_soon_rows(whole, Referral.objects.filter(key_worker=world.alice))
    alone = selectors_pages.due_soon_items(
        world.manager.user,
        today=TODAY,
        filters=selectors_pages.DueSoonFilters(days=4, key_worker=world.alice.pk),
    )
    assert alone == expected and len(alone) == 4
