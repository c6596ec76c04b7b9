"""Forms of the KPI pages: a decision on a proposed PIP; a PIP raised by hand; a PIP's actions, reviews and
outcome."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from participants.forms import DateInput

from ..models import Pip, PipAction
from ..models.kpis import PipLevel

DATE = DateInput(attrs={"class": "form-control"})
TEXT = {"class": "form-control"}


class DismissForm(forms.Form):
    reason = forms.CharField(
        max_length=500, widget=forms.Textarea(attrs={**TEXT, "rows": 2}), help_text="Why no PIP is needed."
    )


class ActionForm(forms.ModelForm):
    class Meta:
        model = PipAction
        fields = ["action", "measure", "owner", "due_date"]
        widgets = {
            "action": forms.TextInput(attrs=TEXT),
            "measure": forms.TextInput(attrs=TEXT),
            "owner": forms.Select(attrs={"class": "form-select"}),
            "due_date": DATE,
        }

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners if owners is not None else get_user_model().objects.none()
        self.fields["owner"].label_from_instance = owner_label


def owner_label(user) -> str:
    """Staff are known by their staff record's name (the owners' queryset selects it)."""
    staff = getattr(user, "staff", None)
    return (staff.name if staff else "") or user.get_full_name() or user.get_username()


class ReviewForm(forms.Form):
    held_on = forms.DateField(widget=DATE)
    note = forms.CharField(widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    next_review = forms.DateField(required=False, widget=DATE, help_text="Leave empty to schedule none.")


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[(v, label) for v, label in Pip.Outcome.choices if v],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2}))
    closed_on = forms.DateField(widget=DATE)


class RaisePipForm(forms.Form):
    """A PIP raised by hand for a unit the manager looks after (a team, or a unit between quarter ends)."""

    unit = forms.ChoiceField(widget=forms.Select(attrs={"class": "form-select"}))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}), help_text="What the plan must change, and why now."
    )
    opened_on = forms.DateField(widget=DATE)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {f"{level}:{ref}": (level, ref, name) for level, ref, name in units}
        labels = dict(PipLevel.choices)
        groups: dict[str, list] = {}
        for key, (level, _ref, name) in self.units.items():
            groups.setdefault(labels[level], []).append((key, name))
        self.fields["unit"].choices = [("", "Choose a unit")] + list(groups.items())

    def clean(self):
        cleaned = super().clean()
        if "unit" in cleaned:
            cleaned["level"], cleaned["ref"], cleaned["name"] = self.units[cleaned.pop("unit")]
        return cleaned
