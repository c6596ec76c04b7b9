from django.urls import path

from . import views

urlpatterns = [
    path("referrals/<int:referral_id>/action-plan.pdf", views.action_plan_pdf, name="action-plan-pdf"),
]
