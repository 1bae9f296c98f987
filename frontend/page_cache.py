"""Whole citizen pages cached for anonymous visitors, per province, host, address and language.

The key carries `editorial.services.public_cache_version()` (bumped on every publication,
unpublication, correction and withdrawal), so published changes show at once; other changes
(an agency renamed) show within TIMEOUT. A page is never cached when it carries a CSRF token,
when the visitor has a session (staff see their own navigation), or when it is not a 200."""

from __future__ import annotations

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from editorial.services import public_cache_version

TIMEOUT = 5 * 60
# A visitor with a session (staff) or with messages waiting (a flash after a form) sees a page
# made for them alone: never served from, nor stored in, the shared cache.
PRIVATE_COOKIES = ("sessionid", "messages")


def _key(request) -> str:
    scope = "\n".join([request.get_host().lower(), request.get_full_path(), get_language() or ""])
    digest = hashlib.sha256(scope.encode()).hexdigest()[:32]
    return f"frontend:page:{public_cache_version()}:{digest}"


def public_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        private = {settings.SESSION_COOKIE_NAME, *PRIVATE_COOKIES}
        if request.method != "GET" or private & request.COOKIES.keys():
            return view(request, *args, **kwargs)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()
        if (
            response.status_code == 200
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not response.cookies
            and not getattr(response, "streaming", False)
        ):
            cache.set(key, (response.content, response["Content-Type"]), TIMEOUT)
        return response

    return wrapper
