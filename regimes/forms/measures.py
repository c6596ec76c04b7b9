"""The form of a step of the subcontractor ladder (DOMAIN.md 11)."""

from django import forms

from participants.forms import DateInput

from ..models import SubcontractorMeasure


class MeasureForm(forms.Form):
    step = forms.TypedChoiceField(
        choices=SubcontractorMeasure.Step.choices,
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    taken_on = forms.DateField(widget=DateInput(attrs={"class": "form-control"}))
    reason = forms.CharField(widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}))
    actions = forms.CharField(
        required=False,
        label="SMART actions or targets",
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        help_text="The actions agreed, or the targets reduced and to what.",
    )
