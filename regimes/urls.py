"""The regimes app's pages, under /regimes/."""

from django.urls import path

from . import views

app_name = "regimes"

urlpatterns = [
    path(
        "contracts/<str:ref>/subcontractors/<int:pk>/measures/",
        views.subcontractor_measures,
        name="subcontractor-measures",
    ),
]
