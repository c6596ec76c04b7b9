"""The failing-item filters have one meaning (compliance.filtersets.FailingItemFilters): a snapshot's items
are filtered in SQL, items computed on demand in numpy, and the two agree on every combination of filters."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest
from django.db.models import QuerySet

from compliance.filtersets import FAILING_ITEM_STATES, FailingItemFilters, matching
from compliance.selectors import pages as selectors_pages
from compliance.selectors import standards as selectors
from tests.compliance.pages_support import build_pages_world, snapshot

AS_OF = dt.date(2025, 1, 31)
FIELDS = ("referral_ref", "key_worker_id", "site_id", "deadline", "end_date", "age_working_days")


@pytest.fixture
def world(db):
    world = build_pages_world()
    snapshot(world.contract, AS_OF)
    return world


def test_snapshot_and_on_demand_items_agree_under_every_filter(world):
    contract = world.contract
    standard = selectors.standard_by_code(contract, "CSS2")
    held = selectors.StandardsQuery(as_of=AS_OF)  # the snapshot's date and window
    live = selectors.StandardsQuery(as_of=AS_OF, window_start=contract.start_date)  # same items, computed now
    choices = itertools.product(
        (None, world.alice.pk, world.dave.pk),
        (None, world.site.pk, world.sub_site.pk),
        (None, contract.prime_id, world.sub.pk),
        ("", *FAILING_ITEM_STATES),
    )
    seen = set()
    for key_worker, site, organisation, state in choices:
        filters = FailingItemFilters(key_worker=key_worker, site=site, organisation=organisation, state=state)
        rows = {}
        for name, query in (("snapshot", held), ("on demand", live)):
            items = selectors_pages.failing_item_rows(
                contract, standard, query, user=world.manager.user, filters=filters
            )
            assert isinstance(items, QuerySet) == (name == "snapshot")
            rows[name] = [tuple(row[f] for f in FIELDS) for row in items]
        assert rows["snapshot"] == rows["on demand"], filters
        seen.add(len(rows["snapshot"]))
    assert {0, 1, 4} <= seen  # the combinations keep none, some and all of the four items


def test_the_states_mean_still_open_and_ended_late():
    items = pd.DataFrame({"end_date": [None, dt.date(2025, 1, 15)], "key_worker_id": [1.0, float("nan")]})
    open_, late = (FailingItemFilters(state=s).lookups(None) for s in ("open", "late"))
    assert matching(items, open_).tolist() == [True, False]
    assert matching(items, late).tolist() == [False, True]
    assert matching(items, FailingItemFilters(key_worker=1).lookups(None)).tolist() == [True, False]
    with pytest.raises(ValueError, match="unsupported lookup"):
        matching(items, {"end_date__gte": dt.date(2025, 1, 1)})
