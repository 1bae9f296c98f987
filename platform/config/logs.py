"""Logs an operator can follow: every line names the province it was written for and the
request it belongs to, as one JSON object per line in production (LOG_FORMAT=json) or the
human line in development.

- A request gets an id (`X-Request-ID`: the proxy's when it is a sane token, else a new one),
  returned in the response and kept in a context variable with the province, which is known
  only once `tenants.middleware.ProvinceMiddleware` has found the host's tenant.
- Outside a request (a Celery task, a management command) the province is the schema the
  database connection is in, read when the line is written: tenant-schemas-celery enters the
  sender's schema for each task.
- Lines carry the message and the exception only: never a request's body, cookies, headers
  or the values of settings.

Nothing here reads settings at import time: the settings modules import it."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.signals import request_finished

PLATFORM = "platform"
REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_MAX_LENGTH = 64
# A proxy's or a client's id is kept only when it is a plain token: no spaces, no CR/LF, no
# quotes, nothing a log reader or a header could misread.
_SANE_REQUEST_ID = re.compile(rf"[A-Za-z0-9._-]{{1,{REQUEST_ID_MAX_LENGTH}}}")

FORMATS = ("plain", "json")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(province)s %(request_id)s] %(message)s"


@dataclass
class RequestContext:
    request_id: str
    province: str | None = None  # unset until the host's tenant is known


# None outside a request: the province is then read from the database connection.
_request: ContextVar[RequestContext | None] = ContextVar("log_request", default=None)


def request_id_from(incoming: str | None) -> str:
    """The incoming id when it is a sane token, else a new one (uuid4, hex)."""
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    context = _request.get()
    return context.request_id if context else None


def current_province() -> str | None:
    """The slug of the province this code runs for ("platform" on the platform host), or None
    while it is not known yet (a request before its host was resolved)."""
    context = _request.get()
    if context is not None:
        return context.province
    return _province_of_connection()


def _province_of_connection() -> str | None:
    # Read lazily and defensively: a line may be written before Django is set up, or by a
    # process without a database; logging must never fail because of it.
    try:
        from django.db import connection

        tenant = getattr(connection, "tenant", None)
        return _province_of(getattr(connection, "schema_name", None), getattr(tenant, "slug", None))
    except Exception:
        return None


def _province_of(schema_name: str | None, slug: str | None) -> str | None:
    """ "platform" for the public schema, else the province's slug (from its schema's name when
    the tenant has none: schema_context() gives such a tenant)."""
    from django_tenants.utils import get_public_schema_name

    from tenants.models import slug_for_schema

    if not schema_name:
        return None
    if schema_name == get_public_schema_name():
        return PLATFORM
    return slug or slug_for_schema(schema_name)


def _request_finished(**_: Any) -> None:
    # Sent when the server closes the response, after Django logged its status line: the
    # thread's next lines (outside any request) no longer carry this request's id.
    _request.set(None)


class RequestIdMiddleware:
    """First in MIDDLEWARE: every line of the request, a refused one too, carries its id."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        request_finished.connect(_request_finished, dispatch_uid="config.logs.request_finished")

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        _request.set(RequestContext(request_id=request_id))
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestProvinceMiddleware:
    """Right after ProvinceMiddleware: from here on the request's lines name its province."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        context = _request.get()
        if context is not None:
            tenant = getattr(request, "tenant", None)
            context.province = _province_of(
                getattr(tenant, "schema_name", None), getattr(tenant, "slug", None)
            )
        return self.get_response(request)


class LogContextFilter(logging.Filter):
    """Adds `province` and `request_id` to every record the handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.province = current_province()
        record.request_id = current_request_id()
        return True


class PlainFormatter(logging.Formatter):
    """The human line; "-" where the province or the request is unknown."""

    def format(self, record: logging.LogRecord) -> str:
        for name in ("province", "request_id"):
            if getattr(record, name, None) is None:
                setattr(record, name, "-")
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, province,
    request_id and, when there is one, the exception's traceback. No other attribute of the
    record is written: Django's request logger attaches the request itself, with its headers
    and cookies."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "province": getattr(record, "province", None),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_settings(*, log_format: str, level: str) -> dict[str, Any]:
    """Django's LOGGING for `plain` (human, development) or `json` (production) lines."""
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "config.logs.LogContextFilter"}},
        "formatters": {
            "plain": {"()": "config.logs.PlainFormatter", "format": PLAIN_FORMAT},
            "json": {"()": "config.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


def configure_worker_logging(*, loglevel: int | str | None = None, **_: Any) -> None:
    """Celery's `setup_logging`: the worker and beat write the same lines as the web process
    (Django's LOGGING) instead of Celery's own format; `-l` still sets the level."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)
