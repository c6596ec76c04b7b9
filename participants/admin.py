"""Admin for support staff (superusers only: participants.adminsite): every model, with search and filters."""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import mail, models


@admin.register(models.Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "cohort_basis", "outcome_window_days", "has_quarterly_review")
    search_fields = ("code", "name")


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("ref", "name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("ref", "name")
    autocomplete_fields = ("parent",)


@admin.register(models.Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ("ref", "name", "programme", "prime", "cpa", "nation", "start_date", "end_date")
    list_filter = ("programme", "nation")
    search_fields = ("ref", "name", "cpa")
    autocomplete_fields = ("prime",)
    filter_horizontal = ("delivery_organisations", "dwp_contacts")


@admin.register(models.Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("ref", "name", "organisation")
    list_filter = ("organisation",)
    search_fields = ("ref", "name")


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "site")
    list_filter = ("site__organisation",)
    search_fields = ("name",)


class StaffForm(forms.ModelForm):
    class Meta:
        model = models.Staff
        fields = ("ref", "name", "user", "role", "organisation", "sites", "managed_organisations", "team")

    def clean(self):
        """Only a partnerships manager has assigned subcontractors, only their own prime's (DOMAIN.md 1)."""
        data = super().clean()
        managed = data.get("managed_organisations") or []
        organisation = data.get("organisation")
        if managed and data.get("role") != models.Role.PARTNERSHIPS_MANAGER:
            self.add_error("managed_organisations", "Only a partnerships manager is assigned subcontractors.")
        elif managed:
            foreign = [o.name for o in managed if organisation is None or o.parent_id != organisation.pk]
            if foreign:
                self.add_error(
                    "managed_organisations",
                    f"Not subcontractors of {organisation or 'their organisation'}: {', '.join(foreign)}.",
                )
        return data


@admin.register(models.Staff)
class StaffAdmin(SimpleHistoryAdmin):
    form = StaffForm
    list_display = ("ref", "name", "role", "organisation", "user")
    list_filter = ("role", "organisation")
    search_fields = ("ref", "name", "user__username")
    autocomplete_fields = ("user", "organisation", "team")
    filter_horizontal = ("sites", "managed_organisations")


@admin.register(models.Participant)
class ParticipantAdmin(SimpleHistoryAdmin):
    list_display = ("ref", "prime", "date_of_birth", "gender", "disability", "postcode_district")
    list_filter = ("prime", "gender", "disability")
    search_fields = ("ref",)
    list_select_related = ("prime",)
    # Issue 13: the NI number is never shown unmasked outside its logged reveal (docs/decisions.md).
    exclude = ("nino",)
    readonly_fields = ("masked_nino",)

    @admin.display(description="National Insurance number")
    def masked_nino(self, obj) -> str:
        return obj.masked_nino


class JourneyEventInline(admin.TabularInline):
    model = models.JourneyEvent
    extra = 0
    fields = ("code", "event_date", "amount", "detail", "source")
    ordering = ("event_date",)


@admin.register(models.Referral)
class ReferralAdmin(SimpleHistoryAdmin):
    list_display = (
        "ref",
        "contract",
        "participant",
        "referral_date",
        "group",
        "organisation",
        "site",
        "key_worker",
    )
    list_filter = ("contract", "group", "organisation")
    search_fields = ("ref", "participant__ref")
    date_hierarchy = "referral_date"
    list_select_related = ("contract", "participant", "organisation", "site", "key_worker")
    raw_id_fields = ("participant", "key_worker", "site")
    inlines = [JourneyEventInline]


@admin.register(models.ReferralAssignment)
class ReferralAssignmentAdmin(admin.ModelAdmin):
    list_display = ("referral", "organisation", "site", "key_worker", "since", "until")
    list_filter = ("organisation",)
    search_fields = ("referral__ref",)
    raw_id_fields = ("referral", "site", "key_worker")


@admin.register(models.JourneyEvent)
class JourneyEventAdmin(SimpleHistoryAdmin):
    list_display = ("referral", "code", "event_date", "amount", "detail", "source")
    list_filter = ("code", "source", "contract")
    search_fields = ("referral__ref",)
    date_hierarchy = "event_date"
    raw_id_fields = ("referral",)
    list_select_related = ("referral",)


@admin.register(models.ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "source", "user", "started_at", "finished_at", "status", "error_count")
    list_filter = ("status",)
    search_fields = ("source",)
    readonly_fields = ("checksums", "counts", "errors")


@admin.register(models.JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "contract",
        "status",
        "started_at",
        "heartbeat_at",
        "finished_at",
        "progress",
        "message",
    )
    list_filter = ("kind", "status")


@admin.register(models.ValidationRound)
class ValidationRoundAdmin(SimpleHistoryAdmin):
    list_display = ("contract", "round", "period_start", "period_end", "invalid_pct", "status")
    list_filter = ("contract", "status")


@admin.register(models.MplProfile)
class MplProfileAdmin(SimpleHistoryAdmin):
    list_display = ("contract", "group", "month", "cumulative_pct")
    list_filter = ("contract", "group")


@admin.register(models.MplTarget)
class MplTargetAdmin(SimpleHistoryAdmin):
    list_display = ("contract", "group", "period_start", "period_end", "required_outcomes")
    list_filter = ("contract", "group")


# The key workers' workspace (DOMAIN.md 4, 11)


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


# What is owed to the outside: emails and recompute requests (participants.mail, participants.jobs)


@admin.register(models.OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Support staff check an UNKNOWN message (did it arrive?) and queue it, or a FAILED one, again."""

    list_display = (
        "subject",
        "recipients",
        "kind",
        "state",
        "attempts",
        "created_at",
        "sent_at",
        "last_reply",
    )
    list_filter = ("state", "kind")
    search_fields = ("key", "subject", "message_id", "to")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in models.OutboxMessage._meta.fields]
    actions = ["queue_again"]

    @admin.display(description="to")
    def recipients(self, message: models.OutboxMessage) -> str:
        return ", ".join(message.to)

    def has_add_permission(self, request) -> bool:
        return False  # a message is queued by what it tells of, never typed in

    @admin.action(description="Queue the selected unknown or failed messages again", permissions=["change"])
    def queue_again(self, request, queryset) -> None:
        count = mail.requeue(messages=queryset)
        self.message_user(request, f"{count} message(s) queued again.")


@admin.register(models.RecomputeRequest)
class RecomputeRequestAdmin(admin.ModelAdmin):
    list_display = ("task", "contract", "months", "created_at", "attempts", "last_error")
    list_filter = ("task",)
    readonly_fields = ("task", "contract", "months", "created_at", "attempts", "last_error")

    def has_add_permission(self, request) -> bool:
        return False


# The access log of personal data (participants.audit): read-only, searched by user, participant reference,
# view or address, and by date.


@admin.register(models.AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "view", "refs", "count", "ip_address")
    list_filter = ("view",)
    date_hierarchy = "at"
    search_fields = ("username", "view", "path", "ip_address")
    search_help_text = "A username, a participant's exact reference, a view name, a path or an IP address."
    show_full_result_count = False  # the log grows without bound: no second COUNT of the whole table

    @admin.display(description="participants")
    def refs(self, entry: models.AccessLog) -> str:
        return ", ".join(entry.participant_refs)

    def get_search_results(self, request, queryset, search_term):
        """Also a participant's reference, exactly as the page showed it (the GIN index answers it)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            found = found | queryset.filter(participant_refs__contains=[term])
        return found, may_have_duplicates

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
