from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from participants.api.docs import ApiDocsView
from participants.security import views as security

from . import views

api_v1 = [
    path("", include("participants.api.urls")),
    path("", include("compliance.api.urls")),
    path("", include("performance.api.urls")),
    path("", include("regimes.api.urls")),
]

urlpatterns = [
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Signing in: the code of two-factor sign-in, and each user's Security page (participants/security/).
    path("accounts/two-factor/", security.two_factor, name="two-factor"),
    path("accounts/security/", security.security, name="security"),
    path("accounts/security/enrol/", security.enrol, name="security-enrol"),
    path("accounts/security/confirm/", security.confirm, name="security-confirm"),
    path("accounts/security/remove/", security.remove, name="security-remove"),
    path("accounts/security/password/", security.PasswordChangeView.as_view(), name="password-change"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Both for signed-in callers only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]).
    path("api/docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
    path("compliance/", include("compliance.urls")),
    path("performance/", include("performance.urls")),
    path("regimes/", include("regimes.urls")),
    path("", include("reporting.urls")),
    path("", include("participants.urls")),
]
