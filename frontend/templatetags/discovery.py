"""What the <head> of every page tells search engines, feed readers and link previews
(frontend/templates/frontend/includes/head_meta.html): its canonical address, its Open Graph
description and its feeds. Back-office pages get `noindex` and nothing else; a page that keeps
itself out of search engines (a citizen's receipt, a withdrawn item) gets nothing.

Read from the page's context and the request only: no query."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

from django import template
from django.urls import NoReverseMatch, reverse

from frontend.context_processors import SiteContext
from frontend.profiles import in_back_office

register = template.Library()

# Query parameters added by campaigns and social networks: never part of a page's address.
TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|zarsrc)$"
)
# Pages reached with a private code (a citizen's receipt, tracking, own data): their templates
# say `noindex` themselves, and they have nothing to share.
PRIVATE_PAGES = frozenset({"qa_submitted", "qa_track", "qa_my_data"})
OG_LOCALES = {"vi": "vi_VN", "en": "en_US"}
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")


def canonical_url(request) -> str:
    """This page's absolute address without tracking parameters (their order kept)."""
    kept = [
        (name, value)
        for name, value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
        if not TRACKING.match(name)
    ]
    path = request.path + (f"?{urlencode(kept)}" if kept else "")
    return request.build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def canonical(context) -> str:
    """`{% canonical %}`: the page's canonical address (the view's `canonical`, else this
    address without tracking parameters), for a template that cites it (DC.identifier)."""
    request = context.get("request")
    if request is None:
        return ""
    return context.get("canonical") or canonical_url(request)


def _feeds(request, site, heading) -> list[dict]:
    try:
        feeds = [{"title": site.site_name, "url": reverse("frontend:rss")}]
    except NoReverseMatch:  # a host without feeds
        return []
    match = request.resolver_match
    slug = request.GET.get("chuyen-muc", "")
    if match is not None and match.url_name == "item_list" and _SLUG.match(slug):
        # the list of one category (an unknown one is a 404 and never gets here)
        feeds.append(
            {
                "title": f"{heading} – {site.site_name}" if heading else site.site_name,
                "url": reverse("frontend:category_rss", kwargs={"slug": slug}),
            }
        )
    return feeds


@register.simple_tag(takes_context=True)
def page_meta(context) -> dict:
    """{"noindex": bool} for back-office pages; for public pages also "canonical", "title",
    "description", "type", "locale", "site_name", "image" and "feeds"."""
    request = context.get("request")
    if request is None:
        return {}
    site = context.get("site")
    if not isinstance(site, SiteContext):  # a page that names something else `site`
        site = SiteContext(request)
    if site.is_platform or in_back_office(request):
        return {"noindex": True}
    match = request.resolver_match
    if context.get("gone") or (match is not None and match.url_name in PRIVATE_PAGES):
        return {}
    meta = context.get("meta") if isinstance(context.get("meta"), dict) else {}
    heading = context.get("heading")
    language = meta.get("language") or getattr(request, "LANGUAGE_CODE", "") or "vi"
    theme = getattr(site, "theme", None) or {}
    emblem = theme.get("emblem_url") if isinstance(theme, dict) else None
    return {
        "canonical": context.get("canonical") or canonical_url(request),
        "title": meta.get("title") or context.get("page_title") or heading or site.site_name,
        "description": meta.get("description") or site.site_name,
        "type": "article" if meta.get("path") else "website",
        "locale": OG_LOCALES.get(language, "vi_VN"),
        "site_name": site.site_name,
        "image": request.build_absolute_uri(emblem) if emblem else "",
        "feeds": _feeds(request, site, heading),
    }
