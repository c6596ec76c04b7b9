"""Forms of the regime pages: a decision (its fields as the decision needs, DATA.md), a dismissal, and the
what's-due filter. Messages name the field; the service re-checks every rule and raises FlightpathError /
RuleRefused, which the views attach to the field or show above the form."""

from __future__ import annotations

from django import forms
from django.conf import settings

from compliance.forms import BootstrapForm
from participants.forms import DateInput, MonthField

from ..models import Decision, Obligation


class DecisionForm(BootstrapForm):
    decision = forms.ChoiceField(choices=Decision.Kind.choices, label="Decision")
    decided_on = forms.DateField(
        widget=DateInput, required=False, label="Decided on", help_text="Default today."
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Reason")
    decided_by = forms.CharField(
        required=False,
        max_length=200,
        label="Decided by (DWP)",
        help_text="The DWP contact who decided; required when you record a decision DWP sent by letter.",
    )
    group = forms.ChoiceField(required=False, label="Group (PIN)")
    quarter_end = MonthField(required=False, label="Quarter end reviewed (PIN)")
    remedy_end = MonthField(
        required=False,
        label="Remedy period ends (PIN)",
        help_text="Default: two quarters after the quarter end.",
    )
    pin = forms.ChoiceField(required=False, label="PIN (cancel, lift, escalate)")
    level = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (2, "2"), (3, "3"), (4, "4")],
        label="WHP level",
    )
    active = forms.TypedChoiceField(
        required=False,
        coerce=lambda v: v == "on",
        empty_value=None,
        choices=[("", "—"), ("on", "On"), ("off", "Off")],
        label="Level on or off",
    )
    indicator = forms.ChoiceField(required=False, label="Indicator (PICAN)")
    pican = forms.ChoiceField(required=False, label="PICAN (close)")
    recommendation = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, contract, state, **kwargs):
        super().__init__(*args, **kwargs)
        programme = contract.programme
        wp, whp = programme.has_quarterly_review, programme.code == "WHP"
        kinds = Decision.Kind
        allowed = [
            k
            for k in kinds
            if (
                wp
                and k
                in (
                    kinds.ALLOCATE_EPR,
                    kinds.END_EPR,
                    kinds.ISSUE_PIN,
                    kinds.CANCEL_PIN,
                    kinds.LIFT_PIN,
                    kinds.ESCALATE_PIN,
                )
            )
            or (whp and k in (kinds.SET_LEVEL, kinds.ISSUE_PICAN, kinds.CLOSE_PICAN))
        ]
        self.fields["decision"].choices = [(k.value, k.label) for k in allowed]
        self.fields["group"].choices = [("", "—")] + [(g, g) for g in programme.measured_groups]
        self.fields["pin"].choices = [("", "—")] + [(str(p.pk), str(p)) for p in state.open_pins]
        self.fields["pican"].choices = [("", "—")] + [
            (str(p.pk), str(p)) for p in state.picans if p.status == p.Status.OPEN
        ]
        self.fields["indicator"].choices = [("", "—")] + [
            (k, v["label"]) for k, v in settings.FLIGHTPATH_PICAN_INDICATORS.items()
        ]
        hidden = {"group", "quarter_end", "remedy_end", "pin"} if not wp else set()
        hidden |= {"level", "active", "indicator", "pican"} if not whp else set()
        for name in hidden:
            del self.fields[name]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        pick = {
            name: data.get(name)
            for name in ("group", "quarter_end", "remedy_end", "level", "active", "indicator")
        }
        return {
            "kind": data["decision"],
            "reason": data["reason"],
            "decided_on": data.get("decided_on"),
            "decided_by": data.get("decided_by") or "",
            **{k: v for k, v in pick.items() if v not in (None, "")},
            "pin": int(data["pin"]) if data.get("pin") else None,
            "pican": int(data["pican"]) if data.get("pican") else None,
        }


class DismissForm(BootstrapForm):
    recommendation = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=500, label="Reason for dismissing")


class DueFilterForm(BootstrapForm):
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Open and overdue"),
            ("OPEN", "Open"),
            ("OVERDUE", "Overdue"),
            ("DONE", "Done"),
            ("ALL", "All"),
        ],
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Every kind"), *Obligation.Kind.choices])


class TimelineFilterForm(BootstrapForm):
    kind = forms.ChoiceField(required=False)
    since = forms.DateField(required=False, widget=DateInput, label="From")
    until = forms.DateField(required=False, widget=DateInput, label="To")

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Everything"), *[(k, k.replace("_", " ").title()) for k in kinds]]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "must be on or after From")
        return data
