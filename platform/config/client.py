"""The client's address, as the platform's own reverse proxies saw it.

Behind nginx every request comes from 127.0.0.1; the real address is the last entry nginx
appended to X-Forwarded-For. TRUSTED_PROXIES says how many proxies of ours stand in front
(0 in development: REMOTE_ADDR is the client). Entries further left are the client's own
claims and are never trusted. Every per-address limit uses this one function."""

from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    proxies = settings.TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    return hops[-proxies] if len(hops) >= proxies else remote
