"""django-tables2 tables of the performance pages."""

import django_tables2 as tables

from participants.models import Referral
from participants.querysets import Stage


class MemberTable(tables.Table):
    """The referrals behind a figure; `counts` says how many times each is counted in it."""

    ref = tables.Column(
        verbose_name="Referral", linkify=("participant-detail", {"pk": tables.A("participant_id")})
    )
    participant = tables.Column(accessor="participant__ref", verbose_name="Participant")
    referral_date = tables.DateColumn(format="j M Y", verbose_name="Referred")
    group = tables.Column()
    organisation = tables.Column(accessor="organisation__name", verbose_name="Organisation")
    site = tables.Column(accessor="site__name", verbose_name="Site", default="—")
    key_worker = tables.Column(accessor="key_worker__name", verbose_name="Key worker", default="—")
    stage = tables.Column(verbose_name="Stage")
    counted = tables.Column(
        empty_values=(), orderable=False, verbose_name="Times counted", attrs={"td": {"class": "text-end"}}
    )

    class Meta:
        model = Referral
        fields = (
            "ref",
            "participant",
            "referral_date",
            "group",
            "organisation",
            "site",
            "key_worker",
            "stage",
            "counted",
        )
        order_by = ("referral_date", "ref")
        attrs = {"class": "table table-sm table-hover align-middle"}

    def __init__(self, *args, counts: dict[int, int], **kwargs):
        self.counts = counts
        super().__init__(*args, **kwargs)

    def render_stage(self, value):
        return Stage(value).label

    def render_counted(self, record):
        return self.counts.get(record.pk, 0)
