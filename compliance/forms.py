"""Forms of the compliance pages: tender standards, CMO samples and checks, PAT ratings, validation rounds.
Messages name the field; the services re-check and raise FlightpathError, which the views attach to the
field."""

import re

from django import forms

from participants.forms import DateInput
from participants.models import EventCode, Staff, ValidationRound

from .models import CheckResult, Measure, PatRating, Standard

CODE_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,19}")


class BootstrapMixin:
    """Bootstrap 5 classes on every widget (check boxes lists are styled by the template)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class BootstrapForm(BootstrapMixin, forms.Form):
    pass


class CmoSampleForm(BootstrapForm):
    size = forms.IntegerField(min_value=1, max_value=10000, label="Sample size")
    period_start = forms.DateField(widget=DateInput, label="Population: referred from")
    period_end = forms.DateField(widget=DateInput, label="Population: referred to")
    group = forms.ChoiceField(required=False, label="Population: group")
    organisation = forms.CharField(required=False, max_length=50, label="Population: organisation ref")
    check_date = forms.DateField(widget=DateInput, label="CMO check date")
    seed = forms.IntegerField(
        required=False, min_value=0, label="Seed", help_text="Leave empty for a new random seed."
    )

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "All groups")] + [(g, g) for g in contract.programme.groups]

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "Population: referred to must be on or after referred from.")
        return data


class CmoRecordForm(BootstrapForm):
    self_check = forms.ChoiceField(
        choices=[("", "Not done")] + CheckResult.choices, required=False, label="Provider self-check"
    )
    cmo_result = forms.ChoiceField(
        choices=[("", "Not done")] + CheckResult.choices, required=False, label="CMO result"
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, checklist: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        for i, item in enumerate(checklist):
            self.fields[f"item_{i}"] = forms.BooleanField(
                required=False, label=item, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
            )

    def answers(self) -> dict[str, bool]:
        return {item: bool(self.cleaned_data.get(f"item_{i}")) for i, item in enumerate(self.checklist)}

    def checklist_fields(self):
        return [self[f"item_{i}"] for i in range(len(self.checklist))]


class PatRatingForm(BootstrapForm):
    date = forms.DateField(widget=DateInput)
    rating = forms.ChoiceField(choices=PatRating.Rating.choices)
    reasons = forms.CharField(
        required=False,
        label="Reason codes / themes",
        help_text="Comma-separated, e.g. EVIDENCE, ACTION_PLANS. Repeats are compared by these codes.",
    )
    findings = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    action_plan = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Action plan"
    )
    owner = forms.ModelChoiceField(queryset=Staff.objects.none(), required=False, label="Action owner")
    due_date = forms.DateField(widget=DateInput, required=False, label="Action due date")
    action_plan_done_on = forms.DateField(widget=DateInput, required=False, label="Action plan done on")

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners

    def clean_reasons(self) -> list[str]:
        return [r.strip().upper() for r in self.cleaned_data["reasons"].split(",") if r.strip()]


class ValidationRoundForm(BootstrapForm):
    round = forms.IntegerField(min_value=1, label="Round")
    period_start = forms.DateField(widget=DateInput, label="Period start")
    period_end = forms.DateField(widget=DateInput, label="Period end")
    invalid_pct = forms.DecimalField(
        min_value=0,
        max_value=100,
        max_digits=6,
        decimal_places=2,
        label="Invalid %",
        error_messages={
            "min_value": "Invalid %% must be between 0 and 100.",
            "max_value": "Invalid %% must be between 0 and 100.",
        },
    )
    status = forms.ChoiceField(choices=ValidationRound.Status.choices)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "Period end must be on or after period start.")
        return data


class TenderStandardForm(BootstrapMixin, forms.ModelForm):
    """A contract's own (tender) standard (DOMAIN.md 9): it replaces the programme's standard of the same code
    on this contract, or adds a new one. Bounds are checked here so each message names its field."""

    end_events = forms.MultipleChoiceField(
        choices=EventCode.choices,
        widget=forms.CheckboxSelectMultiple,
        label="End events",
        help_text="Any of these on or after the start event ends the item.",
    )

    class Meta:
        model = Standard
        fields = [
            "code",
            "name",
            "measure",
            "start_event",
            "end_events",
            "started_only",
            "limit_working_days",
            "target",
            "position",
        ]
        labels = {
            "limit_working_days": "Limit (working days)",
            "started_only": "Started referrals only",
            "position": "Display order",
        }
        help_texts = {
            "code": "Letters, digits, '-' or '_', e.g. TS1. A programme standard's code is replaced.",
        }

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract = contract
        self.instance.contract, self.instance.programme = contract, None  # validated as the contract's own

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not CODE_PATTERN.fullmatch(code):
            raise forms.ValidationError("use letters, digits, '-' or '_' (at most 20), a letter first.")
        taken = Standard.objects.filter(contract=self.contract, code=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"this contract already has its own standard {code}.")
        return code

    def clean(self):
        data = super().clean()
        measure, target = data.get("measure"), data.get("target")
        if target is not None and measure:
            if target < 0:
                self.add_error("target", "cannot be negative.")
            elif measure != Measure.BACKLOG_MAX and target > 100:
                self.add_error("target", "a percentage target is at most 100.")
            elif measure == Measure.BACKLOG_MAX and target != int(target):
                self.add_error("target", "a backlog maximum is a whole number of referrals.")
        return data
