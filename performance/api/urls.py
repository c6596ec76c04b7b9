from django.urls import path

from . import kpis, views

urlpatterns = [
    path(
        "contracts/<str:contract_ref>/performance/",
        views.PerformanceView.as_view(),
        name="api-contract-performance",
    ),
    path("contracts/<str:contract_ref>/cohorts/", views.CohortsView.as_view(), name="api-contract-cohorts"),
    path(
        "contracts/<str:contract_ref>/assessments/",
        views.AssessmentsView.as_view(),
        name="api-contract-assessments",
    ),
    path("contracts/<str:contract_ref>/kpis/", kpis.KpisView.as_view(), name="api-contract-kpis"),
]
