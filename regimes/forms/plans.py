"""Forms of the action plan, CPR and deep dive pages. Messages name the field; the services re-check and
raise FlightpathError, which the views attach to the field."""

from __future__ import annotations

from django import forms

from compliance.forms import BootstrapForm
from participants.forms import DateInput, MonthField

from ..models import ActionPoint, DeepDive
from ..services.plans import MEASURES

MEASURE_LABELS = {"referrals": "Referrals", "job_starts": "Job entries", "job_outcomes": "Job outcomes"}


class PlanForm(BootstrapForm):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    obligation_key = forms.ChoiceField(required=False, label="Responds to")
    first_month = MonthField(label="Flight path from", help_text="The first of its six months.")

    def __init__(self, *args, obligations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligation_key"].choices = [("", "Nothing owed (a voluntary or monthly update)")] + [
            (o.key, f"{o.get_kind_display()}: {o.source}, due {o.due_date:%-d %b %Y}") for o in obligations
        ]


class ActionForm(BootstrapForm):
    what = forms.CharField(max_length=300, label="Action")
    measure = forms.CharField(max_length=300, help_text="How success is measured.")
    owner = forms.CharField(max_length=120)
    start_date = forms.DateField(widget=DateInput)
    due_date = forms.DateField(widget=DateInput)
    milestones = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="One a line."
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = groups
        for group in groups:
            self.fields[f"uplift_{group}"] = forms.IntegerField(
                min_value=0,
                required=False,
                label=f"Predicted uplift {group}",
                help_text="Extra job outcomes.",
            )
            self.fields[f"uplift_{group}"].widget.attrs["class"] = "form-control"

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("due_date") and data["due_date"] < data["start_date"]:
            self.add_error("due_date", "before the start date.")
        uplift = {g: data.pop(f"uplift_{g}", None) for g in self.groups}
        data["uplift"] = {g: n for g, n in uplift.items() if n}
        return data


class FlightPathForm(BootstrapForm):
    """One number field per group, month and measure: `<measure>__<group>__<YYYY-MM>`."""

    def __init__(self, *args, groups, months, initial_cells, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups, self.months = groups, months
        for month in months:
            for group in groups:
                for measure in MEASURES:
                    name = f"{measure}__{group}__{month:%Y-%m}"
                    self.fields[name] = forms.IntegerField(
                        min_value=0,
                        initial=initial_cells.get((group, month), {}).get(measure, 0),
                        label=f"{MEASURE_LABELS[measure]} {group} {month:%b %Y}",
                    )
                    self.fields[name].widget.attrs.update({"class": "form-control form-control-sm"})

    def cells(self) -> dict:
        return {
            (group, month): {m: self.cleaned_data[f"{m}__{group}__{month:%Y-%m}"] for m in MEASURES}
            for month in self.months
            for group in self.groups
        }

    def grid(self):
        """Rows of (month, [(group, [bound fields of the measures])]) for the template's table."""
        return [
            (
                month,
                [(group, [self[f"{m}__{group}__{month:%Y-%m}"] for m in MEASURES]) for group in self.groups],
            )
            for month in self.months
        ]


class DecisionForm(BootstrapForm):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    on = forms.DateField(widget=DateInput, label="Decided on")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="Required to reject."
    )


class MeetingForm(BootstrapForm):
    on = forms.DateField(widget=DateInput, label="Meeting held on")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What was agreed")


class DateOnlyForm(BootstrapForm):
    on = forms.DateField(widget=DateInput, label="On")


class ReleaseForm(BootstrapForm):
    month = MonthField(label="Dashboard month")
    released_on = forms.DateField(widget=DateInput, label="Released on")


class CprForm(BootstrapForm):
    month = MonthField(label="Dashboard month reviewed")
    meeting_on = forms.DateField(widget=DateInput, label="Meeting on")
    attendees = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    assessment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Contract assessment"
    )


class QuestionForm(BootstrapForm):
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Key question")
    sent_on = forms.DateField(widget=DateInput, label="Sent on")


class AnswerForm(BootstrapForm):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(widget=DateInput, label="Answered on")


class ActionPointForm(BootstrapForm):
    what = forms.CharField(max_length=300, label="Action point")
    owner = forms.CharField(max_length=120)
    due_date = forms.DateField(widget=DateInput)


class PointStatusForm(BootstrapForm):
    status = forms.ChoiceField(choices=ActionPoint.Status.choices)
    on = forms.DateField(widget=DateInput, label="On")


class DeepDiveForm(BootstrapForm):
    kind = forms.ChoiceField(choices=DeepDive.Kind.choices)
    subject = forms.CharField(max_length=200)
    visit_on = forms.DateField(widget=DateInput, label="Date")
    letter = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Outcome note")
