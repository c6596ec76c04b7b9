from django.urls import path

from . import views
from .kpis import urls as kpi_urls

app_name = "performance"
urlpatterns = [
    path("contracts/<str:ref>/", views.contract_performance, name="contract"),
    path("contracts/<str:ref>/referrals/", views.figure_referrals, name="referrals"),
    path("contracts/<str:ref>/standing/", views.contract_standing, name="standing"),
    path("contracts/<str:ref>/units/", views.units_table, name="units"),
    *kpi_urls.urlpatterns,
]
