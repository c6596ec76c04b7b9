"""participants.journey: the journey's shared constants and the one output rounding (DOMAIN.md 15.16)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from participants.journey import ALL, report_groups, rounded


def test_rounding_is_half_to_even_on_the_exact_value():
    assert rounded(Fraction(100 * 1, 800)) == 0.12  # 0.125 exactly: to even
    assert rounded(Fraction(100 * 203, 20000)) == 1.02  # 1.015 exactly: to even (up)
    assert rounded(1.015) == 1.01  # the float 1.015 is just below 1.015
    assert rounded(np.float64(133.3333)) == 133.33 and rounded(3) == 3.0


def test_no_figure_stays_no_figure():
    assert rounded(None) is None and rounded(math.nan) is None and rounded(np.nan) is None


def test_report_groups_lead_with_all_once():
    assert report_groups(["PG1", "PG2"]) == (ALL, "PG1", "PG2")
    assert report_groups([ALL]) == (ALL,)  # CAP's only group
