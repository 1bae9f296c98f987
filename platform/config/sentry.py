"""Error reporting: active only when SENTRY_DSN is set; never sends personal data.

Every event is tagged with the province it happened for and the request id the visitor's
response carried (config.logs), so an event and the log lines of its request are found
together."""

from __future__ import annotations

import os
from typing import Any

from config.logs import current_province, current_request_id

# What is kept of a request's headers: nothing that identifies a person or a session.
_KEPT_HEADERS = frozenset({"host", "user-agent", "accept-language", "content-type", "x-request-id"})


def tag_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """before_send: the province and the request id as tags; cookies, bodies, query strings
    and identifying headers removed even if an integration added them."""
    tags = event.get("tags")
    if not isinstance(tags, dict):
        tags = dict(tags or [])
    province = current_province()
    request_id = current_request_id()
    if province:
        tags["province"] = province
    if request_id:
        tags["request_id"] = request_id
    event["tags"] = tags
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("cookies", "data", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value for name, value in headers.items() if name.lower() in _KEPT_HEADERS
            }
    user = event.get("user")
    if isinstance(user, dict):
        user.pop("ip_address", None)
        user.pop("email", None)
        user.pop("username", None)
    return event


def init_sentry(*, environment: str = "production") -> bool:
    dsn = os.environ.get("SENTRY_DSN", "")
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        # Request bodies carry citizens' names, e-mails and phones: never sent.
        max_request_body_size="never",
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        environment=os.environ.get("SENTRY_ENVIRONMENT", environment),
        before_send=tag_event,
        before_send_transaction=tag_event,
    )
    return True
