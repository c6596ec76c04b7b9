"""Filters of the compliance pages: failing items and the due-soon worklist. Their forms validate the query
string and offer only the key workers, sites and organisations the user may see; the selectors in
compliance/selectors_pages.py apply the cleaned values (to a snapshot queryset or to items computed now)."""

import django_filters
from django import forms

from participants.filtersets import StyledFilterSet
from participants.models import Contract, Organisation, Referral, Site, Staff

from .models import FailingItem


def _scope(request, contract: Contract | None = None):
    referrals = Referral.objects.visible_to(request.user) if request else Referral.objects.none()
    return referrals.filter(contract=contract) if contract is not None else referrals


class ScopedChoicesMixin:
    """Key worker, site and organisation choices limited to those of the referrals the user may see."""

    contract: Contract | None = None

    def __init__(self, *args, contract: Contract | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        referrals = _scope(self.request, contract)
        self.filters["key_worker"].queryset = Staff.objects.filter(
            pk__in=referrals.values("key_worker_id")
        ).order_by("name", "ref")
        self.filters["site"].queryset = Site.objects.filter(pk__in=referrals.values("site_id")).order_by(
            "name"
        )
        self.filters["organisation"].queryset = Organisation.objects.filter(
            pk__in=referrals.values("organisation_id")
        ).order_by("name")


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class FailingItemFilterSet(ScopedChoicesMixin, StyledFilterSet):
    key_worker = django_filters.ModelChoiceFilter(queryset=Staff.objects.none(), label="Key worker")
    site = django_filters.ModelChoiceFilter(queryset=Site.objects.none(), label="Site")
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(), label="Organisation"
    )
    state = django_filters.ChoiceFilter(
        choices=[("open", "Still open"), ("late", "Ended late")], label="Late / open", method="by_state"
    )

    class Meta:
        model = FailingItem
        fields = ["key_worker", "site", "organisation", "state"]

    def by_state(self, queryset, name, value):
        return queryset.filter(end_date__isnull=value == "open") if value else queryset


class DueSoonFilterSet(ScopedChoicesMixin, StyledFilterSet):
    key_worker = django_filters.ModelChoiceFilter(queryset=Staff.objects.none(), label="Key worker")
    site = django_filters.ModelChoiceFilter(queryset=Site.objects.none(), label="Site")
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(), label="Organisation"
    )
    days = IntegerFilter(
        label="Working days ahead",
        method="noop",
        min_value=0,
        max_value=60,
    )
    state = django_filters.ChoiceFilter(
        label="Due / late", method="noop", choices=[("due", "Due soon"), ("late", "Already late")]
    )
    group_by = django_filters.ChoiceFilter(
        label="Group by",
        method="noop",
        empty_label="No grouping",
        choices=[
            ("key_worker_name", "Key worker"),
            ("site_name", "Site"),
            ("organisation_name", "Organisation"),
        ],
    )

    class Meta:
        model = Referral
        fields = ["key_worker", "site", "organisation", "days", "state", "group_by"]

    def noop(self, queryset, name, value):
        return queryset
