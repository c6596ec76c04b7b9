"""Admin for support staff: the standards (programme templates and contracts' own tender standards) and
read-only snapshots."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Standard, StandardSnapshot


@admin.register(Standard)
class StandardAdmin(SimpleHistoryAdmin):
    list_display = (
        "code",
        "programme",
        "contract",
        "measure",
        "start_event",
        "limit_working_days",
        "target",
        "started_only",
        "position",
    )
    list_filter = ("programme", "measure")
    search_fields = ("code", "name", "contract__ref")
    autocomplete_fields = ("contract",)
    fieldsets = (
        (None, {"fields": ("code", "name", "position")}),
        (
            "Owner",
            {
                "fields": ("programme", "contract"),
                "description": "A programme's standard, or a contract's own (tender) standard: set one.",
            },
        ),
        (
            "Rule (DOMAIN.md 9)",
            {
                "fields": (
                    "measure",
                    "start_event",
                    "end_events",
                    "started_only",
                    "limit_working_days",
                    "target",
                )
            },
        ),
    )


@admin.register(StandardSnapshot)
class StandardSnapshotAdmin(admin.ModelAdmin):
    list_display = (
        "contract",
        "standard",
        "group",
        "as_of",
        "eligible",
        "met",
        "backlog",
        "over_limit",
        "status",
        "computed_at",
    )
    list_filter = ("group", "status")
    search_fields = ("contract__ref", "standard__code")
    date_hierarchy = "as_of"
    list_select_related = ("contract", "standard")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Assurance records (DOMAIN.md 13)
from .models import CmoSample, CmoSampleRecord, PatRating  # noqa: E402


class CmoSampleRecordInline(admin.TabularInline):
    model = CmoSampleRecord
    fields = ("position", "referral", "self_check", "cmo_result", "answers", "notes")
    raw_id_fields = ("referral",)
    extra = 0


@admin.register(CmoSample)
class CmoSampleAdmin(SimpleHistoryAdmin):
    list_display = ("contract", "check_date", "size", "population_size", "period_start", "period_end", "seed")
    list_filter = ("contract",)
    search_fields = ("contract__ref",)
    readonly_fields = ("drawn_at", "seed", "size", "population_size")
    inlines = [CmoSampleRecordInline]


@admin.register(PatRating)
class PatRatingAdmin(SimpleHistoryAdmin):
    list_display = ("contract", "date", "rating", "owner", "due_date")
    list_filter = ("rating", "contract")
    search_fields = ("contract__ref", "findings")
    raw_id_fields = ("owner",)
