"""Admin for support staff: the snapshots (read-only)."""

from django.contrib import admin

from .models import (
    AssessmentSnapshot,
    CohortSnapshot,
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
