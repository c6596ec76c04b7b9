"""Forms of the person's records (issue 13): names and contact details, hours of support and expenditure,
job ends and changes, exits. Shapes only; the services (person_services) check the rules."""

from __future__ import annotations

from django import forms

from ..forms import DateInput
from ..models import JobEndReason, SupportRecord
from .forms import StyledForm, _today

EXIT_REASONS = [
    ("", "—"),
    ("COMPLETED", "Completed provision"),
    ("EMPLOYMENT", "Left for sustained employment"),
    ("MOVED_AWAY", "Moved out of the area"),
    ("HEALTH", "Health or caring reasons"),
    ("CIRCUMSTANCES", "Change of circumstances (benefit ended)"),
    ("DISENGAGED", "Disengaged"),
    ("OTHER", "Other"),
]


class ParticipantDetailsForm(StyledForm):
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    preferred_name = forms.CharField(
        max_length=100,
        required=False,
        help_text="What they like to be called; shown instead of the first name.",
    )
    phone = forms.CharField(label="Telephone", max_length=30, required=False)
    email = forms.EmailField(max_length=254, required=False)
    nino = forms.CharField(
        label="National Insurance number",
        max_length=13,
        required=False,
        help_text="For example QQ 12 34 56 C.",
    )

    def __init__(self, *args, show_nino: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_nino:
            del self.fields["nino"]  # never sent to a browser that may not see it
        self.fields["phone"].widget.attrs.update(type="tel", autocomplete="off")


class SupportRecordForm(StyledForm):
    kind = forms.ChoiceField(label="Record", choices=SupportRecord.Kind.choices, widget=forms.RadioSelect)
    on_date = forms.DateField(label="Date", widget=DateInput(), initial=_today)
    hours = forms.DecimalField(
        label="Hours of support", max_digits=5, decimal_places=2, required=False, min_value=0
    )
    amount = forms.DecimalField(
        label="Amount (£)", max_digits=9, decimal_places=2, required=False, min_value=0
    )
    category = forms.ChoiceField(label="Category or purpose", choices=SupportRecord.Category.choices)
    note = forms.CharField(max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class JobEndForm(StyledForm):
    end_date = forms.DateField(label="Job ended on", widget=DateInput())
    reason = forms.ChoiceField(
        choices=[choice for choice in JobEndReason.choices if choice[0] != JobEndReason.CHANGED_JOB]
    )
    note = forms.CharField(max_length=300, required=False)


class JobChangeForm(StyledForm):
    changed_on = forms.DateField(label="New job started on", widget=DateInput())
    employer = forms.CharField(max_length=200, label="New employer (or business name if self-employed)")
    hours_per_week = forms.DecimalField(max_digits=5, decimal_places=2, label="Hours per week")
    self_employed = forms.BooleanField(label="Self-employed", required=False)
    note = forms.CharField(max_length=300, required=False)


class ExitForm(StyledForm):
    exited_on = forms.DateField(label="Left provision on", widget=DateInput(), initial=_today)
    reason = forms.ChoiceField(choices=EXIT_REASONS)


class ExitReportForm(StyledForm):
    sent_on = forms.DateField(
        label="Exit report returned to Jobcentre Plus on", widget=DateInput(), initial=_today
    )


class SupportPeriodForm(StyledForm):
    start = forms.DateField(label="From", widget=DateInput(), required=False)
    end = forms.DateField(label="To", widget=DateInput(), required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end of the period is before its start.")
        return data
