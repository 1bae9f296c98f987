"""Rendered parts of citizen pages, cached per province, host, page language and content
version (and the static files' release: a part may name fingerprinted files).

The key carries `editorial.services.public_cache_version()`, which the services bump on every
publication, unpublication, correction and withdrawal: a change shows at once, and stale
entries simply expire. The schema name is in every key (config.cache). Only parts that are the
same for every visitor are cached; the page around them (CSRF tokens, the signed-in user,
messages) is rendered for each request."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.utils.translation import get_language

from editorial.services import public_cache_version
from frontend.http_cache import release

TIMEOUT = 24 * 60 * 60


def cached(request, name: str, parts: tuple, build: Callable[[], dict | None]) -> dict | None:
    """The cached value for (page `name`, `parts`) on this host in this language, or `build()`
    stored under it. None (nothing at that address) is not stored: unknown addresses must not
    fill the cache."""
    # release(): a part may name fingerprinted static files of this deployment.
    scope = "\n".join(
        [release(), request.get_host().lower(), get_language() or "", *map(str, parts)]
    )
    digest = hashlib.sha256(scope.encode()).hexdigest()[:32]
    key = f"frontend:public:{name}:{public_cache_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value, TIMEOUT)
    return value
