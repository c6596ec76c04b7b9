"""django-tables2 tables of the compliance pages (rows are dicts from compliance/selectors_pages.py)."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from .models import CmoSampleRecord

TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}
NOWRAP = {"td": {"class": "text-nowrap"}}


class ParticipantLinkColumn(tables.Column):
    """The referral reference, linked to the participant page when the row has a participant."""

    def render(self, value, record):
        pk = record.get("participant_id")
        if not pk:
            return value
        return format_html('<a href="{}">{}</a>', reverse("participant-detail", args=[pk]), value)


class FailingItemTable(tables.Table):
    referral_ref = ParticipantLinkColumn(verbose_name="Referral")
    group = tables.Column(verbose_name="Group")
    start_date = tables.DateColumn(format="j M Y", verbose_name="Start", attrs=NOWRAP)
    deadline = tables.DateColumn(format="j M Y", verbose_name="Deadline", attrs=NOWRAP)
    end_date = tables.DateColumn(format="j M Y", verbose_name="End", default="Open", attrs=NOWRAP)
    age_working_days = tables.Column(verbose_name="Age (wd)", attrs={"td": {"class": "text-end"}})
    key_worker_name = tables.Column(verbose_name="Key worker", default="—")
    site_name = tables.Column(verbose_name="Site", default="—")

    class Meta:
        attrs = TABLE_ATTRS
        orderable = False  # DOMAIN.md 15.5 fixes the order: start date, then referral reference
        empty_text = "No failing items."


class DueSoonTable(tables.Table):
    deadline = tables.DateColumn(format="D j M Y", verbose_name="Deadline", attrs=NOWRAP)
    working_days_left = tables.Column(verbose_name="Due", attrs=NOWRAP)
    code = tables.Column(verbose_name="Standard")
    referral_ref = ParticipantLinkColumn(verbose_name="Referral")
    contract_ref = tables.Column(verbose_name="Contract")
    start_date = tables.DateColumn(format="j M Y", verbose_name="Start", attrs=NOWRAP)
    age_working_days = tables.Column(verbose_name="Age (wd)", attrs={"td": {"class": "text-end"}})
    key_worker_name = tables.Column(verbose_name="Key worker", default="—")
    site_name = tables.Column(verbose_name="Site", default="—")
    organisation_name = tables.Column(verbose_name="Organisation", default="—")

    class Meta:
        attrs = TABLE_ATTRS
        orderable = False  # by deadline, then referral reference
        empty_text = "Nothing due in this period and nothing late."

    def render_working_days_left(self, value, record):
        return due_label(value)


def due_label(days_left: int) -> str:
    if days_left < 0:
        return f"Late by {-days_left} working day{'s' if days_left != -1 else ''}"
    if days_left == 0:
        return "Due today"
    return f"In {days_left} working day{'s' if days_left != 1 else ''}"


class CmoSampleRecordTable(tables.Table):
    position = tables.Column(verbose_name="#")
    referral = tables.Column(accessor="referral__ref", verbose_name="Referral")
    referral_date = tables.DateColumn(
        accessor="referral__referral_date", format="j M Y", verbose_name="Referred"
    )
    group = tables.Column(accessor="referral__group", verbose_name="Group")
    checklist = tables.Column(accessor="answers", verbose_name="Checklist passed", orderable=False)
    self_check = tables.Column(verbose_name="Self-check", default="—")
    cmo_result = tables.Column(verbose_name="CMO result", default="—")
    notes = tables.Column(default="")
    edit = tables.TemplateColumn(
        '<a href="?record={{ record.pk }}#record-form">Record check<span class="visually-hidden"> '
        "for {{ record.referral.ref }}</span></a>",
        verbose_name="",
        orderable=False,
    )

    class Meta:
        model = CmoSampleRecord
        fields = ("position", "referral", "referral_date", "group", "checklist", "self_check", "cmo_result")
        attrs = TABLE_ATTRS

    def render_checklist(self, value, record):
        return f"{sum(1 for v in value.values() if v)} of {len(record.sample.checklist)}"
