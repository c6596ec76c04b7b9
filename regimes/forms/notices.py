"""The issue notice form (DOMAIN.md 12). Messages name the field; the service re-checks and raises
FlightpathError, which the view attaches to the field."""

from __future__ import annotations

import re

from django import forms

from compliance.forms import BootstrapForm

from ..models import IssueNotice
from ..services.notices import TEXT_FIELDS

SEPARATORS = re.compile(r"[\s,;]+")


def _text(label: str, help_text: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(label=label, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows}))


class NoticeForm(BootstrapForm):
    summary = forms.CharField(max_length=TEXT_FIELDS["summary"], label="Summary of the issue")
    urgency = forms.ChoiceField(
        choices=[("", "Choose…"), *IssueNotice.Urgency.choices],
        help_text="Urgent and red flag notices are sent at once; normal ones within the working days set.",
    )
    remedial_action = _text("Remedial action taken or under way")
    avoid_repetition = _text("Steps to avoid a repetition")
    people_told = _text("People told", "Who has been told so far (names, roles).", rows=2)
    extra_recipients = forms.CharField(
        required=False,
        label="Other recipients",
        help_text="Besides the contract's DWP contacts: email addresses, separated by commas or new lines.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_extra_recipients(self) -> list[str]:
        return [a for a in SEPARATORS.split(self.cleaned_data["extra_recipients"]) if a]
