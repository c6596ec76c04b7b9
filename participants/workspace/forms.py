"""Forms of the key workers' workspace. They check shapes; the services check the rules (DOMAIN.md 4)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from ..forms import DateInput
from ..models import (
    Appointment,
    EventCode,
    EvidenceDocument,
    InWorkSupportContact,
    PeerSupportGroup,
    SmartGoal,
)
from .selectors import claim_checklist_items


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            return (
                timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
                if timezone.is_aware(value)
                else (value.strftime("%Y-%m-%dT%H:%M"))
            )
        return value


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, so one template renders every form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def _today():
    return timezone.localdate()


class AppointmentForm(StyledForm):
    kind = forms.ChoiceField(label="Type", choices=Appointment.Kind.choices)
    starts_at = forms.DateTimeField(label="Date and time", widget=DateTimeInput())
    location = forms.CharField(max_length=200, required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RebookForm(StyledForm):
    starts_at = forms.DateTimeField(label="New date and time", widget=DateTimeInput())
    location = forms.CharField(max_length=200, required=False)


class CancelForm(StyledForm):
    reason = forms.CharField(label="Reason for cancelling", max_length=300)


class AttendanceForm(StyledForm):
    attended = forms.TypedChoiceField(
        label="Did the participant attend?",
        choices=[("yes", "Attended"), ("no", "Failed to attend")],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
    )
    fta_reason = forms.ChoiceField(
        label="Reason for not attending", choices=[("", "—")] + Appointment.FtaReason.choices, required=False
    )
    started = forms.BooleanField(
        label="The participant started provision at this appointment", required=False
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class FollowUpDoneForm(StyledForm):
    outcome = forms.CharField(label="What was done", max_length=300)


class ActionPlanForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    agreed_on = forms.DateField(
        label="Agreed and signed with the participant on", required=False, widget=DateInput()
    )
    change_note = forms.CharField(label="What changed and why", max_length=300, required=False)


class GoalForm(StyledForm):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    goal = forms.CharField(max_length=300, label="Goal (specific)")
    measure = forms.CharField(max_length=300, label="Measure")
    owner = forms.CharField(max_length=100, label="Owner")
    due_date = forms.DateField(label="Due", widget=DateInput())
    status = forms.ChoiceField(choices=SmartGoal.Status.choices, initial=SmartGoal.Status.NOT_STARTED)


class GoalFormSetBase(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


def goal_formset(extra: int):
    """SMART goals of a plan revision: `extra` blank rows to write new goals in."""
    return forms.formset_factory(
        GoalForm, formset=GoalFormSetBase, extra=extra, can_delete=True, max_num=30, validate_max=True
    )


class ReviewForm(StyledForm):
    reviewed_on = forms.DateField(label="Reviewed on", widget=DateInput(), initial=_today)
    note = forms.CharField(label="Review notes", widget=forms.Textarea(attrs={"rows": 3}))


class PsgForm(StyledForm):
    group = forms.ChoiceField(label="Move to peer support group", choices=PeerSupportGroup.choices)
    moved_on = forms.DateField(label="Moved on", widget=DateInput(), initial=_today)
    note = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 2}))


class JobStartForm(StyledForm):
    employer = forms.CharField(max_length=200, label="Employer (or business name if self-employed)")
    hours_per_week = forms.DecimalField(max_digits=5, decimal_places=2, label="Hours per week")
    start_date = forms.DateField(label="Start date", widget=DateInput())
    self_employed = forms.BooleanField(label="Self-employed", required=False)


EARNINGS_CHOICES = [
    (code.value, code.label)
    for code in (EventCode.EARNINGS_START, EventCode.EARNINGS_1000, EventCode.EARNINGS_2000)
]


class EarningsForm(StyledForm):
    code = forms.ChoiceField(label="Milestone", choices=EARNINGS_CHOICES)
    reached_on = forms.DateField(label="Reached on", widget=DateInput())
    amount = forms.DecimalField(
        label="Cumulative earnings (£)", max_digits=12, decimal_places=2, required=False, min_value=0
    )


class InWorkContactForm(StyledForm):
    job = forms.ModelChoiceField(queryset=None, required=False, label="Job")
    contact_date = forms.DateField(label="Contact date", widget=DateInput(), initial=_today)
    method = forms.ChoiceField(choices=InWorkSupportContact.Method.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job"].queryset = referral.jobs.all()


CLAIM_CHOICES = [("", "—")] + [
    (code.value, code.label)
    for code in (
        EventCode.JOB_OUTCOME,
        EventCode.SUSTAINMENT,
        EventCode.EARNINGS_1000,
        EventCode.EARNINGS_2000,
        EventCode.JOB_START,
    )
]


class EvidenceForm(StyledForm):
    file = forms.FileField(
        label="Document (PDF, JPEG, PNG or Word, up to 10 MB)",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx"}),
    )
    kind = forms.ChoiceField(label="Document type", choices=EvidenceDocument.Kind.choices)
    claim_code = forms.ChoiceField(label="Supports claim", choices=CLAIM_CHOICES, required=False)


class ClaimChecklistForm(StyledForm):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = claim_checklist_items()
        for item, label in self.items.items():
            self.fields[f"item_{item}"] = forms.BooleanField(
                label=label, required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
            )
        self.order_fields([f"item_{item}" for item in self.items] + ["note"])

    def answers(self) -> dict[str, bool]:
        return {item: self.cleaned_data[f"item_{item}"] for item in self.items}


class NoteForm(StyledForm):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}))
