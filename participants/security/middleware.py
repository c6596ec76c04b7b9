"""The second step of signing in, enforced for every request: a signed-in user who has an authenticator but
has not given a code this session, or a superuser who must enrol one and has not (production), reaches only
the page that takes the code (or enrols) and sign-out. Pages are sent there; the API answers 403."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import services

VERIFY, ENROL = "verify", "enrol"
# Where each step is taken, and the only routes open until it is.
STEP_URL = {VERIFY: "two-factor", ENROL: "security"}
OPEN_ROUTES = {
    VERIFY: ("two-factor", "logout"),
    ENROL: ("security", "security-enrol", "security-confirm", "logout"),
}
API_REFUSALS = {
    VERIFY: "Two-factor sign-in is not complete: enter the code from your authenticator app at "
    "/accounts/two-factor/.",
    ENROL: "Superusers must set up two-factor sign-in first, on the Security page (/accounts/security/).",
}


def pending_step(request: HttpRequest) -> str | None:
    """VERIFY, ENROL or None (nothing owed) for the request's user."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return None
    if services.has_authenticator(user):
        return VERIFY
    return ENROL if services.must_enrol(user) else None


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        step = pending_step(request)
        if step is None or request.path_info in {reverse(name) for name in OPEN_ROUTES[step]}:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": API_REFUSALS[step]}, status=403)
        url = reverse(STEP_URL[step])
        if request.method == "GET":
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return redirect(url)
