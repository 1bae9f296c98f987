"""Prometheus metrics (ADR 0026): `/metrics` on the application's port, for the monitoring
inside the operator's network, never for the public.

- Who may read it: only a request carrying `Authorization: Bearer <METRICS_TOKEN>`. Without a
  token configured the endpoint does not exist (404). There is deliberately no exception for
  loopback: behind the nginx of ops/deploy every public request reaches gunicorn from
  127.0.0.1, so "loopback" would tell a public request from a local one only through a proxy
  header nginx must never forget to add. nginx's public server also refuses /metrics.
- Where: answered by MetricsMiddleware before the host is resolved, on any Host header.
  Prometheus scrapes a target by its address (`Host: 10.0.3.7:8000`), which is no province's
  host and outside ALLOWED_HOSTS; the host check must not hide the endpoint from it.
- What: django-prometheus' request, latency, database and cache metrics, plus
  `portal_http_requests_total{province, status_class, method}` (the province's slug,
  "platform" on the platform host, "unknown" for a host no province has: bounded by the
  provinces on record, never the Host header itself), the depth of each Celery queue read from
  the broker at scrape time (`portal_celery_queue_length`, `portal_celery_unacked`,
  `portal_broker_up`), and the number of provinces whose backups are overdue.
- Several gunicorn workers: with PROMETHEUS_MULTIPROC_DIR set, each worker writes its counters
  to files there and a scrape of any worker adds them up (prometheus_client's multiprocess
  mode; ops/gunicorn.conf.py marks a dead worker's files). The broker and backup figures are
  read once per scrape, not per worker."""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_prometheus.middleware import (  # type: ignore[import-untyped]
    PrometheusAfterMiddleware as _PrometheusAfterMiddleware,
)
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

PATH = "/metrics"
BROKER_TIMEOUT_SECONDS = 1.0
# A bearer token longer than this is refused unread.
MAX_AUTHORIZATION_LENGTH = 512
# The backups' standing needs a few queries: read at most once a minute per process.
BACKUPS_TTL_SECONDS = 60.0

UNKNOWN = "unknown"
PLATFORM = "platform"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "portal_http_requests_total",
    "Requests answered, by province (slug; 'platform' for the platform host, 'unknown' for a "
    "host no province has), status class and method.",
    ["province", "status_class", "method"],
)


# --- labels --------------------------------------------------------------------------------


def province_label(request: HttpRequest) -> str:
    """The request's province as a label: bounded by the provinces on record."""
    from django_tenants.utils import get_public_schema_name

    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return UNKNOWN
    if tenant.schema_name == get_public_schema_name():
        return PLATFORM
    return getattr(tenant, "slug", None) or UNKNOWN


