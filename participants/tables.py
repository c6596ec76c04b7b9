import django_tables2 as tables

from .choices import Stage
from .models import Contract, Referral


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
    # Staff named only by reference (imported, no login yet) show their reference.
    key_worker = tables.Column(
        accessor="key_worker", verbose_name="Key worker", default="—", order_by=("key_worker__name",)
    )
    stage = tables.Column(verbose_name="Stage")

    class Meta:
        model = Referral
        fields = (
            "ref",
            "participant",
            "contract",
            "referral_date",
            "group",
            "organisation",
            "site",
            "key_worker",
            "stage",
        )
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
    regime = tables.Column(orderable=False)
    referral_count = tables.Column(verbose_name="Referrals", attrs={"td": {"class": "text-end"}})

    class Meta:
        model = Contract
        fields = (
            "ref",
            "name",
            "programme",
            "cpa",
            "nation",
            "start_date",
            "end_date",
            "regime",
            "referral_count",
        )
        attrs = {"class": "table table-sm table-hover align-middle"}
