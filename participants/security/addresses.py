"""The address a request came from, as the sign-in lockout (django-axes) and the API's anonymous throttle
count it."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """With FLIGHTPATH_TRUSTED_PROXIES = n reverse proxies in front, the n-th address from the right of
    X-Forwarded-For (each proxy appends the address it was reached from; anything further left was written by
    the client and may be forged), as DRF's NUM_PROXIES reads it; otherwise REMOTE_ADDR."""
    proxies = settings.FLIGHTPATH_TRUSTED_PROXIES
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if proxies and hops:
        return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR")
