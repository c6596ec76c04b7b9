"""Form widgets every app's forms share."""

from django import forms


class DateInput(forms.DateInput):
    """<input type=date> needs ISO dates whatever the locale's display format (an initial or re-shown value
    in the locale's format would show as an empty picker)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
