from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("contracts/<str:ref>/standards/", views.standards, name="standards"),
    path("contracts/<str:ref>/standing/", views.contract_standing, name="standing"),
    path("contracts/<str:ref>/standards/tender/new/", views.tender_standard_edit, name="tender-standard-new"),
    path(
        "contracts/<str:ref>/standards/tender/<int:pk>/",
        views.tender_standard_edit,
        name="tender-standard-edit",
    ),
    path(
        "contracts/<str:ref>/standards/tender/<int:pk>/delete/",
        views.tender_standard_delete,
        name="tender-standard-delete",
    ),
    path("contracts/<str:ref>/standards/<str:code>/failing/", views.failing_items, name="failing-items"),
    path("due-soon/", views.due_soon, name="due-soon"),
    path("contracts/<str:ref>/assurance/", views.assurance, name="assurance"),
    path("contracts/<str:ref>/assurance/cmo-samples/new/", views.cmo_sample_new, name="cmo-sample-new"),
    path("contracts/<str:ref>/assurance/cmo-samples/<int:pk>/", views.cmo_sample, name="cmo-sample"),
    path(
        "contracts/<str:ref>/assurance/cmo-samples/<int:pk>/export/",
        views.cmo_sample_export,
        name="cmo-sample-export",
    ),
    path("contracts/<str:ref>/assurance/pat/new/", views.pat_rating_edit, name="pat-new"),
    path("contracts/<str:ref>/assurance/pat/<int:pk>/", views.pat_rating_edit, name="pat-edit"),
    path(
        "contracts/<str:ref>/assurance/validation-rounds/new/", views.validation_round_edit, name="round-new"
    ),
    path(
        "contracts/<str:ref>/assurance/validation-rounds/<int:pk>/",
        views.validation_round_edit,
        name="round-edit",
    ),
]
