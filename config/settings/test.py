"""Tests: the real PostgreSQL and Redis on the machine (docs/TESTING.md)."""

from .base import *  # noqa: F403
from .base import env

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/flightpath")}
REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/11")
CELERY_BROKER_URL = REDIS_URL
# Tests that need the broker start a real worker; the rest run enqueued tasks in-process on commit.
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default="/tmp/flightpath-test-media")

# Serve static files straight from the finders; no collectstatic needed to try it out or test.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Throttle counts per test process, never in the shared Redis; rates no test reaches unless it lowers them
# (tests/api/test_security.py), so a fuzzing run is never answered 429.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
}
