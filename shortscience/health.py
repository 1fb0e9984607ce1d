"""The health endpoint that load balancers and monitors poll."""

import logging
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# Seconds to wait for the broker before calling it down.
BROKER_TIMEOUT = 2.0


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker(url: str) -> None:
    from kombu import Connection

    with Connection(url, connect_timeout=BROKER_TIMEOUT) as broker:
        # One attempt: a probe must not wait through retry intervals.
        broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT)


def _run(name: str, check, *args) -> dict:
    start = time.perf_counter()
    try:
        check(*args)
    except Exception as error:  # any failure means "down", whatever its type
        logger.warning("Health check failed: check=%s error=%r", name, error)
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True, "ms": round((time.perf_counter() - start) * 1000, 1)}


@never_cache
@require_GET
def health(request):
    """Return 200 if the database and the broker respond, else 503, as JSON.

    The broker is checked only when ``CELERY_BROKER_URL`` is set. Error
    details go to the log, not to the response.
    """
    checks = {"database": _run("database", _check_database)}
    broker_url = getattr(settings, "CELERY_BROKER_URL", "")
    if broker_url:
        checks["broker"] = _run("broker", _check_broker, broker_url)
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
