"""Liveness and readiness for load balancers and orchestrators. Both answer once the request
has passed the tenant middleware, on a province's host or the platform's.

- `/healthz`: the process answers (liveness: restart it when this fails).
- `/readyz`: it can serve: the database, the cache and the task broker each answer within a
  second (readiness: send it no traffic while this fails). The body names each check and its
  result, never an address or a secret."""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 1.0


def health(request):
    return HttpResponse("ok", content_type="text/plain")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _ping(url: str) -> None:
    client = redis.Redis.from_url(
        url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()


def _cache() -> None:
    location = settings.CACHES["default"]["LOCATION"]
    _ping(location[0] if isinstance(location, list | tuple) else location)


def _broker() -> None:
    _ping(settings.CELERY_BROKER_URL)


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


@never_cache
def readiness(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # any failure means "not ready"; details go to the log
            logger.warning("readiness: %s failed (%s)", name, type(error).__name__)
            results[name] = "failed"
        else:
            results[name] = "ok"
    ready = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ready" if ready else "not_ready", "checks": results},
        status=200 if ready else 503,
    )
