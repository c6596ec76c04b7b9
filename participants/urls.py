from django.urls import path

from . import views
from .imports import views as imports
from .workspace import actions as workspace_actions
from .workspace import person_views as person
from .workspace import views as workspace

urlpatterns = [
    path("", views.home, name="home"),
    path("contracts/", views.contract_list, name="contract-list"),
    path("contracts/<str:ref>/", views.contract_detail, name="contract-detail"),
    path("referrals/", views.referral_list, name="referral-list"),
    path("participants/<int:pk>/", workspace.participant_detail, name="participant-detail"),
    path("participants/<int:pk>/edit/", person.participant_edit, name="participant-edit"),
    path("participants/<int:pk>/nino/", person.participant_nino, name="participant-nino"),
    path("contracts/<str:ref>/support/", person.contract_support, name="contract-support"),
    # Import bundles (participants/imports/).
    path("imports/", imports.import_list, name="import-list"),
    path("imports/new/", imports.import_new, name="import-new"),
    path("imports/<int:pk>/", imports.import_detail, name="import-detail"),
    # The key workers' workspace (participants/workspace/).
    path("caseload/", workspace.caseload, name="caseload"),
    path("caseload/team/", workspace.team_caseload, name="team-caseload"),
    path(
        "participants/<int:pk>/section/<str:section>/",
        workspace.participant_section,
        name="participant-section",
    ),
    # The small forms: one generic view each, from the table workspace/actions.py.
    *(path(a.route, workspace.action_view(a), name=a.name) for a in workspace_actions.ACTIONS),
    path("evidence/<int:pk>/", workspace.evidence_download, name="evidence-download"),
    path("claims/<int:event_id>/checklist/", workspace.claim_checklist, name="claim-checklist"),
    path("referrals/<int:referral_id>/action-plan/", workspace.action_plan, name="action-plan"),
    path(
        "referrals/<int:referral_id>/action-plan/edit/", workspace.action_plan_edit, name="action-plan-edit"
    ),
    path(
        "referrals/<int:referral_id>/action-plan/review/",
        workspace.action_plan_review,
        name="action-plan-review",
    ),
]
