"""The KPI pages, included from performance/urls.py under contracts/<ref>/kpis/ and contracts/<ref>/pips/."""

from django.urls import path

from . import definition_views, views
from .targets import views as targets

urlpatterns = [
    path("contracts/<str:ref>/kpis/", views.ratings_page, name="kpi-ratings"),
    path("contracts/<str:ref>/kpis/scores/", views.scores_page, name="kpi-scores"),
    path("contracts/<str:ref>/kpis/ratings/<int:pk>/", views.rating_page, name="kpi-rating"),
    path("contracts/<str:ref>/kpis/ratings/<int:pk>/accept/", views.accept_view, name="kpi-rating-accept"),
    path("contracts/<str:ref>/kpis/ratings/<int:pk>/dismiss/", views.dismiss_view, name="kpi-rating-dismiss"),
    path("contracts/<str:ref>/kpis/ratings/<int:pk>/referrals/", views.referrals_page, name="kpi-referrals"),
    path("contracts/<str:ref>/pips/", views.pip_list, name="pip-list"),
    path("contracts/<str:ref>/pips/<int:pk>/", views.pip_page, name="pip-detail"),
    path("contracts/<str:ref>/kpis/definitions/", definition_views.definitions_page, name="kpi-definitions"),
    path(
        "contracts/<str:ref>/kpis/definitions/<int:pk>/",
        definition_views.definition_edit,
        name="kpi-definition-edit",
    ),
    path("contracts/<str:ref>/kpis/targets/", targets.targets_page, name="kpi-targets"),
    path("contracts/<str:ref>/kpis/targets/upload/", targets.upload_view, name="kpi-targets-upload"),
]
