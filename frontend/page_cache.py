"""Whole citizen pages cached for anonymous visitors, per province, host, address and language,
and marked shareable for the caches in front (frontend.http_cache, ADR 0021).

An entry records `editorial.services.public_cache_version()` (bumped on every publication,
unpublication, correction and withdrawal) and serves only while it is current, so published
changes show at once (the version and the entry are read in one round trip); other changes
(an agency renamed) show within TIMEOUT. A page is stored with its ETag and the time it was
made (its Last-Modified), computed once: a conditional request that matches is answered 304
from the cache entry alone, without rendering.

A page is never cached, nor marked shareable, when it carries a CSRF token or sets a cookie,
when the visitor has a session (staff see their own navigation) or messages waiting, or when
it is not a page (200) or a withdrawal notice (410). "No such page" (404) is never stored
here: unknown addresses must not fill the cache (nginx may keep it one second)."""

from __future__ import annotations

import hashlib
import time
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from editorial.services import public_cache_version_and
from frontend.http_cache import (
    etag_for,
    is_personal_request,
    mark_public_page,
    mark_shared,
    not_modified,
    release,
    shareable,
)

TIMEOUT = 5 * 60
STORED_STATUSES = (200, 410)


def _key(request) -> str:
    scope = "\n".join(
        [release(), request.get_host().lower(), request.get_full_path(), get_language() or ""]
    )
    digest = hashlib.sha256(scope.encode()).hexdigest()[:32]
    return f"frontend:page:{digest}"


def _response(request, entry: dict) -> HttpResponse:
    response = HttpResponse(
        entry["content"], content_type=entry["content_type"], status=entry["status"]
    )
    mark_shared(response, etag=entry["etag"], modified=entry["modified"])
    return not_modified(request, response)


def _storable(request, response) -> bool:
    return response.status_code in STORED_STATUSES and shareable(request, response)


def public_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if is_personal_request(request):
            return view(request, *args, **kwargs)
        mark_public_page(request)
        key = _key(request)
        version, entry = public_cache_version_and(key)
        if isinstance(entry, dict) and entry.get("version") == version:
            return _response(request, entry)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()
        if not _storable(request, response):
            return response
        content_type = response["Content-Type"]
        entry = {
            "content": response.content,
            "content_type": content_type,
            "status": response.status_code,
            "etag": etag_for(response.content, content_type),
            "modified": time.time(),
            # The version read before rendering: a publication during the render makes the
            # entry stale at once rather than serving the older page under the newer version.
            "version": version,
        }
        cache.set(key, entry, TIMEOUT)
        mark_shared(response, etag=entry["etag"], modified=entry["modified"])
        return not_modified(request, response)

    return wrapper
