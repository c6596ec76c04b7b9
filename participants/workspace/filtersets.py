"""Filters of the caseload pages (DOMAIN.md 1: key worker caseload, team leader view)."""

import django_filters
from django.db.models import Q

from ..choices import Stage
from ..filtersets import StyledFilterSet
from ..models import PeerSupportGroup, Referral, Staff
from .selectors import CLOSED_STAGES

ATTENTION_CHOICES = [
    ("fta", "FTA follow-up open"),
    ("review_overdue", "Review overdue"),
    ("review_due", "Review due or overdue"),
    ("no_contact", "No recent contact"),
    ("any", "Anything needing attention"),
]
ATTENTION = {
    "fta": Q(open_follow_up_due__isnull=False),
    "review_overdue": Q(review_state="overdue"),
    "review_due": Q(review_state__in=["overdue", "due"]),
    "no_contact": Q(no_contact=True),
}
ATTENTION["any"] = ATTENTION["fta"] | ATTENTION["review_due"] | ATTENTION["no_contact"]


class CaseloadFilterSet(StyledFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    show = django_filters.ChoiceFilter(
        method="filter_show",
        label="Show",
        empty_label="Active referrals",
        choices=[("all", "All referrals, closed included")],
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label="Stage")
    psg = django_filters.ChoiceFilter(choices=PeerSupportGroup.choices, label="Peer support group")
    attention = django_filters.ChoiceFilter(
        choices=ATTENTION_CHOICES, method="filter_attention", label="Needs"
    )
    key_worker = django_filters.ModelChoiceFilter(queryset=Staff.objects.none(), label="Key worker")

    class Meta:
        model = Referral
        fields = ["q", "show", "stage", "psg", "attention", "key_worker"]

    def __init__(self, *args, team: bool = False, key_workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if team:
            self.filters["key_worker"].queryset = key_workers
        else:
            del self.filters["key_worker"]

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("show"):
            queryset = queryset.exclude(stage__in=CLOSED_STAGES)
        return super().filter_queryset(queryset)

    def filter_show(self, queryset, name, value):
        return queryset  # "all": closed referrals are kept (filter_queryset drops them otherwise)

    def filter_attention(self, queryset, name, value):
        return queryset.filter(ATTENTION[value]) if value else queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.search(value)
