"""How citizens and machines find a site's content: its RSS feeds (the site's and each
category's), its sitemap, robots.txt, and the saved copy of an article.

Everything is per host: the portal and each component site list their own items only, with
absolute addresses on the host that was asked. Feeds and sitemaps are whole public pages
(frontend.page_cache), so they are rebuilt only after a publication."""

from __future__ import annotations

import re
from functools import cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from catalog.selectors import ProcedureFilters, procedures_listed, public_procedures
from editorial.models import Item, Kind
from editorial.selectors import public_item_list, public_items, site_categories
from editorial.urls_public import procedure_path
from frontend.context_processors import SiteContext
from frontend.http_cache import shared_page
from frontend.links import item_path
from frontend.page_cache import public_page
from frontend.profiles import english_offered, profile_for
from frontend.views import errors
from frontend.views.procedures import catalogue_open
from frontend.views.public import LISTED_KINDS, item_part

FEED_SIZE = 50  # the latest items of a feed
# Paths no crawler needs (robots.txt): the back office, the API and the language switch.
PRIVATE_PATHS = ("/staff/", "/api/", "/i18n/", "/ngon-ngu/")


def _path(name: str, **kwargs) -> str | None:
    """The path of URL `name`, or None where this host has no such page (yet)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _feed_items(site, category=None):
    items = public_item_list(site=site, kinds=LISTED_KINDS)
    if category is not None:
        items = items.filter(category=category)
    # A feed shows the summary: the body and fields of 50 revisions are not read.
    return items.defer("published_revision__body", "published_revision__fields")[:FEED_SIZE]


# --- RSS 2.0 ---------------------------------------------------------------------------------


class SiteFeed(Feed):
    """The latest items of the site that answers (the portal or one component site)."""

    language = "vi"  # the items listed are the Vietnamese ones

    def get_object(self, request, *args, **kwargs):
        self.request = request
        self.site = SiteContext(request)
        return None

    def title(self, obj) -> str:
        return self.site.site_name

    def link(self, obj) -> str:
        return reverse("frontend:home")

    def feed_url(self, obj) -> str:
        return reverse("frontend:rss")

    def description(self, obj) -> str:
        return _("Tin bài mới nhất của %(site)s") % {"site": self.site.site_name}

    def items(self, obj):
        return _feed_items(self.request.component_site)

    def item_title(self, item: Item) -> str:
        return item.published_revision.title

    def item_description(self, item: Item) -> str:
        return item.published_revision.summary

    def item_link(self, item: Item) -> str:
        return item_path(item)

    def item_pubdate(self, item: Item):
        return item.first_published_at or item.published_at

    def item_updateddate(self, item: Item):
        return item.published_at

    def item_categories(self, item: Item) -> tuple[str, ...]:
        return (item.category.name,) if item.category_id else ()


class CategoryFeed(SiteFeed):
    """The latest items of one category of the site; another site's category is unknown here."""

    def get_object(self, request, *args, slug: str = "", **kwargs):
        super().get_object(request)
        category = site_categories(site=request.component_site).filter(slug=slug).first()
        if category is None:
            raise Http404
        return category

    def title(self, obj) -> str:
        return f"{obj.name} – {self.site.site_name}"

    def link(self, obj) -> str:
        return f"{reverse('frontend:item_list')}?chuyen-muc={obj.slug}"

    def feed_url(self, obj) -> str:
        return reverse("frontend:category_rss", kwargs={"slug": obj.slug})

    def description(self, obj) -> str:
        return _("Tin bài mới nhất của chuyên mục %(category)s, %(site)s") % {
            "category": obj.name,
            "site": self.site.site_name,
        }

    def items(self, obj):
        return _feed_items(self.request.component_site, category=obj)


@require_safe
@public_page
def rss(request):
    return SiteFeed()(request)


@require_safe
@public_page
def category_rss(request, slug: str):
    return CategoryFeed()(request, slug=slug)


# --- sitemap ---------------------------------------------------------------------------------


def _languages(request) -> list[str]:
    return [settings.LANGUAGE_CODE, "en"] if english_offered(request) else [settings.LANGUAGE_CODE]


