"""The regimes app's part of /api/v1/ (DATA.md "Regimes, notices and KPIs")."""

from django.urls import path

from . import views

urlpatterns = [
    path("contracts/<str:contract_ref>/notices/", views.NoticeList.as_view(), name="api-contract-notices"),
    path(
        "contracts/<str:contract_ref>/notices/<int:pk>/",
        views.NoticeDetail.as_view(),
        name="api-contract-notice",
    ),
    path("contracts/<str:contract_ref>/regime/", views.RegimeView.as_view(), name="api-contract-regime"),
    path(
        "contracts/<str:contract_ref>/recommendations/",
        views.RecommendationsView.as_view(),
        name="api-contract-recommendations",
    ),
    path(
        "contracts/<str:contract_ref>/decisions/",
        views.DecisionsView.as_view(),
        name="api-contract-decisions",
    ),
    path(
        "contracts/<str:contract_ref>/obligations/",
        views.ObligationsView.as_view(),
        name="api-contract-obligations",
    ),
]
