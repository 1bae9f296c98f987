"""Redirected hosts (ADR 0032): a merged province's portal and sites, an agency's site after a
rename, a merge or a retirement. The host keeps its Domain row, attached to the province it now
points into, and a HostRedirect row says where its visitors go; PathRedirect rows give the
addresses whose path changed on the way. The merge engine writes the rows; this answers visitors.

An address of the old host lands on the same address of the new one when that address means
the same there: a page named by its object (an article, a procedure, a file, a category's feed,
a section) only when that object is public on the new host's site, and the pages that name no
object (lists, the home page, search, feeds, sitemaps, staff pages, the API) always. Anything
else gets a page saying where the portal is now, with the new address and a search there: a
404, so that search engines drop the old address instead of indexing the notice.

The host → redirect lookup is cached like the host → province one (tenants/hosts.py): a Redis
entry in the public key space and a few seconds' memory per process, dropped when a HostRedirect
or PathRedirect row of the host changes, or by `redirects_forget` (the engine calls it after a
bulk write that sends no signal)."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotFound,
    HttpResponsePermanentRedirect,
)
from django.template.loader import render_to_string
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from catalog.selectors import public_procedure
from config.cache import LocalMemo
from core.profiles import current_profile
from editorial.models import Item
from editorial.selectors import public_attachment, public_item, site_categories
from organization.sites import site_for_host
from tenants.hosts import normalise_host
from tenants.models import HostRedirect, PathRedirect

logger = logging.getLogger(__name__)

REDIRECT_CACHE_TIMEOUT = 3600
REDIRECT_MEMO_SECONDS = 2.0
_MISSING = "-"  # cached negative answer: the host serves pages of its own
_memo = LocalMemo(REDIRECT_MEMO_SECONDS)

TENANT_URLCONF = "config.urls_tenant"
# The longest path looked at (PathRedirect.old_path's length): a longer one is no address the
# old host ever had.
PATH_MAX = 500
SEARCH_MAX = 100  # characters of the old address offered as the search on the new host
PERMANENT_CACHE = "public, max-age=3600"
SAFE_METHODS = ("GET", "HEAD")
# Routes that name an object in their address: their redirect waits for the object to be public
# on the new host's site. Every other route of the tenant URLconf names none and is redirected
# as it is (lists, the home page, search, Q&A, contacts, English pages, feeds, sitemaps,
# robots.txt, staff pages, the API).
ITEM_ROUTES = {
    "frontend:item": "vi",
    "frontend:item_save": "vi",
    "frontend:item_comment": "vi",
    "frontend:item_translation": "en",
    "frontend:item_translation_save": "en",
}
# Staff pages and the API follow the host whatever their address: the new host answers them
# (a staff member signs in there; a client reads the API's own error there).
FOLLOWED_PREFIXES = ("/staff/", "/api/")
PROCEDURE_ROUTE = "frontend:procedure"
ATTACHMENT_ROUTE = "frontend:attachment"
CATEGORY_FEED_ROUTE = "frontend:category_rss"
SECTION_ROUTE = "frontend:section"
# nginx's copy of each request, for counting page views (reports.middleware.COUNT_PATH, ADR
# 0028): a redirect or the moved page is no page view, so the copy is answered with nothing.
PAGE_VIEW_COPY_PATH = "/__luot-xem/"


@dataclass(frozen=True)
class HostRedirectInfo:
    """What a redirected host's requests need, without a query."""

    host: str
    province_id: int
    target_host: str
    reason: str
    former_name: str
    current_name: str
    has_paths: bool  # whether any PathRedirect names this host (else no query for one)


def _key(host: str) -> str:
    return f"tenancy:redirect:{host}"


