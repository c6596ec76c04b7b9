"""Forms of the KPI pages: a decision on a proposed PIP; a PIP's actions, reviews and outcome."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from ..models import Pip, PipAction

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})
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
