"""participants.params: one parser per kind of request parameter and one set of 400 messages, the same on
every page and MI API endpoint (DATA.md: a 400 names the field)."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from participants import params
from participants.errors import FlightpathError
from participants.models import Programme
from tests import factories as f

START = date(2024, 4, 15)


def error_of(call) -> dict:
    with pytest.raises(FlightpathError) as caught:
        call()
    return caught.value.as_dict()


def test_a_date_is_iso_and_optional_unless_required():
    assert params.parse_date("2025-01-31", field="as_of") == date(2025, 1, 31)
    assert params.parse_date("", field="as_of") is None and params.parse_date(None, field="as_of") is None
    assert error_of(lambda: params.parse_date("31/01/2025", field="as_of")) == {
        "as_of": ["'31/01/2025' is not a date (YYYY-MM-DD)."]
    }
    assert error_of(lambda: params.parse_date("", field="as_of", required=True)) == {
        "as_of": ["This parameter is required (YYYY-MM-DD)."]
    }


def test_a_window_may_not_end_before_it_starts():
    assert params.parse_window("2025-01-01", None) == (date(2025, 1, 1), None)
    assert error_of(lambda: params.parse_window("2025-03-01", "2025-02-01")) == {
        "window_end": ["window_end is before window_start."]
    }
    assert "window_start" in error_of(lambda: params.parse_window("2025-02-30", None))


@pytest.mark.parametrize("value", ["2025-13", "2025-00", "March", "2025-3", " 2025-01", "0000-01", "٢٠٢٥-٠١"])
def test_a_month_is_yyyy_mm(value):
    assert error_of(lambda: params.parse_month(value)) == {"month": [f"{value!r} is not a month (YYYY-MM)."]}


def test_a_month_is_required_and_not_before_the_contracts_first_month():
    assert params.parse_month("2024-04", contract_start=START) == date(2024, 4, 1)
    assert error_of(lambda: params.parse_month(None)) == {"month": ["This parameter is required (YYYY-MM)."]}
    assert error_of(lambda: params.parse_month("2024-03", contract_start=START)) == {
        "month": ["2024-03 is before the contract start (2024-04)."]
    }
    assert "cohort" in error_of(lambda: params.parse_month("soon", field="cohort"))


def test_a_quarter_end_is_a_march_june_september_or_december():
    assert params.parse_quarter_end("2025-03", contract_start=START) == date(2025, 3, 1)
    message = ["A quarter ends in March, June, September or December."]
    february = error_of(lambda: params.parse_quarter_end("2025-02", contract_start=START))
    assert february == {"quarter_end": message}
    assert error_of(lambda: params.require_quarter_end(date(2025, 2, 1), field="month")) == {"month": message}


def test_a_choice_names_the_field_and_lists_the_choices():
    periods = ("in_month", "ctd")
    assert params.parse_choice(None, periods, field="period", default="ctd") == "ctd"
    assert error_of(lambda: params.parse_choice("fortnight", periods, field="period")) == {
        "period": ["Unknown period 'fortnight'; expected one of in_month, ctd."]
    }
    assert error_of(lambda: params.parse_choice(None, periods, field="measure")) == {
        "measure": ["Unknown measure ''; expected one of in_month, ctd."]
    }


def test_a_group_defaults_to_all_and_an_unknown_one_lists_the_valid_groups():
    groups = ("ALL", "DISABILITY", "LTU")
    assert params.parse_group("", groups=groups, programme="WHP") == "ALL"
    assert error_of(lambda: params.parse_group("PG1", groups=groups, programme="WHP")) == {
        "group": ["'PG1' is not a group of WHP; valid groups: ALL, DISABILITY, LTU."]
    }
    measured = {"groups": ("PG1", "PG2"), "programme": "WP", "kind": "measured group", "default": None}
    assert error_of(lambda: params.parse_group(None, **measured)) == {
        "group": ["'' is not a measured group of WP; valid groups: PG1, PG2."]
    }


def test_a_flag_is_true_or_false():
    assert params.parse_bool("TRUE", field="final") is True
    assert params.parse_bool(None, field="final") is False
    assert error_of(lambda: params.parse_bool("maybe", field="final")) == {
        "final": ["Expected true or false."]
    }


def test_a_page_shows_the_field_before_the_message():
    error = FlightpathError("'x' is not a date (YYYY-MM-DD).", field="today")
    assert params.error_text(error) == "today: 'x' is not a date (YYYY-MM-DD)."
    assert params.error_text(FlightpathError("days: Enter a whole number.")) == "days: Enter a whole number."


@pytest.mark.django_db
def test_every_endpoint_answers_the_same_mistake_with_the_same_message():
    whp = f.ContractFactory(ref="WHP-1", programme=Programme.objects.get(code="WHP"), start_date=START)
    api = APIClient()
    api.force_authenticate(f.UserFactory(is_superuser=True))
    base = f"/api/v1/contracts/{whp.ref}"

    def body(path: str, query: dict) -> dict:
        response = api.get(f"{base}/{path}/", query)
        assert response.status_code == 400, response.content
        return response.json()

    bad_date = {"as_of": ["'31/12/2024' is not a date (YYYY-MM-DD)."]}
    assert body("standards", {"as_of": "31/12/2024"}) == bad_date
    assert body("standards/CSS1a/failures", {"as_of": "31/12/2024"}) == bad_date
    assert body("cohorts", {"as_of": "31/12/2024"}) == bad_date
    bad_group = {"group": ["'PG1' is not a group of WHP; valid groups: ALL, DISABILITY, EARLY_ENTRY, LTU."]}
    assert body("standards", {"as_of": "2025-01-31", "group": "PG1"}) == bad_group
    assert body("performance", {"month": "2025-01", "period": "ctd", "group": "PG1"}) == bad_group
    assert body("cohorts", {"group": "PG1"}) == bad_group
