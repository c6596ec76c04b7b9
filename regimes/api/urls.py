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
]
