import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from .models import Contract, PeerSupportGroup, Referral
from .querysets import Stage


class ReferralTable(tables.Table):
    ref = tables.Column(
        verbose_name="Referral", linkify=("participant-detail", {"pk": tables.A("participant_id")})
    )
    participant = tables.Column(accessor="participant__ref", verbose_name="Participant")
    contract = tables.Column(accessor="contract__ref", verbose_name="Contract")
    referral_date = tables.DateColumn(format="j M Y", verbose_name="Referred")
    group = tables.Column()
    organisation = tables.Column(accessor="organisation__name", verbose_name="Organisation")
    site = tables.Column(accessor="site__name", verbose_name="Site", default="—")
    key_worker = tables.Column(accessor="key_worker__name", verbose_name="Key worker", default="—")
    stage = tables.Column(verbose_name="Stage")

    class Meta:
        model = Referral
        fields = ("ref", "participant", "contract", "referral_date", "group", "organisation", "site", "key_worker", "stage")
        order_by = ("-referral_date",)
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_stage(self, value):
        return Stage(value).label


class ContractTable(tables.Table):
    ref = tables.Column(verbose_name="Contract", linkify=("contract-detail", {"ref": tables.A("ref")}))
    name = tables.Column()
    programme = tables.Column(accessor="programme__code", verbose_name="Programme")
    cpa = tables.Column(verbose_name="CPA")
    nation = tables.Column()
    start_date = tables.DateColumn(format="j M Y", verbose_name="Starts")
    end_date = tables.DateColumn(format="j M Y", verbose_name="Ends")
    regime = tables.Column()
    referral_count = tables.Column(verbose_name="Referrals", attrs={"td": {"class": "text-end"}})

    class Meta:
        model = Contract
        fields = ("ref", "name", "programme", "cpa", "nation", "start_date", "end_date", "regime", "referral_count")
        attrs = {"class": "table table-sm table-hover align-middle"}


class CaseloadTable(tables.Table):
    """A key worker's caseload (DOMAIN.md 1): one row per referral, every column sortable."""

    ref = tables.Column(
        verbose_name="Referral", linkify=("participant-detail", {"pk": tables.A("participant_id")})
    )
    participant = tables.Column(accessor="participant__ref", verbose_name="Participant")
    contract = tables.Column(accessor="contract__ref", verbose_name="Contract")
    group = tables.Column()
    key_worker = tables.Column(accessor="key_worker__name", verbose_name="Key worker", default="—")
    stage = tables.Column(verbose_name="Stage")
    psg = tables.Column(verbose_name="PSG", default="—")
    started_on = tables.Column(verbose_name="Days on programme", default="—", attrs={"td": {"class": "text-end"}},
                               order_by=("-started_on",))
    next_appointment = tables.DateTimeColumn(format="D j M H:i", verbose_name="Next appointment", default="None booked")
    review_due = tables.Column(verbose_name="Plan review", default="No plan")
    open_follow_up_due = tables.Column(verbose_name="Flags", empty_values=())

    class Meta:
        model = Referral
        fields = ("ref", "participant", "contract", "group", "key_worker", "stage", "psg", "started_on",
                  "next_appointment", "review_due", "open_follow_up_due")
        order_by = ("review_due",)
        attrs = {"class": "table table-sm table-hover align-middle caseload"}

    def __init__(self, *args, today, team: bool = False, **kwargs):
        self.today = today
        super().__init__(*args, exclude=() if team else ("key_worker",), **kwargs)

    def render_stage(self, value):
        return Stage(value).label

    def render_psg(self, value):
        return PeerSupportGroup(value).label if value in PeerSupportGroup.values else value

    def render_started_on(self, value):
        return (self.today - value).days

    def render_review_due(self, value, record):
        badge = {"overdue": ("text-bg-danger", "Overdue"), "due": ("text-bg-warning", "Due")}.get(record.review_state)
        text = date_format(value, "j M Y")
        return format_html('<span class="badge {}">{}</span> {}', *badge, text) if badge else text

    def render_open_follow_up_due(self, value, record):
        return self._flags(record)

    def _flags(self, record):
        flags = []
        if record.open_follow_up_due:
            late = record.open_follow_up_due < self.today
            flags.append(format_html(
                '<span class="badge {}">FTA follow-up {} {}</span>', "text-bg-danger" if late else "text-bg-warning",
                "was due" if late else "due", date_format(record.open_follow_up_due, "j M"),
            ))
        if record.no_contact:
            flags.append(format_html('<span class="badge text-bg-secondary">No contact since {}</span>',
                                     date_format(record.last_contact, "j M")))
        return format_html_join(" ", "{}", ((flag,) for flag in flags)) if flags else "—"
