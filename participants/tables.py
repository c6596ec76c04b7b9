import django_tables2 as tables
from django.core.paginator import Paginator
from django_tables2.paginators import LazyPaginator

from .choices import Stage
from .models import Contract, Referral

SEARCH_COUNTED = 1_000  # a search counts its matches up to this many; beyond, the list says "more than"


class CountedPaginator(Paginator):
    """Django's paginator over a count already taken (`search_pagination`'s)."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count


class MoreThanPaginator(LazyPaginator):
    """A search matching more than SEARCH_COUNTED referrals: pages without a count (django-tables2's lazy
    paging fetches one row more than a page to know whether another follows), every match still reached."""

    @property
    def more_than(self) -> int:
        return SEARCH_COUNTED


def search_pagination(referrals) -> dict:
    """RequestConfig's `paginate` options for the referrals a search matched. Counting every match of a common
    name reads every referral (a million for the 14,000 of "khan"; the page itself reads a few thousand, in
    date order), so the count stops at SEARCH_COUNTED + 1 (a count over a LIMIT): up to SEARCH_COUNTED the
    list shows the exact number and numbered pages, beyond it "more than" and pages as far as they are
    known (docs/decisions.md, issue 13)."""
    counted = referrals.order_by().values("pk")[: SEARCH_COUNTED + 1].count()
    if counted > SEARCH_COUNTED:
        return {"paginator_class": MoreThanPaginator}
    return {"paginator_class": CountedPaginator, "count": counted}


class ReferralTable(tables.Table):
    ref = tables.Column(
        verbose_name="Referral", linkify=("participant-detail", {"pk": tables.A("participant_id")})
    )
    participant = tables.Column(accessor="participant__ref", verbose_name="Participant")
    contract = tables.Column(accessor="contract__ref", verbose_name="Contract")
    # Ties broken by id (the referral_date_order index), so one day's referrals keep their order from page
    # to page.
    referral_date = tables.DateColumn(
        format="j M Y", verbose_name="Referred", order_by=("referral_date", "id")
    )
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
