"""The date and month inputs every app's forms share. A month is one field wherever it is asked for (a
plan's first month, a dashboard or CPR month, a PIN's quarter end, a KPI target's month): an
<input type="month">, which shows a month picker where the browser has one and a text box for YYYY-MM where
it has not; it takes YYYY-MM as the API does, and is cleaned to the month's first day."""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    """<input type=date> needs ISO dates whatever the locale's display format (an initial or re-shown value
    in the locale's format would show as an empty picker)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MonthInput(forms.DateInput):
    """<input type="month"> valued YYYY-MM; the placeholder is for browsers that show a text box instead."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "YYYY-MM", "inputmode": "numeric", **(attrs or {})}, format="%Y-%m")


class MonthField(forms.DateField):
    """A YYYY-MM month (a YYYY-MM-DD date in it is taken too), cleaned to the month's first day."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        try:
            day = super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(f"{value!r} is not a YYYY-MM month", code="invalid") from None
        return day.replace(day=1) if day else None
