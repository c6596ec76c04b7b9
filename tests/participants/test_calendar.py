"""The working-day calendar: DOMAIN.md section 3 and 15.20."""

import numpy as np
import pytest

from participants.calendar import bank_holidays, calendar_for
from participants.errors import FlightpathError

D = np.datetime64


def test_referral_on_monday_gets_deadline_ten_working_days_later():
    assert calendar_for("ENG").deadline(D("2025-01-06"), 10) == D("2025-01-20")


def test_open_item_age_counts_working_days_before_the_as_of_date():
    assert calendar_for("ENG").age(D("2025-01-06"), D("2025-01-20")) == 10


def test_weekend_start_rolls_forward_before_counting():
    # Saturday 2025-01-11 rolls to Monday 13th; 2 working days on is Wednesday 15th.
    assert calendar_for("ENG").deadline(D("2025-01-11"), 2) == D("2025-01-15")


def test_second_of_january_is_a_working_day_in_england_but_not_in_scotland():
    start = D("2025-01-01")  # New Year's Day: rolls forward in both nations
    assert calendar_for("ENG").deadline(start, 1) == D("2025-01-03")
    assert calendar_for("SCT").deadline(start, 1) == D("2025-01-06")


def test_st_andrews_day_is_a_holiday_only_in_scotland():
    monday = D("2026-11-30")
    assert bool(calendar_for("ENG").is_working_day(monday)) is True
    assert bool(calendar_for("SCT").is_working_day(monday)) is False
    assert calendar_for("SCT").deadline(D("2026-11-27"), 1) == D("2026-12-01")
    assert calendar_for("ENG").deadline(D("2026-11-27"), 1) == D("2026-11-30")


def test_england_and_wales_share_a_calendar():
    np.testing.assert_array_equal(bank_holidays("ENG"), bank_holidays("WLS"))


@pytest.mark.parametrize(
    "day",
    ["2022-06-02", "2022-06-03", "2022-09-19", "2023-05-08"],
    ids=["jubilee-spring", "jubilee", "state-funeral", "coronation"],
)
@pytest.mark.parametrize("nation", ["ENG", "WLS", "SCT"])
def test_special_one_off_bank_holidays_are_not_working_days(nation, day):
    assert bool(calendar_for(nation).is_working_day(D(day))) is False


def test_easter_monday_is_a_holiday_in_england_not_scotland():
    assert bool(calendar_for("ENG").is_working_day(D("2025-04-21"))) is False
    assert bool(calendar_for("SCT").is_working_day(D("2025-04-21"))) is True


def test_deadline_and_age_are_vectorised_over_arrays():
    cal = calendar_for("ENG")
    starts = np.array(["2025-01-06", "2025-12-24", "2025-12-19"], dtype="datetime64[D]")
    np.testing.assert_array_equal(
        cal.deadline(starts, 2), np.array(["2025-01-08", "2025-12-30", "2025-12-23"], dtype="datetime64[D]")
    )
    np.testing.assert_array_equal(cal.age(starts, D("2026-01-05")), np.array([252, 5, 8]))


def test_age_and_deadline_agree_an_item_on_its_deadline_is_exactly_limit_days_old():
    cal = calendar_for("SCT")
    starts = np.arange(D("2024-01-01"), D("2025-12-31"))
    working = starts[cal.is_working_day(starts)]
    np.testing.assert_array_equal(cal.age(working, cal.deadline(working, 15)), np.full(len(working), 15))


def test_unknown_nation_is_a_clear_error():
    with pytest.raises(ValueError, match="nation"):
        calendar_for("NIR")


def test_a_date_outside_the_calendar_years_is_an_error_naming_it_not_a_year_without_holidays():
    cal = calendar_for("ENG")
    with pytest.raises(FlightpathError, match="2046-01-05 is outside the holiday calendar"):
        cal.deadline(D("2046-01-05"), 1)
    with pytest.raises(FlightpathError, match="1999-12-31 is outside"):
        cal.age(D("1999-12-31"), D("2000-01-10"))
    with pytest.raises(FlightpathError, match="2046-01-02 is outside"):
        cal.deadline(D("2045-12-29"), 2)  # the answer itself would fall past the calendar
    assert cal.deadline(D("2045-12-22"), 1) == D("2045-12-27")  # Christmas and Boxing Day held


def test_missing_dates_are_passed_over_by_the_calendar_check():
    days = np.array(["2025-01-06", "NaT"], dtype="datetime64[D]")
    assert calendar_for("ENG").is_working_day(days).tolist() == [True, False]
