"""The form of a prime's KPI definition (add and edit): its fields only. The rules of the set (one
definition per role and source, one direction per active source) are the service's
(definitions.check_definition); the view shows its refusal on the field it names."""

from __future__ import annotations

from django import forms

from ..models import KpiDefinition

SELECT = {"class": "form-select"}


class KpiDefinitionForm(forms.ModelForm):
    class Meta:
        model = KpiDefinition
        fields = ["name", "applies_to", "source", "direction", "active"]
        labels = {"source": "Computed from", "active": "Active (judged in the ratings)"}
        help_texts = {
            "name": "What the prime's staff call it, e.g. Job starts.",
            "source": "The figure the product computes from the data; a KPI is never typed in.",
            "direction": "A minimum is met at or above its target; a maximum at or below it.",
        }
        widgets = {
            "name": forms.TextInput(attrs={"class": "form-control"}),
            "applies_to": forms.Select(attrs=SELECT),
            "source": forms.Select(attrs=SELECT),
            "direction": forms.Select(attrs=SELECT),
            "active": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }
