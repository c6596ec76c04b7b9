"""The regimes app's pages, under /regimes/."""

from django.urls import path

from . import views

app_name = "regimes"

urlpatterns = [
    path("contracts/<str:ref>/", views.regime, name="regime"),
    path("contracts/<str:ref>/standing/", views.standing, name="standing"),
    path("contracts/<str:ref>/decisions/", views.decide, name="decide"),
    path("contracts/<str:ref>/recommendations/dismiss/", views.dismiss, name="dismiss"),
    path("contracts/<str:ref>/due/", views.due_contract, name="due-contract"),
    path("contracts/<str:ref>/timeline/", views.timeline_page, name="timeline"),
    path("due/", views.due_mine, name="due-mine"),
    path("due/feed/rotate/", views.feed_rotate, name="feed-rotate"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
