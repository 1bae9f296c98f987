"""Counts the views of citizens' pages (reports.pageviews, ADR 0028): a GET answered 200 with
HTML, on a province's host, of a public page (not the back office, the API, files, feeds,
sitemaps or robots.txt), not a browser's prefetch and not an obvious robot. What is counted is
(day, site, kind of page): nothing about the visitor. No database query: the site is the one
organization.middleware.ComponentSiteMiddleware found for the host, the kind the URL's name.

`PAGE_VIEWS_COUNTED` (setting, default True) turns counting off. Views nginx answers from its
micro-cache never reach Django: nginx mirrors them to `COUNT_PATH`, answered here without a
page (ADR 0028)."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django_tenants.utils import get_public_schema_name

from reports.models import PageViewDay
from reports.pageviews import count_view

Kind = PageViewDay.PageKind

# The URL names of citizens' pages (frontend.urls_tenant, frontend.urls_qa) and their kind.
PAGE_KINDS: dict[str, str] = {
    "home": Kind.HOME,
    "en_home": Kind.HOME,
    "item": Kind.ITEM,
    "item_translation": Kind.ITEM,
    "item_list": Kind.LIST,
    "section": Kind.LIST,
    "documents": Kind.DOCUMENT,
    "drafts": Kind.DOCUMENT,
    "legal_basis": Kind.DOCUMENT,
    "procedures": Kind.PROCEDURE,
    "procedure": Kind.PROCEDURE,
    "qa_list": Kind.QA,
    "qa_submit": Kind.QA,
    "qa_track": Kind.QA,
    "qa_submitted": Kind.QA,
    "search": Kind.SEARCH,
    "contacts": Kind.OTHER,
    "en_organisation": Kind.OTHER,
    "en_contacts": Kind.OTHER,
}
# Never a citizen's page view, whatever they answer.
SKIPPED_PREFIXES = ("/staff/", "/api/", "/static/", "/media/", "/healthz", "/readyz", "/metrics")
COUNT_PATH = "/__luot-xem/"  # nginx's mirror of a page served from its cache (ADR 0028)
MIRRORED_HEADER = "X-Page-View-Mirrored"  # set by nginx on requests it counts by the mirror

BOTS = re.compile(
    r"bot|crawl|spider|slurp|fetch|scan|monitor|curl|wget|python|java/|go-http|httpclient|"
    r"okhttp|axios|node-fetch|headless|lighthouse|pingdom|uptime|preview|facebookexternalhit",
    re.IGNORECASE,
)


def is_prefetch(request) -> bool:
    purpose = request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose", "")
    return "prefetch" in purpose.lower() or "prefetch" in request.headers.get("X-Moz", "")


def is_robot(request) -> bool:
    agent = request.headers.get("User-Agent", "")
    return not agent or BOTS.search(agent[:512]) is not None


def page_kind(request, response) -> str | None:
    """The kind of citizen's page this response is a view of, or None when it is not one."""
    if request.method != "GET" or response.status_code != 200:
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    if request.path.startswith(SKIPPED_PREFIXES):
        return None
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "frontend":
        return None
    kind = PAGE_KINDS.get(match.url_name or "")
    if kind is None or is_prefetch(request) or is_robot(request):
        return None
    return str(kind)


class PageViewMiddleware:
    """Counts the citizen's page this response is (near the end of the stack: the page's URL
    resolved, its site known)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Behind nginx a page's view is counted by nginx's mirror (MIRRORED_HEADER), never
        # here as well.
        if (
            getattr(settings, "PAGE_VIEWS_COUNTED", True)
            and connection.schema_name != get_public_schema_name()
            and MIRRORED_HEADER not in request.headers
        ):
            kind = page_kind(request, response)
            if kind is not None:
                site = getattr(request, "component_site", None)
                count_view(site_id=getattr(site, "pk", None), kind=kind)
        return response


class PageViewMirrorMiddleware:
    """nginx's copy of a request of the portal (COUNT_PATH, the original's path in
    X-Original-URI): counted like the page it copies, answered 204 with nothing. Placed right
    after the province is known (tenants.middleware.ProvinceMiddleware), before the rest of the
    stack (sessions, security redirects): a copy costs a fraction of a page (ADR 0028)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != COUNT_PATH:
            return self.get_response(request)
        from django.urls import Resolver404, resolve

        from organization.sites import site_for_host

        nothing = HttpResponse(status=204)
        nothing["Cache-Control"] = "no-store"
        tenant = getattr(request, "tenant", None)
        if (
            not getattr(settings, "PAGE_VIEWS_COUNTED", True)
            or tenant is None
            or connection.schema_name == get_public_schema_name()
            or request.method != "GET"
        ):
            return nothing
        original = request.headers.get("X-Original-URI", "")[:2048].split("?", 1)[0]
        if not original.startswith("/") or original.startswith(SKIPPED_PREFIXES):
            return nothing
        if is_prefetch(request) or is_robot(request):
            return nothing
        try:
            match = resolve(original)
        except Resolver404:
            return nothing
        kind = PAGE_KINDS.get(match.url_name or "") if match.namespace == "frontend" else None
        if kind is not None:
            site = site_for_host(tenant.domain_url)
            count_view(site_id=getattr(site, "pk", None), kind=str(kind))
        return nothing
