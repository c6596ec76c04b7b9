"""The caseload table of the key workers' workspace (DOMAIN.md 1)."""

import django_tables2 as tables
from django.urls import reverse

from ..models import Referral

WIDE_ONLY = {"th": {"class": "d-none d-xxl-table-cell"}}


class CaseloadTable(tables.Table):
    """A key worker's caseload (DOMAIN.md 1): one row per referral, every column sortable. The columns give
    headers, sorting and paging; caseload_table.html writes the cells (fast for a whole caseload)."""

    # The person first (preferred name where set), the referral's reference beneath it.
    ref = tables.Column(
        verbose_name="Participant", order_by=("participant__last_name", "participant__first_name", "ref")
    )
    # Secondary columns show from 1400 px, so a tablet or a 1280 px laptop sees the flags without scrolling.
    participant = tables.Column(accessor="participant__ref", verbose_name="Participant ref", attrs=WIDE_ONLY)
    contract = tables.Column(accessor="contract__ref", verbose_name="Contract", attrs=WIDE_ONLY)
    group = tables.Column(attrs=WIDE_ONLY)
    key_worker = tables.Column(accessor="key_worker__name", verbose_name="Key worker")
    stage = tables.Column(verbose_name="Stage")
    psg = tables.Column(verbose_name="PSG")
    started_on = tables.Column(
        verbose_name="Days on programme", order_by=("-started_on",), attrs={"th": {"class": "text-end"}}
    )
    next_appointment = tables.Column(verbose_name="Next appointment")
    review_due = tables.Column(verbose_name="Plan review")
    open_follow_up_due = tables.Column(verbose_name="Flags")

    class Meta:
        model = Referral
        # What needs doing first (flags, reviews, appointments), so it stays in view on a tablet.
        fields = (
            "ref",
            "open_follow_up_due",
            "review_due",
            "next_appointment",
            "stage",
            "psg",
            "started_on",
            "key_worker",
            "participant",
            "contract",
            "group",
        )
        sequence = fields
        order_by = ("review_due",)
        attrs = {"class": "table table-sm table-hover align-middle caseload"}
        template_name = "participants/workspace/caseload_table.html"

    def __init__(self, *args, today, team: bool = False, **kwargs):
        self.today, self.team = today, team
        super().__init__(*args, exclude=() if team else ("key_worker",), **kwargs)
        self._participant_url = reverse("participant-detail", args=[0]).removesuffix("0/")

    def participant_url(self, participant_id: int) -> str:
        """The participant page's URL, reversed once per table rather than once per row."""
        return f"{self._participant_url}{participant_id}/"