def host_redirect(host: str) -> HostRedirectInfo | None:
    """Where the requests of `host` go now, or None when the host serves its own pages."""
    host = normalise_host(host)
    cached = _memo.get(host)
    if cached is None:
        # Like the host keys (tenants/hosts.py): the public schema's key space, whatever schema
        # the request is in.
        with schema_context(get_public_schema_name()):
            cached = cache.get(_key(host))
        if cached is not None:
            _memo.set(host, cached)
    if cached == _MISSING:
        return None
    if cached is not None:
        return HostRedirectInfo(**cached)
    with schema_context(get_public_schema_name()):
        row = HostRedirect.objects.filter(host=host).first()
        if row is None:
            cache.set(_key(host), _MISSING, REDIRECT_CACHE_TIMEOUT)
            _memo.set(host, _MISSING)
            return None
        info = HostRedirectInfo(
            host=host,
            province_id=row.province_id,
            target_host=normalise_host(row.target_host),
            reason=row.reason,
            former_name=row.former_name,
            current_name=row.current_name,
            has_paths=PathRedirect.objects.filter(host=host).exists(),
        )
        fields: dict[str, Any] = asdict(info)
        cache.set(_key(host), fields, REDIRECT_CACHE_TIMEOUT)
        _memo.set(host, fields)
        return info


def redirect_columns() -> dict[str, Any]:
    """Annotations of a Domain row that read its host's redirect in the same query: the host
    lookup (tenants.hosts) caches the answer with `redirect_remember`, so a request on a cold
    cache costs no query more for it."""
    row = HostRedirect.objects.filter(host=OuterRef("domain"))
    fields = JSONObject(
        province_id="province_id",
        target_host="target_host",
        reason="reason",
        former_name="former_name",
        current_name="current_name",
    )
    return {
        "redirect_fields": Subquery(row.values_list(fields)[:1]),
        "redirect_paths": Exists(PathRedirect.objects.filter(host=OuterRef("domain"))),
    }


def redirect_remember(host: str, domain: Any) -> None:
    """Cache the redirect of `host` read by `redirect_columns` on its Domain row."""
    host = normalise_host(host)
    found = domain.redirect_fields
    value: Any = _MISSING
    if found is not None:
        value = asdict(
            HostRedirectInfo(
                host=host,
                province_id=found["province_id"],
                target_host=normalise_host(found["target_host"]),
                reason=found["reason"],
                former_name=found["former_name"],
                current_name=found["current_name"],
                has_paths=bool(domain.redirect_paths),
            )
        )
    with schema_context(get_public_schema_name()):
        cache.set(_key(host), value, REDIRECT_CACHE_TIMEOUT)
    _memo.set(host, value)


def redirects_forget(*hosts: str) -> None:
    """Drop the cached answers for `hosts` in this process and in Redis (other processes follow
    within REDIRECT_MEMO_SECONDS)."""
    names = [normalise_host(h) for h in hosts]
    _memo.forget(*names)
    with schema_context(get_public_schema_name()):
        cache.delete_many([_key(h) for h in names])


@receiver(post_save, sender=HostRedirect)
@receiver(post_delete, sender=HostRedirect)
@receiver(post_save, sender=PathRedirect)
@receiver(post_delete, sender=PathRedirect)
def _forget_redirect(sender, instance: HostRedirect | PathRedirect, **kwargs) -> None:
    # Cache coherence only (no business rule): a changed row drops its host's entry.
    redirects_forget(instance.host)


# --- one request on a redirected host ------------------------------------------------------


def _usable_path(path: str) -> bool:
    return len(path) <= PATH_MAX and not any(ord(c) < 32 or ord(c) == 127 for c in path)


def _target(request: HttpRequest, host: str, path: str) -> str:
    return f"{request.scheme}://{host}{path}"


def _permanent(request: HttpRequest, location: str) -> HttpResponse:
    """301 for a read (cacheable an hour), 308 for anything else: the client sends the same
    method and body to the new address."""
    if request.method in SAFE_METHODS:
        response: HttpResponse = HttpResponsePermanentRedirect(location)
        response["Cache-Control"] = PERMANENT_CACHE
        return response
    response = HttpResponse(status=308)
    response["Location"] = location
    return response


def _object_public(match: ResolverMatch, site) -> bool:
    """Whether the object a route names in its address is public on `site` (None: the portal)
    of the province this request is in."""
    name = match.view_name
    kwargs = match.kwargs
    if name in ITEM_ROUTES:
        item = public_item(site=site, slug=kwargs["slug"], language=ITEM_ROUTES[name])
        return item is not None and item.status == Item.Status.PUBLISHED
    if name == PROCEDURE_ROUTE:
        procedure = public_procedure(code=kwargs["code"], site=site)
        return procedure is not None and procedure.is_public
    if name == ATTACHMENT_ROUTE:
        return public_attachment(pk=kwargs["pk"], site=site) is not None
    if name == CATEGORY_FEED_ROUTE:
        return site_categories(site=site).filter(slug=kwargs["slug"]).exists()
    if name == SECTION_ROUTE:
        # The profile's required sections are the portal's (frontend/views/sections.py).
        if site is not None:
            return False
        sections = current_profile().required_sections
        return any(section.slug == kwargs["slug"] for section in sections)
    return True  # a route that names no object


