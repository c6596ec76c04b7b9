"""Filters of the compliance pages: failing items and the due-soon worklist. Their forms validate the query
string and offer only the key workers, sites and organisations the user may see; the selectors in
compliance/selectors/pages.py apply the cleaned values (to a snapshot queryset or to items computed now)."""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
import numpy as np
import pandas as pd
from django import forms

from participants.filtersets import StyledFilterSet, scope_choices
from participants.models import Contract, Organisation, Referral, Site, Staff

from .models import FailingItem

# What the failing-item states mean (DOMAIN.md 9 drill-down, 15.5), as lookups on a failing item's fields.
FAILING_ITEM_STATES: dict[str, tuple[str, dict[str, bool]]] = {
    "open": ("Still open", {"end_date__isnull": True}),  # no end event as at A
    "late": ("Ended late", {"end_date__isnull": False}),  # ended, so after its deadline: it is failing
}


@dataclass(frozen=True)
class FailingItemFilters:
    """The failing-item filters chosen (ids of a key worker, site and delivering organisation; a state of
    FAILING_ITEM_STATES). `lookups` is what they mean, once: a snapshot's items are filtered with those
    lookups in SQL, items computed on demand with `matching`, which reads the same lookups."""

    key_worker: int | None = None
    site: int | None = None
    organisation: int | None = None
    state: str = ""

    def lookups(self, contract: Contract) -> dict[str, object]:
        """Field lookups on a failing item: its key worker and site as held on the item, its referral's
        delivering organisation, its end date for the state."""
        lookups: dict[str, object] = {}
        if self.key_worker:
            lookups["key_worker_id"] = self.key_worker
        if self.site:
            lookups["site_id"] = self.site
        if self.organisation:
            lookups["referral_id__in"] = Referral.objects.filter(
                contract=contract, organisation_id=self.organisation
            ).values_list("pk", flat=True)
        if self.state:
            lookups.update(FAILING_ITEM_STATES[self.state][1])
        return lookups


def matching(items: pd.DataFrame, lookups: dict[str, object]) -> np.ndarray:
    """Which rows of `items` (failing items as a frame) the lookups keep, read as the ORM reads them: exact,
    `__in` and `__isnull`. A lookup of another kind is an error, not ignored."""
    keep = np.ones(len(items), dtype=bool)
    for lookup, value in lookups.items():
        column, _, kind = lookup.partition("__")
        if kind == "isnull":
            keep &= items[column].isna().to_numpy() == value
        elif kind == "in":
            keep &= items[column].isin(list(value)).to_numpy()
        elif not kind:
            keep &= (items[column] == value).to_numpy()
        else:
            raise ValueError(f"matching: unsupported lookup {lookup!r}")
    return keep


def _scope(request, contract: Contract | None = None):
    referrals = Referral.objects.visible_to(request.user) if request else Referral.objects.none()
    return referrals.filter(contract=contract) if contract is not None else referrals


class ScopedChoicesMixin:
    """Key worker, site and organisation choices limited to those of the referrals the user may see."""

    contract: Contract | None = None

    def __init__(self, *args, contract: Contract | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        scope_choices(self, _scope(self.request, contract))

    def noop(self, queryset, name, value):
        return queryset


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class FailingItemFilterSet(ScopedChoicesMixin, StyledFilterSet):
    """The failing-item filters' form; `chosen()` gives the cleaned values, which the selector applies
    (FailingItemFilters: one meaning for snapshot and computed items)."""

    key_worker = django_filters.ModelChoiceFilter(
        queryset=Staff.objects.none(), label="Key worker", method="noop"
    )
    site = django_filters.ModelChoiceFilter(queryset=Site.objects.none(), label="Site", method="noop")
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(), label="Organisation", method="noop"
    )
    state = django_filters.ChoiceFilter(
        choices=[(state, label) for state, (label, _) in FAILING_ITEM_STATES.items()],
        label="Late / open",
        method="noop",
    )

    class Meta:
        model = FailingItem
        fields = ["key_worker", "site", "organisation", "state"]

    def chosen(self) -> FailingItemFilters:
        data = self.form.cleaned_data
        return FailingItemFilters(
            key_worker=getattr(data.get("key_worker"), "pk", None),
            site=getattr(data.get("site"), "pk", None),
            organisation=getattr(data.get("organisation"), "pk", None),
            state=data.get("state") or "",
        )


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
