"""The records behind the workspace KPIs (issue 12; participants/models/records.py): complaints, eligibility
checks and placements sourced, recorded against a referral from the participant page. Forms (shapes), the
services (the rules, all-or-nothing) and the selector of the participant page's "KPI records" section."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db import transaction

from ..errors import FlightpathError
from ..forms import DateInput
from ..models import Complaint, EligibilityCheck, PlacementSourced, Referral
from .forms import StyledForm, _today
from .person_services import _check_day


class ComplaintForm(StyledForm):
    on = forms.DateField(label="Complaint received on", widget=DateInput(), initial=_today)
    summary = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    resolved_on = forms.DateField(label="Resolved on", widget=DateInput(), required=False)


class EligibilityCheckForm(StyledForm):
    on = forms.DateField(label="Checked on", widget=DateInput(), initial=_today)
    result = forms.ChoiceField(choices=EligibilityCheck.Result.choices, widget=forms.RadioSelect)
    note = forms.CharField(max_length=300, required=False)


class PlacementSourcedForm(StyledForm):
    on = forms.DateField(label="Sourced on", widget=DateInput(), initial=_today)
    employer = forms.CharField(max_length=200)
    role_title = forms.CharField(label="Role", max_length=200)


@transaction.atomic
def record_complaint(
    *, referral: Referral, on: dt.date, summary: str, resolved_on: dt.date | None = None, user
) -> Complaint:
    """A complaint about the service (COMPLAINTS, a maximum KPI)."""
    _check_day(on, referral, "A complaint", "on")
    if not summary.strip():
        raise FlightpathError("Summary: say what the complaint is about.", field="summary")
    if resolved_on is not None:
        if resolved_on < on:
            raise FlightpathError(
                f"Resolved on {resolved_on:%d %b %Y} would be before the complaint ({on:%d %b %Y}).",
                field="resolved_on",
            )
        _check_day(resolved_on, referral, "A resolution", "resolved_on")
    return _save(Complaint(referral=referral, on=on, summary=summary.strip(), resolved_on=resolved_on), user)


@transaction.atomic
def record_eligibility_check(
    *, referral: Referral, on: dt.date, result: str, note: str = "", user
) -> EligibilityCheck:
    """An engagement officer's eligibility check (ELIGIBILITY_CHECKS)."""
    _check_day(on, referral, "An eligibility check", "on")
    if result not in EligibilityCheck.Result.values:
        raise FlightpathError(f"Result: one of {', '.join(EligibilityCheck.Result.labels)}.", field="result")
    return _save(EligibilityCheck(referral=referral, on=on, result=result, note=note.strip()), user)


@transaction.atomic
def record_placement_sourced(
    *, referral: Referral, on: dt.date, employer: str, role_title: str, user
) -> PlacementSourced:
    """A job or placement an employer account manager sourced for the participant (PLACEMENTS_SOURCED)."""
    _check_day(on, referral, "A placement", "on")
    for field, value, label in (("employer", employer, "Employer"), ("role_title", role_title, "Role")):
        if not value.strip():
            raise FlightpathError(f"{label}: required.", field=field)
    record = PlacementSourced(
        referral=referral, on=on, employer=employer.strip(), role_title=role_title.strip()
    )
    return _save(record, user)


def _save(record, user):
    record.recorded_by = user
    record._history_user = user
    record.save()
    return record


def participant_kpi_records(participant, user) -> dict[str, list]:
    """The participant's complaints, eligibility checks and placements sourced on the referrals the user may
    see, newest first, each with its referral and author: three queries."""
    referrals = Referral.objects.visible_to(user).filter(participant=participant)
    return {
        name: list(model.objects.filter(referral__in=referrals).select_related("referral", "recorded_by"))
        for name, model in (
            ("complaints", Complaint),
            ("checks", EligibilityCheck),
            ("placements", PlacementSourced),
        )
    }
