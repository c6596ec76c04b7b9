"""The contract performance page's filter form: month, period and group. It only draws the controls; the
values are parsed by participants.params (the one place for their rules and error messages)."""

from django import forms

from participants.journey import ALL
from participants.models import Contract

from . import engine
from .models import Period


class PerformanceFilterForm(forms.Form):
    month = forms.CharField(
        label="Month",
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control form-control-sm"}),
    )
    period = forms.ChoiceField(
        label="Period",
        choices=Period.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    group = forms.ChoiceField(
        label="Group", widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )

    def __init__(self, *args, contract: Contract, groups: tuple[str, ...], month: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(g, "All groups" if g == ALL else g) for g in groups]
        self.fields["month"].widget.attrs.update(
            min=f"{contract.start_date:%Y-%m}",
            max=engine.month_label(max(month, engine.month_of(contract.end_date))),
        )
