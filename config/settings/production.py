"""Production: strict settings that pass `manage.py check --deploy`."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import EMAIL_BACKEND, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY: set a random value of at least 32 characters")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The load balancer's and the compose file's health check talk plain HTTP to the container.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Backends that deliver nothing: every notice, digest and reminder would be marked sent and never arrive.
UNDELIVERING_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints every email and sends none",
    "django.core.mail.backends.locmem.EmailBackend": "keeps every email in memory and sends none",
    "django.core.mail.backends.dummy.EmailBackend": "discards every email",
}
if EMAIL_BACKEND in UNDELIVERING_MAIL_BACKENDS:
    given = "is not set: the console backend"
    if env("EMAIL_URL", default=""):
        given = f"gives {EMAIL_BACKEND}, which"
    raise ImproperlyConfigured(
        f"EMAIL_URL {given} {UNDELIVERING_MAIL_BACKENDS[EMAIL_BACKEND]}; production needs the SMTP server, "
        "e.g. EMAIL_URL=smtp+tls://user:password@smtp.example.org:587"
    )

# Support staff reach everything: their sign-in always takes a second factor (the Security page enrols).
FLIGHTPATH_2FA_REQUIRED_FOR_SUPERUSERS = env.bool("FLIGHTPATH_2FA_REQUIRED_FOR_SUPERUSERS", default=True)
# Production sits behind one TLS-terminating proxy or load balancer (SECURE_PROXY_SSL_HEADER): the client's
# address for the login lockout is the one that proxy saw, else every login would share the proxy's.
FLIGHTPATH_TRUSTED_PROXIES = env.int("FLIGHTPATH_TRUSTED_PROXIES", default=1)
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": FLIGHTPATH_TRUSTED_PROXIES}  # noqa: F405
