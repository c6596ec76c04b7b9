"""The regimes app's pages, under /regimes/."""

from django.urls import path

from .views import measures, notices, plans, regime, reviews

app_name = "regimes"

C = "contracts/<str:ref>/"
urlpatterns: list = [
    # Provider action plans and flight paths (DOMAIN.md 17.8), the dashboard's release dates (17.7).
    path(f"{C}plans/", plans.plans, name="plans"),
    path(f"{C}plans/new/", plans.plan_new, name="plan-new"),
    path(f"{C}plans/<int:pk>/", plans.plan, name="plan"),
    path(f"{C}plans/<int:pk>/actions/new/", plans.plan_action_new, name="plan-action-new"),
    path(f"{C}plans/<int:pk>/flight-path/", plans.plan_flight_path, name="plan-flight-path"),
    path(f"{C}plans/<int:pk>/submit/", plans.plan_submit, name="plan-submit"),
    path(f"{C}plans/<int:pk>/decide/", plans.plan_decide, name="plan-decide"),
    path(f"{C}plans/<int:pk>/meeting/", plans.plan_meeting, name="plan-meeting"),
    path(f"{C}plans/<int:pk>/letter.pdf", plans.plan_letter, name="plan-letter"),
    path(f"{C}dashboard-releases/new/", plans.release_new, name="release-new"),
    # CPRs and their Contract Assessment Report (17.9), deep dives and go-look-sees.
    path(f"{C}cprs/new/", reviews.cpr_edit, name="cpr-new"),
    path(f"{C}cprs/<int:pk>/", reviews.cpr, name="cpr"),
    path(f"{C}cprs/<int:pk>/edit/", reviews.cpr_edit, name="cpr-edit"),
    path(f"{C}cprs/<int:pk>/hold/", reviews.cpr_hold, name="cpr-hold"),
    path(f"{C}cprs/<int:pk>/questions/new/", reviews.cpr_question, name="cpr-question"),
    path(f"{C}cprs/<int:pk>/action-points/new/", reviews.cpr_action_point, name="cpr-action-point"),
    path(f"{C}cprs/<int:pk>/report.pdf", reviews.cpr_report, name="cpr-report"),
    path(f"{C}key-questions/<int:pk>/answer/", reviews.question_answer, name="question-answer"),
    path(f"{C}action-points/<int:pk>/", reviews.action_point_status, name="action-point"),
    path(f"{C}deep-dives/new/", reviews.deep_dive_edit, name="deep-dive-new"),
    path(f"{C}deep-dives/<int:pk>/", reviews.deep_dive, name="deep-dive"),
    path(f"{C}deep-dives/<int:pk>/edit/", reviews.deep_dive_edit, name="deep-dive-edit"),
    path(f"{C}deep-dives/<int:pk>/follow-ups/new/", reviews.deep_dive_follow_up, name="deep-dive-follow-up"),
    path(f"{C}deep-dives/<int:pk>/letter.pdf", reviews.deep_dive_letter, name="deep-dive-letter"),
    # Issue notices to DWP (DOMAIN.md 12, 17.10-17.11).
    path(f"{C}notices/", notices.notices, name="notices"),
    path(f"{C}notices/new/", notices.notice_new, name="notice-new"),
    path(f"{C}notices/<int:pk>/", notices.notice, name="notice"),
    path(f"{C}notices/<int:pk>/resend/", notices.notice_resend, name="notice-resend"),
    path(f"{C}notices/<int:pk>/send/", notices.notice_send, name="notice-send"),
    # The regime: state, decisions, recommendations, what's due, its calendar feed, the timeline (17.1-17.7).
    path(C, regime.regime, name="regime"),
    path(f"{C}standing/", regime.standing, name="standing"),
    path(f"{C}decisions/", regime.decide, name="decide"),
    path(f"{C}recommendations/dismiss/", regime.dismiss, name="dismiss"),
    path(f"{C}due/", regime.due_contract, name="due-contract"),
    path(f"{C}timeline/", regime.timeline_page, name="timeline"),
    path("due/", regime.due_mine, name="due-mine"),
    path("due/feed/rotate/", regime.feed_rotate, name="feed-rotate"),
    path("feed/<str:token>.ics", regime.feed, name="feed"),
    # The subcontractor ladder (DOMAIN.md 11): SMART actions, reduced targets, suspension, termination.
    path(
        f"{C}subcontractors/<int:pk>/measures/",
        measures.subcontractor_measures,
        name="subcontractor-measures",
    ),
]
