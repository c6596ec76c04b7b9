"""The regimes forms' one month field and one date input: an <input type="month"> valued YYYY-MM on the plan,
review and decision pages alike, taking YYYY-MM as the API does; date pickers pre-filled in ISO."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from participants.forms import MonthField
from regimes.forms.plans import CprForm, PlanForm, ReleaseForm
from regimes.forms.regime import DecisionForm
from tests.performance.kpi_support import make_world

from .helpers import world
from .support import build_world


def test_a_month_renders_as_a_month_input_valued_yyyy_mm_and_cleans_to_the_first_day():
    field = MonthField(required=False)
    assert field.widget.input_type == "month"
    for initial in (dt.date(2025, 3, 17), "2025-03"):
        html = field.widget.render("month", initial)
        assert 'type="month"' in html and 'value="2025-03"' in html and 'placeholder="YYYY-MM"' in html
    assert field.clean("2025-03") == dt.date(2025, 3, 1)
    assert field.clean(" 2025-04 ") == dt.date(2025, 4, 1)
    assert field.clean("2025-06-30") == dt.date(2025, 6, 1)
    assert field.clean("") is None
    for bad in ("2025-13", "March 2025", "2025/03"):
        with pytest.raises(forms.ValidationError, match=re.escape(f"'{bad}' is not a YYYY-MM month")):
            field.clean(bad)


def test_every_month_of_the_regimes_forms_is_that_field():
    months = [
        PlanForm.base_fields["first_month"],
        ReleaseForm.base_fields["month"],
        CprForm.base_fields["month"],
        DecisionForm.base_fields["quarter_end"],
        DecisionForm.base_fields["remedy_end"],
    ]
    assert all(type(field) is MonthField for field in months)


@pytest.mark.django_db
def test_the_decision_and_release_pages_take_a_typed_month_and_name_a_bad_one(client):
    w = world()
    client.force_login(w.dwp)
    page = client.get(f"/regimes/contracts/{w.contract.ref}/").content.decode()
    assert 'type="month" name="quarter_end"' in page
    bad = client.post(
        f"/regimes/contracts/{w.contract.ref}/decisions/",
        {"decision": "ISSUE_PIN", "group": "PG1", "quarter_end": "2025-13", "reason": "Failed review"},
    )
    assert bad.status_code == 400 and "&#x27;2025-13&#x27; is not a YYYY-MM month" in bad.content.decode()

    plans = build_world()
    client.force_login(plans.pm.user)
    url = reverse("regimes:release-new", args=["CP-1"])
    typed = client.post(url, {"month": "2025-13", "released_on": "2025-12-10"})
    assert typed.status_code == 400 and "&#x27;2025-13&#x27; is not a YYYY-MM month" in typed.content.decode()
    assert 'value="2025-12-10"' in typed.content.decode()  # what was typed is kept
    assert client.post(url, {"month": "2025-12", "released_on": "2025-12-10"}).status_code == 302


@pytest.mark.django_db
def test_the_ladder_page_pre_fills_its_date_picker_with_today_in_iso(client):
    w = make_world()
    client.force_login(w.partnerships.user)
    page = client.get(f"/regimes/contracts/K-1/subcontractors/{w.sub.pk}/measures/").content.decode()
    assert f'type="date" name="taken_on" value="{timezone.localdate():%Y-%m-%d}"' in page
