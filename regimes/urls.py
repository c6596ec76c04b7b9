"""The regimes app's pages, under /regimes/."""

from django.urls import path

from . import views

app_name = "regimes"

urlpatterns = [
    path("contracts/<str:ref>/notices/", views.notices, name="notices"),
    path("contracts/<str:ref>/notices/new/", views.notice_new, name="notice-new"),
    path("contracts/<str:ref>/notices/<int:pk>/", views.notice, name="notice"),
    path("contracts/<str:ref>/notices/<int:pk>/resend/", views.notice_resend, name="notice-resend"),
    path("contracts/<str:ref>/notices/<int:pk>/send/", views.notice_send, name="notice-send"),
]
