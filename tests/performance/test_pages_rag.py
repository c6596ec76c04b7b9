"""The RAG rule of performance against MPL (performance.rag.mpl_rag), the one function pages and reports
use."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from performance.rag import AMBER, GREEN, GREY, RED, TO_DATE, mpl_rag


@pytest.mark.parametrize(
    ("pct", "expected"),
    [
        (100.0, GREEN),
        (131.5, GREEN),
        (99.99, AMBER),
        (95.0, AMBER),
        (94.99, RED),
        (0.0, RED),
        (None, GREY),
        (math.nan, GREY),
    ],
)
def test_green_at_or_above_mpl_amber_within_five_points_below_red_below_that(pct, expected):
    assert mpl_rag(pct, amber_margin=5.0) == expected


def test_the_amber_margin_is_configuration_not_a_literal():
    assert mpl_rag(91.0, amber_margin=10.0) == AMBER
    assert mpl_rag(91.0, amber_margin=5.0) == RED
    assert mpl_rag(99.0, amber_margin=0.0) == RED


def test_a_negative_margin_is_refused():
    with pytest.raises(ValueError):
        mpl_rag(99.0, amber_margin=-1)


def test_the_page_uses_the_margin_setting(settings):
    from performance.selectors.pages import amber_margin

    settings.FLIGHTPATH_MPL_AMBER_MARGIN_PCT = 8
    assert amber_margin() == 8.0


@given(
    st.floats(min_value=0, max_value=300, allow_nan=False),
    st.floats(min_value=0, max_value=300, allow_nan=False),
    st.floats(min_value=0, max_value=50, allow_nan=False),
)
def test_a_higher_percentage_never_gets_a_worse_status(a, b, margin):
    rank = {RED: 0, AMBER: 1, GREEN: 2}
    low, high = sorted((a, b))
    assert rank[mpl_rag(low, amber_margin=margin)] <= rank[mpl_rag(high, amber_margin=margin)]


def test_a_period_ending_in_a_month_in_progress_is_never_amber_or_red_only_green_when_already_met():
    assert mpl_rag(40.0, amber_margin=5.0, complete=False) == TO_DATE
    assert mpl_rag(97.0, amber_margin=5.0, complete=False) == TO_DATE
    assert mpl_rag(100.0, amber_margin=5.0, complete=False) == GREEN
    assert mpl_rag(None, amber_margin=5.0, complete=False) == GREY