def status_class(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status <= 599 else "other"


def method_label(method: str | None) -> str:
    return method if method in METHODS else "other"


# --- the broker: Celery's queues in Redis ------------------------------------------------


def queue_names() -> list[str]:
    """Every queue the app sends to: the default one, the declared ones and the routes'."""
    from config.celery import app

    conf = app.conf
    names = {conf.task_default_queue or "celery"}
    for queue in conf.task_queues or ():
        names.add(getattr(queue, "name", None) or str(queue))
    routes = conf.task_routes or {}
    if isinstance(routes, dict):
        for route in routes.values():
            queue = route.get("queue") if isinstance(route, dict) else None
            if queue:
                names.add(getattr(queue, "name", None) or str(queue))
    return sorted(names)


def _transport_options() -> dict[str, Any]:
    from config.celery import app

    return dict(app.conf.broker_transport_options or {})


def queue_keys(name: str, options: dict[str, Any]) -> list[str]:
    """The Redis lists holding a queue's messages: kombu keeps one list per priority step
    (the plain name for priority 0, `name<sep><step>` for the others), under the transport's
    global key prefix."""
    prefix = options.get("global_keyprefix", "")
    sep = options.get("sep", "\x06\x16")
    steps = options.get("priority_steps", [0, 3, 6, 9])
    return [f"{prefix}{name}{sep}{step}" if step else f"{prefix}{name}" for step in steps]


class BrokerCollector(Collector):
    """The depth of each queue (LLEN), and the messages delivered to a worker and not yet
    acknowledged (the transport's `unacked` hash), read at scrape time with a 1 s timeout. A
    broker that does not answer yields no depth and `portal_broker_up 0`."""

    def __init__(self, url: Callable[[], str] | None = None) -> None:
        self._url = url or (lambda: settings.CELERY_BROKER_URL)

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "portal_broker_up", "1 if the task broker answered the scrape's reads, else 0."
        )
        url = self._url()
        if not url.startswith(("redis://", "rediss://", "unix://")):
            return  # another broker: nothing to read here
        options = _transport_options()
        names = queue_names()
        client = redis.Redis.from_url(
            url,
            socket_timeout=BROKER_TIMEOUT_SECONDS,
            socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        )
        try:
            pipe = client.pipeline(transaction=False)
            for name in names:
                for key in queue_keys(name, options):
                    pipe.llen(key)
            unacked_key = options.get("global_keyprefix", "") + options.get(
                "unacked_key", "unacked"
            )
            pipe.hlen(unacked_key)
            replies = pipe.execute()
        except (redis.RedisError, OSError) as error:
            # The address and password stay out of the log: only what kind of failure.
            logger.warning("metrics: broker unreadable (%s)", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        finally:
            client.close()
        depth = GaugeMetricFamily(
            "portal_celery_queue_length",
            "Messages waiting in the Celery queue (all priorities).",
            labels=["queue"],
        )
        steps = len(replies[:-1]) // max(len(names), 1)
        for index, name in enumerate(names):
            depth.add_metric([name], sum(replies[index * steps : (index + 1) * steps]))
        yield depth
        yield GaugeMetricFamily(
            "portal_celery_unacked",
            "Messages delivered to a worker and not yet acknowledged (late acks: a task runs).",
            value=replies[-1],
        )
        up.add_metric([], 1)
        yield up


# --- backups ---------------------------------------------------------------------------------


def overdue_backups(now=None) -> int:
    """How many provinces have no successful copy within their schedule (backups.schedule's
    rule): one query for the newest copies, one for the provinces, the profiles from memory."""
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from backups.models import Backup
    from backups.schedule import is_overdue, policy_at
    from tenants.selectors import province_list

    connection.set_schema_to_public()  # type: ignore[attr-defined]
    now = now or timezone.now()
    newest = dict(
        Backup.objects.filter(status=Backup.Status.SUCCEEDED)
        .values("province_slug")
        .annotate(last=Max("created_at"))
        .values_list("province_slug", "last")
    )
    count = 0
    # A province merged into another is backed up no more (ADR 0032): never counted late.
    for province in province_list().prefetch_related(None).filter(merged_into__isnull=True):
        policy = policy_at(province.slug, now)
        if is_overdue(
            policy, last_success=newest.get(province.slug), since=province.created_at, now=now
        ):
            count += 1
    return count


class BackupsCollector(Collector):
    """`portal_backups_overdue`: provinces past their backup schedule, cached for a minute."""

    def __init__(self) -> None:
        self._value: int | None = None
        self._read_at = 0.0

    def collect(self) -> Iterator[Metric]:
        if self._value is None or time.monotonic() - self._read_at > BACKUPS_TTL_SECONDS:
            try:
                self._value = overdue_backups()
            except Exception as error:  # a metric must never break the scrape
                logger.warning("metrics: backups standing unreadable (%s)", type(error).__name__)
                return
            self._read_at = time.monotonic()
        yield GaugeMetricFamily(
            "portal_backups_overdue",
            "Provinces with no successful backup within their schedule (ADR 0020).",
            value=self._value,
        )


# --- the endpoint ------------------------------------------------------------------------------


_EXTRA = CollectorRegistry(auto_describe=False)
_EXTRA.register(BrokerCollector())
_EXTRA.register(BackupsCollector())


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def exposition(extra: Iterable[CollectorRegistry] = (_EXTRA,)) -> bytes:
    """The text exposition: this process's (or, in multiprocess mode, every live and dead
    worker's) counters, then the figures read at scrape time."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + b"".join(generate_latest(other) for other in extra)


def _authorised(request: HttpRequest, token: str) -> bool | None:
    """True for the right bearer token, False for a wrong one, None when none was given."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    if len(header) > MAX_AUTHORIZATION_LENGTH:
        return False
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def metrics_response(request: HttpRequest) -> HttpResponse:
    token = getattr(settings, "METRICS_TOKEN", "")
    if not token:
        return HttpResponse("Not Found\n", status=404, content_type="text/plain")
    authorised = _authorised(request, token)
    if authorised is None:
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if not authorised:
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    if request.method not in ("GET", "HEAD"):
        response = HttpResponse("Method Not Allowed\n", status=405, content_type="text/plain")
        response["Allow"] = "GET, HEAD"
        return response
    # The classic text format (what generate_latest writes), which every Prometheus reads.
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)
    response["Cache-Control"] = "no-store"
    return response


class MetricsMiddleware:
    """Right after RequestIdMiddleware: answers /metrics on any host, before the province is
    looked up, and counts every other request under its province once it is answered (a host
    no province has included)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == PATH:
            return metrics_response(request)
        response = self.get_response(request)
        REQUESTS.labels(
            province=province_label(request),
            status_class=status_class(response.status_code),
            method=method_label(request.method),
        ).inc()
        return response


class PrometheusAfterMiddleware(_PrometheusAfterMiddleware):
    """django-prometheus' last middleware with its method labels bounded: its latency histogram
    labels the raw request method, so any made-up method would start a new series (a
    histogram's worth of them)."""

    def label_metric(self, metric, request, response=None, **labels):
        if "method" in labels:
            labels["method"] = method_label(labels["method"])
        return super().label_metric(metric, request, response, **labels)
