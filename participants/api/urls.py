from django.urls import path

from . import views

urlpatterns = [
    path("contracts/", views.ContractList.as_view(), name="api-contract-list"),
    path("imports/", views.ImportList.as_view(), name="api-import-list"),
    path("imports/<int:pk>/", views.ImportDetail.as_view(), name="api-import-detail"),
]
