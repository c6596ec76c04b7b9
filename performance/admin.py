"""Admin for support staff: the snapshots (read-only) and the primes' KPI definitions."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from participants.errors import FlightpathError

from .kpis import definitions
from .models import (
    AssessmentSnapshot,
    CohortSnapshot,
    KpiDefinition,
    PerformanceSnapshot,
    ProjectionSnapshot,
)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PerformanceSnapshot)
class PerformanceSnapshotAdmin(_ReadOnly):
    list_display = ["contract", "group", "month", "period", "job_outcomes", "mpl_required", "pct_of_mpl"]
    list_filter = ["period", "group"]
    search_fields = ["contract__ref"]


@admin.register(CohortSnapshot)
class CohortSnapshotAdmin(_ReadOnly):
    list_display = ["contract", "group", "cohort", "size", "as_of"]
    search_fields = ["contract__ref"]


@admin.register(AssessmentSnapshot)
class AssessmentSnapshotAdmin(_ReadOnly):
    list_display = ["contract", "group", "quarter_end", "final", "adjusted_outcomes", "mpl_required", "met"]
    list_filter = ["final", "met", "group"]
    search_fields = ["contract__ref"]


@admin.register(ProjectionSnapshot)
class ProjectionSnapshotAdmin(_ReadOnly):
    list_display = ["contract", "group", "quarter_end", "as_of", "projected", "mpl_required", "below_mpl"]
    list_filter = ["below_mpl", "group"]
    search_fields = ["contract__ref"]


class KpiDefinitionAdminForm(forms.ModelForm):
    """The rules of a prime's set (definitions.check_definition), as on the definitions page."""

    class Meta:
        model = KpiDefinition
        fields = ["prime", "name", "applies_to", "source", "direction", "active"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            fields = {name: data.get(name, getattr(self.instance, name, None)) for name in self.Meta.fields}
            try:
                definitions.check_definition(KpiDefinition(pk=self.instance.pk, **fields))
            except FlightpathError as error:
                error.add_to(self)
        return data


@admin.register(KpiDefinition)
class KpiDefinitionAdmin(SimpleHistoryAdmin):
    """A prime's KPIs; its managers edit them on the contract's KPI definitions page. Saved here through
    the same service and rule, so the ratings of the prime's contracts are recomputed."""

    form = KpiDefinitionAdminForm
    list_display = ["name", "prime", "applies_to", "source", "direction", "active"]
    list_filter = ["prime", "active", "applies_to", "direction", "source"]
    list_select_related = ["prime"]
    search_fields = ["name", "prime__ref", "prime__name"]

    def get_readonly_fields(self, request, obj=None):
        return ["prime"] if obj else []  # a definition stays with its prime

    def save_model(self, request, obj, form, change):
        definitions.save_definition(prime=obj.prime, definition=obj)

    def has_delete_permission(self, request, obj=None):
        return False  # a KPI is retired (made inactive), keeping its history; its prime's deletion takes it
