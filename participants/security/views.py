"""The Security page (password, two-factor sign-in) and the code asked at sign-in. Thin: parse, call a
service, render; a service's FlightpathError becomes the form's error."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.contrib.messages.views import SuccessMessageMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..errors import FlightpathError
from . import services
from .forms import CodeForm


@login_required
def security(request: HttpRequest) -> HttpResponse:
    return _security_page(request)


@login_required
@require_POST
def enrol(request: HttpRequest) -> HttpResponse:
    services.start_enrolment(user=request.user)
    return redirect("security")


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            device = services.confirm_enrolment(user=request.user, code=form.cleaned_data["code"])
        except FlightpathError as exc:
            form.add_error(exc.field, exc.message)
        else:
            otp_login(request, device)  # the code just given counts for this session
            messages.success(request, "Two-factor sign-in is on: each login now asks for a code.")
            return redirect("security")
    return _security_page(request, confirm_form=form)


@login_required
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            services.remove_authenticator(user=request.user, code=form.cleaned_data["code"])
        except FlightpathError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("security")
    return _security_page(request, remove_form=form)


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """The second step of signing in, for a user with an authenticator (TwoFactorMiddleware sends them)."""
    next_url = _safe_next(request)
    if request.user.is_verified() or not services.has_authenticator(request.user):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_sign_in(user=request.user, code=form.cleaned_data["code"])
        except FlightpathError as exc:
            form.add_error(exc.field, exc.message)
        else:
            otp_login(request, device)
            return redirect(next_url)
    status = 400 if form.errors else 200
    return render(request, "registration/two_factor.html", {"form": form, "next": next_url}, status=status)


def _security_page(
    request: HttpRequest, *, confirm_form: CodeForm | None = None, remove_form: CodeForm | None = None
) -> HttpResponse:
    """The page, with the form that was sent (and its errors) where it was sent from."""
    pending = services.pending_authenticator(request.user)
    context = {
        "authenticator": services.authenticator_of(request.user),
        "pending": pending,
        "qr_svg": _qr_svg(pending) if pending else None,
        "secret": services.secret_of(pending) if pending else None,
        "must_enrol": services.must_enrol(request.user),
        "password_rules": password_validators_help_text_html(),
        "confirm_form": confirm_form or CodeForm(),
        "remove_form": remove_form or CodeForm(),
    }
    failed = confirm_form is not None or remove_form is not None
    return render(request, "participants/security.html", context, status=400 if failed else 200)


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """Django's password change (the password validators of settings apply), back to the Security page."""

    success_url = reverse_lazy("security")
    success_message = "Your password is changed. Your other signed-in browsers are signed out."


def _safe_next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home")


def _qr_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// address as an SVG QR code, drawn here (segno), never by an outside service:
    the address holds the secret."""
    qr = segno.make(device.config_url, error="m")
    return mark_safe(qr.svg_inline(scale=5, title="QR code for your authenticator app", svgclass="totp-qr"))
