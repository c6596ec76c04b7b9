"""FilterSets shared by the pages and the API (NetBox habit: filters written once)."""

import django_filters

from .models import Contract, Organisation, Referral, Site, Staff
from .querysets import Stage


class StyledFilterSet(django_filters.FilterSet):
    """Bootstrap classes on every widget, so templates just loop over the fields."""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            css = (
                "form-select form-select-sm" if hasattr(field, "choices") else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
            if isinstance(field.widget, django_filters.widgets.forms.DateInput):
                field.widget.input_type = "date"
        return form


def _visible_contracts(request):
    return Contract.objects.visible_to(request.user) if request else Contract.objects.none()


def scope_choices(filterset: django_filters.FilterSet, referrals) -> None:
    """Offer in the key worker, site and organisation filters only those of `referrals` (the user's, via
    `visible_to`): a drop-down never lists another organisation's staff or sites (DOMAIN.md 1), and a value
    outside them is a form error, not a filter that quietly matches nothing."""
    filterset.filters["key_worker"].queryset = Staff.objects.filter(
        pk__in=referrals.values("key_worker_id")
    ).order_by("name", "ref")
    filterset.filters["site"].queryset = Site.objects.filter(pk__in=referrals.values("site_id")).order_by(
        "name"
    )
    filterset.filters["organisation"].queryset = Organisation.objects.filter(
        pk__in=referrals.values("organisation_id")
    ).order_by("name")


class ReferralFilterSet(StyledFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    contract = django_filters.ModelChoiceFilter(
        queryset=_visible_contracts, field_name="contract", to_field_name="ref", label="Contract"
    )
    group = django_filters.CharFilter(field_name="group", label="Group")
    # Their choices are the user's (scope_choices, in __init__).
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(), label="Organisation"
    )
    site = django_filters.ModelChoiceFilter(queryset=Site.objects.none(), label="Site")
    key_worker = django_filters.ModelChoiceFilter(queryset=Staff.objects.none(), label="Key worker")
    referred_from = django_filters.DateFilter(
        field_name="referral_date", lookup_expr="gte", label="Referred from"
    )
    referred_to = django_filters.DateFilter(
        field_name="referral_date", lookup_expr="lte", label="Referred to"
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label="Stage")

    class Meta:
        model = Referral
        fields = [
            "q",
            "contract",
            "group",
            "organisation",
            "site",
            "key_worker",
            "referred_from",
            "referred_to",
            "stage",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        scope_choices(self, Referral.objects.visible_to(user))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.search(value)


class ContractFilterSet(StyledFilterSet):
    programme = django_filters.CharFilter(field_name="programme__code", label="Programme")
    nation = django_filters.CharFilter(field_name="nation")
    cpa = django_filters.CharFilter(field_name="cpa")

    class Meta:
        model = Contract
        fields = ["programme", "nation", "cpa"]