class _HostSitemap(Sitemap):
    """A part of the sitemap of the host that answers. Its pages are read once per request
    (Django's Sitemap builds a new paginator, and reads the items again, at every access)."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def paginator(self) -> Paginator:
        return Paginator(self._items(), self.limit)


class ItemSitemap(_HostSitemap):
    """Every public item page of the site, in each language the portal publishes."""

    def items(self):
        return (
            public_items(site=self.request.component_site)
            .filter(language__in=_languages(self.request))
            .exclude(kind=Kind.PROCEDURE)  # read at their catalogue address (ProcedureSitemap)
            .select_related(None)
            .only("slug", "language", "published_at")
        )

    def location(self, item: Item) -> str:
        return item_path(item)

    def lastmod(self, item: Item):
        return item.published_at

    def get_latest_lastmod(self):
        # One aggregate instead of reading every item (the index of a site of many pages).
        return self.items().aggregate(latest=Max("published_at"))["latest"]


class ProcedureSitemap(_HostSitemap):
    """The pages of the procedures this site lists (a component site: its agency's); a part of
    the sitemap only where the profile publishes the catalogue and there are some."""

    def items(self):
        return (
            public_procedures(site=self.request.component_site, filters=ProcedureFilters())
            .select_related(None)
            .only("code", "published_at")
            .order_by("pk")
        )

    def location(self, item: Item) -> str:
        return procedure_path(item.code)

    def lastmod(self, item: Item):
        return item.published_at

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("published_at"))["latest"]


class PageSitemap(_HostSitemap):
    """The site's other public pages: its home, lists, sections and the platform's pages."""

    def items(self) -> list[tuple[str, object]]:
        request = self.request
        site = request.component_site
        # The newest publication of each category (None: uncategorised), in one query.
        latest = dict(
            public_items(site=site)
            .order_by()
            .values_list("category_id")
            .annotate(latest=Max("published_at"))
        )
        newest = max((value for value in latest.values() if value), default=None)
        pages: dict[str, object] = {}
        # The search page without a query has nothing of its own to index.
        search = _path("frontend:search")

        def add(path: str | None, lastmod=None) -> None:
            if path and path not in pages and path.partition("?")[0] != search:
                pages[path] = lastmod

        news = reverse("frontend:item_list")
        add(reverse("frontend:home"), newest)
        add(news, newest)
        for category in site_categories(site=site):
            add(f"{news}?chuyen-muc={category.slug}", latest.get(category.pk))
        for path in _section_paths(request):
            add(path)
        for name in ("documents", "drafts", "contacts", "qa_list", "legal_basis"):
            add(_path(f"frontend:{name}"))
        if catalogue_open(request):
            add(_path("frontend:procedures"))
        if english_offered(request):
            for name in ("en_home", "en_organisation", "en_contacts"):
                add(_path(f"frontend:{name}"))
        return list(pages.items())

    def location(self, page) -> str:
        return page[0]

    def lastmod(self, page):
        return page[1]

    def get_latest_lastmod(self):
        return max((page[1] for page in self.paginator.object_list if page[1]), default=None)


def _section_paths(request) -> list[str]:
    """The paths of the site's sections: its menu where the site has one, else the profile's
    required sections that have an address."""
    host = request.get_host()
    menu = getattr(SiteContext(request), "menu", None)
    if menu:
        paths = []
        for entry in menu:
            parts = urlsplit(str(entry.get("url") or ""))
            if parts.path.startswith("/") and parts.netloc in ("", host):
                paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return paths
    profile = profile_for(request)
    sections = profile.required_sections if profile is not None else []
    slugs = [getattr(section, "slug", "") for section in sections]
    return [path for slug in slugs if slug and (path := _path("frontend:section", slug=slug))]


def _sitemaps(request) -> dict[str, Sitemap]:
    maps: dict[str, Sitemap] = {"trang": PageSitemap(request), "bai-viet": ItemSitemap(request)}
    if catalogue_open(request) and procedures_listed(site=request.component_site):
        maps["thu-tuc"] = ProcedureSitemap(request)
    return maps


@require_safe
@public_page
def sitemap(request):
    """The site's sitemap; a sitemap index of its parts when they hold more than one file's
    50,000 addresses."""
    maps = _sitemaps(request)
    if any(part.paginator.num_pages > 1 for part in maps.values()):
        return sitemap_views.index(
            request,
            maps,
            template_name="frontend/discovery/sitemap_index.xml",
            sitemap_url_name="frontend:sitemap_section",
        )
    return sitemap_views.sitemap(request, maps, template_name="frontend/discovery/sitemap.xml")


@require_safe
@public_page
def sitemap_section(request, section: str):
    """One part of the sitemap index, page by page (?p=2…); an unknown part or page is 404."""
    return sitemap_views.sitemap(
        request, _sitemaps(request), section=section, template_name="frontend/discovery/sitemap.xml"
    )


@require_safe
@shared_page
def robots(request):
    """Where crawlers may go (not the back office, the API or the language switch) and where
    the sitemap of this host is."""
    sitemap_url = request.build_absolute_uri(reverse("frontend:sitemap"))
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in PRIVATE_PATHS)]
    lines.append(f"Sitemap: {sitemap_url}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# --- an article saved as one file ------------------------------------------------------------

_UNSAFE = re.compile(r"[^a-z0-9-]+")


def _file_name(slug: str) -> str:
    stem = _UNSAFE.sub("-", slug.lower()).strip("-")[:80].strip("-")
    return f"{stem or 'bai-viet'}.html"


@require_safe
@shared_page
def item_save(request, slug: str, language: str = "vi"):
    """The article as one self-contained HTML file to keep or send on: the same text as its
    page (the same cached part), its address and the site's name, and no outside resource."""
    if language != settings.LANGUAGE_CODE and not english_offered(request):
        raise Http404
    part = item_part(request, slug=slug, language=language)
    if "location" in part:  # a procedure: its page in the catalogue
        raise Http404
    fragment = mark_safe(part["html"])  # noqa: S308 - rendered by our own templates
    if part["status"] == 410:
        return errors.gone(request, notice=fragment)
    canonical = request.build_absolute_uri(part["meta"]["path"])
    html = render_to_string(
        "frontend/discovery/item_saved.html",
        {
            "fragment": fragment,
            "meta": part["meta"],
            "canonical": canonical,
            "site_name": SiteContext(request).site_name,
            "saved_at": timezone.localtime(),
        },
    )
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_file_name(slug)
    )
    response["X-Robots-Tag"] = "noindex"
    return response
