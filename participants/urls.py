from django.urls import path

from . import views
from .imports import views as imports
from .workspace import views as workspace

urlpatterns = [
    path("", views.home, name="home"),
    path("contracts/", views.contract_list, name="contract-list"),
    path("contracts/<str:ref>/", views.contract_detail, name="contract-detail"),
    path("referrals/", views.referral_list, name="referral-list"),
    path("participants/<int:pk>/", workspace.participant_detail, name="participant-detail"),
    # Import bundles (participants/imports/).
    path("imports/", imports.import_list, name="import-list"),
    path("imports/new/", imports.import_new, name="import-new"),
    path("imports/<int:pk>/", imports.import_detail, name="import-detail"),
    # The key workers' workspace (participants/workspace/).
    path("caseload/", workspace.caseload, name="caseload"),
    path("caseload/team/", workspace.team_caseload, name="team-caseload"),
    path(
        "participants/<int:pk>/section/<str:section>/", workspace.participant_section,
        name="participant-section",
    ),
    path(
        "referrals/<int:referral_id>/appointments/new/", workspace.appointment_book, name="appointment-book"
    ),
    path("appointments/<int:pk>/rebook/", workspace.appointment_rebook, name="appointment-rebook"),
    path("appointments/<int:pk>/cancel/", workspace.appointment_cancel, name="appointment-cancel"),
    path("appointments/<int:pk>/attendance/", workspace.appointment_outcome, name="appointment-outcome"),
    path("follow-ups/<int:pk>/done/", workspace.follow_up_done, name="follow-up-done"),
    path("referrals/<int:referral_id>/psg/", workspace.psg_move, name="psg-move"),
    path("referrals/<int:referral_id>/jobs/new/", workspace.job_start, name="job-start"),
    path("referrals/<int:referral_id>/earnings/new/", workspace.earnings, name="earnings-milestone"),
    path(
        "referrals/<int:referral_id>/in-work-contacts/new/", workspace.in_work_contact, name="in-work-contact"
    ),
    path("referrals/<int:referral_id>/notes/new/", workspace.note_add, name="note-add"),
    path("referrals/<int:referral_id>/evidence/new/", workspace.evidence_upload, name="evidence-upload"),
    path("evidence/<int:pk>/", workspace.evidence_download, name="evidence-download"),
    path("claims/<int:event_id>/checklist/", workspace.claim_checklist, name="claim-checklist"),
    path("referrals/<int:referral_id>/action-plan/", workspace.action_plan, name="action-plan"),
    path(
        "referrals/<int:referral_id>/action-plan/edit/", workspace.action_plan_edit, name="action-plan-edit"
    ),
    path(
        "referrals/<int:referral_id>/action-plan/review/", workspace.action_plan_review,
        name="action-plan-review",
    ),
    path("referrals/<int:referral_id>/action-plan.pdf", workspace.action_plan_pdf, name="action-plan-pdf"),
]
