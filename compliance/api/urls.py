from django.urls import path

from . import views

urlpatterns = [
    path(
        "contracts/<str:contract_ref>/standards/",
        views.StandardsView.as_view(),
        name="api-contract-standards",
    ),
    path(
        "contracts/<str:contract_ref>/standards/<str:code>/failures/",
        views.StandardFailuresView.as_view(),
        name="api-contract-standard-failures",
    ),
]
