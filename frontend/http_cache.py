"""What a response tells the caches in front of Django (ADR 0021).

Three kinds of response, one rule each:

* **Shared** (a citizen page the same for every anonymous visitor): `Cache-Control: public,
  max-age=0, s-maxage=1, stale-while-revalidate=…, stale-if-error=…` with an ETag and a
  Last-Modified. nginx keeps it one second at most and then revalidates it (a 304 costs no
  rendering); a browser revalidates on every visit (max-age=0). `X-Accel-Expires` (read by
  nginx only, never passed to the browser) ends nginx's freshness at the end of the current
  second, because nginx counts s-maxage in whole seconds from the second it stored the page
  (s-maxage=1 alone leaves a page fresh up to two seconds).
* **Personal** (the visitor has a session or messages waiting, the page sets a cookie, a CSRF
  token is on it, or the request is not a read): `Cache-Control: private, no-store`. Staff
  pages show drafts and personal data: no cache of any kind, the browser's disk included.
* **Everything else** (a redirect, a 400, a 5xx): no Cache-Control. nginx caches only what
  opts in (the deployment sets no proxy_cache_valid), and without Last-Modified no browser
  guesses a freshness.

`CacheControlMiddleware` applies the rule to every response: a response that asks to be
shared but carries a cookie or answers a personal request is made personal, whatever the
view said. Place it right after WhiteNoise, above SessionMiddleware, so that it sees the
session and CSRF cookies the middleware below it set."""

from __future__ import annotations

import hashlib
import time
from email.utils import formatdate
from functools import wraps

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

# Seconds a shared cache may serve a stale page while it fetches the new one, or while Django
# cannot answer. nginx's own rules (proxy_cache_use_stale) take precedence over these; they
# speak to any other shared cache. Short revalidation window: a publication must show quickly.
STALE_WHILE_REVALIDATE = 5
STALE_IF_ERROR = 24 * 60 * 60
SHARED = (
    f"public, max-age=0, s-maxage=1, stale-while-revalidate={STALE_WHILE_REVALIDATE}, "
    f"stale-if-error={STALE_IF_ERROR}"
)
PERSONAL = "private, no-store"
# Cookies that make a request personal: a session (staff, or a citizen's form state) or a
# flash message waiting to be shown. nginx bypasses its cache for the same two
# (ops/deploy/nginx/snippets/portal-cache.conf: proxy_cache_bypass, proxy_no_cache).
PERSONAL_COOKIES = ("messages",)
SAFE_METHODS = ("GET", "HEAD")
# Statuses a shared cache may keep: a page, a withdrawal notice (410) and "no such page"
# (404: absorbs the traffic on an article just unpublished; nginx keeps it one second).
SHAREABLE_STATUSES = (200, 404, 410)


def release() -> str:
    """The static files' release (the hash of collectstatic's manifest; empty without one).
    Cached pages name fingerprinted files: a page made before a deployment must not outlive
    the files it names, so the caches' keys carry it."""
    return getattr(staticfiles_storage, "manifest_hash", None) or ""


def personal_cookies() -> set[str]:
    return {settings.SESSION_COOKIE_NAME, *PERSONAL_COOKIES}


def is_personal_request(request) -> bool:
    """True when the answer may depend on who asks: not a read, or a session or messages."""
    return request.method not in SAFE_METHODS or bool(personal_cookies() & request.COOKIES.keys())


def etag_for(content: bytes, content_type: str) -> str:
    """A strong validator of exactly these bytes (of this type)."""
    digest = hashlib.blake2b(content, digest_size=16)
    digest.update(content_type.encode())
    return f'"{digest.hexdigest()}"'


def mark_shared(response, *, etag: str | None = None, modified: float | None = None) -> None:
    """Let shared caches keep `response` (one second, then revalidate), with its validators."""
    response["Cache-Control"] = SHARED
    # nginx: fresh until the end of this second (an absolute time, whole seconds).
    response["X-Accel-Expires"] = f"@{int(time.time())}"
    if etag:
        response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = formatdate(modified, usegmt=True)


def mark_personal(response) -> None:
    response["Cache-Control"] = PERSONAL
    for name in ("X-Accel-Expires", "Last-Modified", "Expires"):
        response.headers.pop(name, None)


def is_shared(response) -> bool:
    return response.get("Cache-Control") == SHARED


def not_modified(request, response):
    """The 304 for `response` when the request's If-None-Match (or, without it,
    If-Modified-Since) matches its validators; else `response` itself."""
    modified = response.get("Last-Modified")
    answer = get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(modified) if modified else None,
        response=response,
    )
    if answer is not response and "X-Accel-Expires" in response:
        # nginx takes a revalidated page's new freshness from the 304 itself.
        answer["X-Accel-Expires"] = response["X-Accel-Expires"]
    return answer


def mark_public_page(request) -> None:
    """Note that a public page view answers this request: its 404 may be shared too."""
    request.public_page = True


def shareable(request, response) -> bool:
    """True when `response` (just made for an anonymous read) is the same for every anonymous
    visitor: a whole page, no cookie set, no CSRF token read, no caching rule of its own."""
    return (
        response.status_code in SHAREABLE_STATUSES
        # A page with a form read the CSRF token (get_token): its tokens are the visitor's own.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not response.cookies
        and not getattr(response, "streaming", False)
        and "Cache-Control" not in response
    )


def shared_page(view):
    """For an anonymous read of a page that is the same for every anonymous visitor but not
    worth a place in the Redis page cache (search results, filtered lists: one address per
    query): shareable by nginx for a second, with an ETag of its bytes, so that a revalidation
    that matches costs the network nothing (the page is still made)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if is_personal_request(request):
            return view(request, *args, **kwargs)
        mark_public_page(request)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()
        if not shareable(request, response):
            return response
        if response.status_code != 200:
            mark_shared(response)
            return response
        mark_shared(response, etag=etag_for(response.content, response["Content-Type"]))
        return not_modified(request, response)

    return wrapper


class CacheControlMiddleware:
    """The last word on Cache-Control (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        personal = is_personal_request(request) or bool(response.cookies)
        if personal:
            if is_shared(response) or "Cache-Control" not in response:
                mark_personal(response)
            return response
        if is_shared(response) and response.status_code not in (*SHAREABLE_STATUSES, 304):
            # A view marked a page shared but something failed after: never keep an error.
            response.headers.pop("Cache-Control", None)
            response.headers.pop("X-Accel-Expires", None)
        elif (
            response.status_code == 404
            and getattr(request, "public_page", False)
            and "Cache-Control" not in response
        ):
            # The address of a public page with nothing there (yet, or any more): nginx may
            # keep the answer a second, like the page it stands for. Never in Redis.
            mark_shared(response)
        return response
