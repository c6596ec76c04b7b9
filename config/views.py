"""Site-level views: the health check used by load balancers and the compose file."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .celery import app as celery_app


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool:
    if celery_app.conf.broker_url.startswith("memory://"):
        return True  # local trial: tasks run in-process, there is no broker to ask
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@never_cache
def health(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    ok = all(checks.values())
    body = {"status": "ok" if ok else "error", **{k: "ok" if v else "unavailable" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if ok else 503)
