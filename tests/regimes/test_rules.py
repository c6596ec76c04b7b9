"""The regime's date rules at their edges (DOMAIN.md 17.3, 17.4)."""

import datetime as dt

from regimes import rules


def test_epr_decided_on_31_may_is_reviewed_31_august_and_ends_30_november():
    assert rules.epr_dates(dt.date(2025, 5, 31)) == (dt.date(2025, 8, 31), dt.date(2025, 11, 30))


def test_epr_decided_on_30_november_ends_on_the_last_day_of_february():
    assert rules.epr_dates(dt.date(2023, 11, 30)) == (dt.date(2024, 2, 29), dt.date(2024, 5, 30))
    assert rules.add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)


def test_default_remedy_end_is_two_quarters_after_the_review():
    assert rules.default_remedy_end(dt.date(2025, 3, 1)) == dt.date(2025, 9, 1)
    assert rules.default_remedy_end(dt.date(2025, 12, 1)) == dt.date(2026, 6, 1)


def test_a_pin_blocks_up_to_the_last_day_of_its_remedy_month_and_not_the_day_after():
    ends = [dt.date(2025, 9, 1)]
    assert rules.pin_blocks(open_remedy_ends=ends, decided_on=dt.date(2025, 9, 30)) == dt.date(2025, 9, 30)
    assert rules.pin_blocks(open_remedy_ends=ends, decided_on=dt.date(2025, 10, 1)) is None
    assert rules.remedy_over(remedy_end=dt.date(2025, 9, 1), on=dt.date(2025, 10, 1))
    assert not rules.remedy_over(remedy_end=dt.date(2025, 9, 1), on=dt.date(2025, 9, 30))
