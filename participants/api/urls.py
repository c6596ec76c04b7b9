from django.urls import path

from . import views

urlpatterns = [
    path("contracts/", views.ContractList.as_view(), name="api-contract-list"),
]
