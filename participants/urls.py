from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("contracts/", views.contract_list, name="contract-list"),
    path("contracts/<str:ref>/", views.contract_detail, name="contract-detail"),
    path("referrals/", views.referral_list, name="referral-list"),
    path("participants/<int:pk>/", views.participant_detail, name="participant-detail"),
]
