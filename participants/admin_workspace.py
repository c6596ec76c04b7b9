"""Admin of the key workers' workspace: its settings per contract and its records, with history.
Registered when participants/admin.py imports this module (`from . import admin_workspace  # noqa: F401`)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models


@admin.register(models.WorkspaceSettings)
class WorkspaceSettingsAdmin(SimpleHistoryAdmin):
    list_display = (
        "contract",
        "fta_follow_up_working_days",
        "review_interval_months",
        "review_due_soon_days",
        "no_contact_days",
    )
    autocomplete_fields = ("contract",)


@admin.register(models.Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    list_display = ("referral", "kind", "starts_at", "status", "fta_reason")
    list_filter = ("kind", "status")
    search_fields = ("referral__ref", "referral__participant__ref")
    raw_id_fields = ("referral",)


@admin.register(models.FollowUpTask)
class FollowUpTaskAdmin(SimpleHistoryAdmin):
    list_display = ("referral", "description", "due_date", "done_at")
    search_fields = ("referral__ref",)
    raw_id_fields = ("referral", "appointment")


@admin.register(models.ActionPlan)
class ActionPlanAdmin(SimpleHistoryAdmin):
    list_display = ("referral", "version", "agreed_on", "next_review_due")
    search_fields = ("referral__ref",)
    raw_id_fields = ("referral",)


@admin.register(models.EvidenceDocument)
class EvidenceDocumentAdmin(SimpleHistoryAdmin):
    list_display = ("referral", "original_name", "kind", "claim_code", "content_type", "size", "uploaded_at")
    search_fields = ("referral__ref", "original_name")
    raw_id_fields = ("referral",)
    readonly_fields = ("file", "content_type", "size", "sha256")


@admin.register(models.ClaimChecklist)
class ClaimChecklistAdmin(SimpleHistoryAdmin):
    list_display = ("event", "status", "checked_by", "checked_at")
    list_filter = ("status",)
    raw_id_fields = ("event",)