def _names_object(match: ResolverMatch) -> bool:
    return match.view_name in ITEM_ROUTES or match.view_name in {
        PROCEDURE_ROUTE,
        ATTACHMENT_ROUTE,
        CATEGORY_FEED_ROUTE,
        SECTION_ROUTE,
    }


def _search_words(path: str) -> str:
    """The old address's last segment as words to search for on the new host."""
    segment = next((part for part in reversed(path.split("/")) if part), "")
    words = " ".join(segment.replace("-", " ").replace("_", " ").split())
    return words[:SEARCH_MAX]


def _moved_text(info: HostRedirectInfo) -> str:
    """What became of the old portal or site, in the words of the redirect's reason."""
    names = {"former": info.former_name, "current": info.current_name}
    if info.reason == HostRedirect.Reason.AGENCY_RENAME:
        return _("%(former)s nay mang tên %(current)s.") % names
    if info.reason == HostRedirect.Reason.AGENCY_MERGE:
        return _("%(former)s đã được hợp nhất vào %(current)s.") % names
    if info.reason == HostRedirect.Reason.AGENCY_RETIRE:
        return _("%(former)s đã giải thể; thông tin nay do %(current)s cung cấp.") % names
    return _("%(former)s nay là một phần của %(current)s.") % names


def moved_page(request: HttpRequest, info: HostRedirectInfo, *, path: str) -> HttpResponse:
    """404 saying where the portal is now: its new address and a search there, prefilled with
    the old address's last words. Rendered without a query and without the context processors,
    like the error pages (frontend/templates/error_base.html)."""
    home = _target(request, info.target_host, "/")
    words = _search_words(path) if _usable_path(path) else ""
    context = {
        "site_name": info.current_name,
        "search_url": None,
        "message": _moved_text(info),
        "current_name": info.current_name,
        "new_address": home,
        "new_address_label": info.target_host,
        "search_action": _target(request, info.target_host, "/tim-kiem/"),
        "search_words": words,
        "search_max": SEARCH_MAX,
    }
    response = HttpResponseNotFound(render_to_string("frontend/public/moved.html", context))
    response["X-Robots-Tag"] = "noindex"
    return response


def redirect_response(request: HttpRequest, info: HostRedirectInfo) -> HttpResponse:
    """The answer to one request on a redirected host, in the schema of the province the host
    now points into: a PathRedirect's address, the same address on the new host, or the moved
    page."""
    path = request.path
    if path == PAGE_VIEW_COPY_PATH:
        nothing = HttpResponse(status=204)
        nothing["Cache-Control"] = "no-store"
        return nothing
    if not _usable_path(path):
        return moved_page(request, info, path="")
    if info.has_paths:
        with schema_context(get_public_schema_name()):
            exception = (
                PathRedirect.objects.filter(host=info.host, old_path=path)
                .values_list("target_host", "new_path")
                .first()
            )
        if exception is not None:
            target_host, new_path = exception
            return _permanent(request, _target(request, normalise_host(target_host), new_path))
    if path.startswith(FOLLOWED_PREFIXES):
        return _permanent(request, _target(request, info.target_host, request.get_full_path()))
    try:
        match = resolve(request.path_info, urlconf=TENANT_URLCONF)
    except Resolver404:
        return moved_page(request, info, path=path)
    if _names_object(match):
        tenant = getattr(connection, "tenant", None)
        if tenant is None or tenant.pk != info.province_id:
            # The host's Domain row and its redirect disagree on the province: nothing of one
            # province is looked up on behalf of another's address.
            logger.warning("redirected host %s: its domain is in another province", info.host)
            return moved_page(request, info, path=path)
        if not _object_public(match, site_for_host(info.target_host)):
            return moved_page(request, info, path=path)
    return _permanent(request, _target(request, info.target_host, request.get_full_path()))
