"""The table of the workspace's small forms (DOMAIN.md 4): each row names its URL, the record it acts on,
its form, its service and its message; `views.action_view` serves every row and participants/urls.py
routes them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django import forms

from ..models import (
    Referral,
)
from . import kpi_records, person_services
from . import person_selectors as person_sel
from . import selectors as sel
from . import services as services
from .forms import (
    AppointmentForm,
    AttendanceForm,
    CancelForm,
    EarningsForm,
    EvidenceForm,
    FollowUpDoneForm,
    InWorkContactForm,
    JobStartForm,
    NoteForm,
    PsgForm,
    RebookForm,
)
from .person_forms import ExitForm, ExitReportForm, JobChangeForm, JobEndForm, SupportRecordForm


@dataclass(frozen=True)
class Target:
    """What an action's URL names: how it is found in the user's scope (a selector that 404s outside it),
    the keyword the service takes it by, and the referral whose page the form returns to."""

    find: Callable[[Any, int], Any]
    keyword: str
    referral: Callable[[Any], Referral]


REFERRAL = Target(sel.visible_referral, "referral", lambda referral: referral)
APPOINTMENT = Target(sel.visible_appointment, "appointment", attrgetter("referral"))
FOLLOW_UP = Target(sel.visible_follow_up, "task", attrgetter("referral"))
JOB = Target(person_sel.visible_job, "job", attrgetter("referral"))


def _no_options(target) -> dict:
    return {}


@dataclass(frozen=True)
class Action:
    """One small form: `action_view` serves it and participants/urls.py gives it its URL, so a new form is
    a row of ACTIONS rather than another copy of the same view."""

    name: str  # the URL name
    route: str  # the URL path; its one argument is the target's id
    target: Target
    form: type[forms.Form]
    title: str  # formatted with the target as `object`: "Rebook {object}"
    submit: str
    # Called as service(<target.keyword>=target, user=..., **arguments(cleaned data)).
    service: Callable[..., object]
    success: str
    form_options: Callable[[Any], dict] = _no_options  # the form's extra keyword arguments, from the target
    arguments: Callable[[dict], dict] = dict
    multipart: bool = False


def _evidence_arguments(data: dict) -> dict:
    return {"uploaded_file": data["file"], "kind": data["kind"], "claim_code": data["claim_code"]}


# Each row: URL name, route, target, form, title, submit label, service, success message; then options.
ACTIONS = (
    # Appointments and failure to attend.
    Action(
        "appointment-book",
        "referrals/<int:referral_id>/appointments/new/",
        REFERRAL,
        AppointmentForm,
        "Book an appointment",
        "Book appointment",
        services.book_appointment,
        "Appointment booked.",
    ),
    Action(
        "appointment-rebook",
        "appointments/<int:pk>/rebook/",
        APPOINTMENT,
        RebookForm,
        "Rebook {object}",
        "Rebook",
        services.rebook_appointment,
        "Appointment rebooked.",
        form_options=lambda appointment: {
            "initial": {"starts_at": appointment.starts_at, "location": appointment.location}
        },
    ),
    Action(
        "appointment-cancel",
        "appointments/<int:pk>/cancel/",
        APPOINTMENT,
        CancelForm,
        "Cancel {object}",
        "Cancel appointment",
        services.cancel_appointment,
        "Appointment cancelled.",
    ),
    Action(
        "appointment-outcome",
        "appointments/<int:pk>/attendance/",
        APPOINTMENT,
        AttendanceForm,
        "Record attendance: {object}",
        "Record attendance",
        services.record_attendance,
        "Attendance recorded.",
    ),
    Action(
        "follow-up-done",
        "follow-ups/<int:pk>/done/",
        FOLLOW_UP,
        FollowUpDoneForm,
        "Follow-up done: {object.description}",
        "Mark done",
        services.complete_follow_up,
        "Follow-up marked done.",
    ),
    # Peer support groups, jobs, earnings, in-work support, notes.
    Action(
        "psg-move",
        "referrals/<int:referral_id>/psg/",
        REFERRAL,
        PsgForm,
        "Move peer support group",
        "Move",
        services.move_psg,
        "Peer support group changed.",
    ),
    Action(
        "job-start",
        "referrals/<int:referral_id>/jobs/new/",
        REFERRAL,
        JobStartForm,
        "Record a job start",
        "Record job start",
        services.record_job_start,
        "Job start recorded.",
    ),
    Action(
        "earnings-milestone",
        "referrals/<int:referral_id>/earnings/new/",
        REFERRAL,
        EarningsForm,
        "Record an earnings milestone",
        "Record milestone",
        services.record_earnings_milestone,
        "Earnings milestone recorded.",
    ),
    Action(
        "in-work-contact",
        "referrals/<int:referral_id>/in-work-contacts/new/",
        REFERRAL,
        InWorkContactForm,
        "Record in-work support contact",
        "Record contact",
        services.record_in_work_contact,
        "In-work support contact recorded.",
        form_options=lambda referral: {"referral": referral},
    ),
    Action(
        "job-end",
        "jobs/<int:pk>/end/",
        JOB,
        JobEndForm,
        "Job ended: {object}",
        "Record job end",
        person_services.record_job_end,
        "Job end recorded.",
    ),
    Action(
        "job-change",
        "jobs/<int:pk>/change/",
        JOB,
        JobChangeForm,
        "Change of employment from {object}",
        "Record new job",
        person_services.record_job_change,
        "Change of employment recorded.",
    ),
    # Hours of support, expenditure and exits (DOMAIN.md 4).
    Action(
        "support-record",
        "referrals/<int:referral_id>/support/new/",
        REFERRAL,
        SupportRecordForm,
        "Record hours of support or expenditure",
        "Record",
        person_services.record_support,
        "Support recorded.",
    ),
    # The records behind the workspace KPIs (issue 12).
    Action(
        "complaint-record",
        "referrals/<int:referral_id>/complaints/new/",
        REFERRAL,
        kpi_records.ComplaintForm,
        "Record a complaint",
        "Record complaint",
        kpi_records.record_complaint,
        "Complaint recorded.",
    ),
    Action(
        "eligibility-check-record",
        "referrals/<int:referral_id>/eligibility-checks/new/",
        REFERRAL,
        kpi_records.EligibilityCheckForm,
        "Record an eligibility check",
        "Record check",
        kpi_records.record_eligibility_check,
        "Eligibility check recorded.",
    ),
    Action(
        "placement-sourced-record",
        "referrals/<int:referral_id>/placements/new/",
        REFERRAL,
        kpi_records.PlacementSourcedForm,
        "Record a job or placement sourced",
        "Record placement",
        kpi_records.record_placement_sourced,
        "Placement sourced recorded.",
    ),
    Action(
        "exit-record",
        "referrals/<int:referral_id>/exit/",
        REFERRAL,
        ExitForm,
        "Record an exit",
        "Record exit",
        person_services.record_exit,
        "Exit recorded.",
    ),
    Action(
        "exit-report",
        "referrals/<int:referral_id>/exit-report/",
        REFERRAL,
        ExitReportForm,
        "Exit report returned",
        "Record exit report",
        person_services.record_exit_report,
        "Exit report recorded.",
    ),
    Action(
        "note-add",
        "referrals/<int:referral_id>/notes/new/",
        REFERRAL,
        NoteForm,
        "Add a note",
        "Add note",
        services.add_note,
        "Note added.",
    ),
    # Evidence.
    Action(
        "evidence-upload",
        "referrals/<int:referral_id>/evidence/new/",
        REFERRAL,
        EvidenceForm,
        "Upload evidence",
        "Upload",
        services.upload_evidence,
        "Evidence uploaded.",
        arguments=_evidence_arguments,
        multipart=True,
    ),
)
