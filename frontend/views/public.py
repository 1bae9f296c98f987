"""Citizen pages of editorial content: the news list and an item's page, on the portal and on
every component site (each shows its own items).

A page shows only an item's published revision: the working copy staff edit never reaches it.
The parts that are the same for every visitor are cached (frontend.public_cache)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from core.profiles import current_profile
from editorial.models import Item, Kind
from editorial.selectors import (
    public_attachment,
    public_item,
    public_item_list,
    site_categories,
)
from editorial.urls_public import procedure_path
from frontend.context_processors import SiteContext
from frontend.downloads import download
from frontend.editorial_forms import CommentForm
from frontend.item_fields import public_fields
from frontend.links import item_path
from frontend.page_cache import public_page
from frontend.profiles import english_offered
from frontend.public_cache import cached

# The kinds of the news list when no kind is chosen (the rest have their own lists).
NEWS_KINDS = ["news", "announcement", "event", "spokesperson_statement"]
LISTED_KINDS = [kind for kind in Kind.values if kind != Kind.PAGE]
PAGE_SIZE = 20
MAX_PAGE = 10_000


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) <= MAX_PAGE else 1


@public_page
def item_list(request):
    site = request.component_site
    kind = request.GET.get("loai", "")
    if kind and kind not in LISTED_KINDS:
        raise Http404
    category_slug = request.GET.get("chuyen-muc", "")[:120]
    number = _page_number(request.GET.get("trang"))

    def build() -> dict | None:
        # The site's categories in one query: the links, and the one asked for if any.
        categories = list(site_categories(site=site))
        category = None
        if category_slug:
            category = next((c for c in categories if c.slug == category_slug), None)
            if category is None:  # unknown here, or another site's category
                return None
        # A category files items of any kind; without one the list is the news kinds.
        kinds = [kind] if kind else (LISTED_KINDS if category else NEWS_KINDS)
        items = public_item_list(site=site, kinds=kinds)
        if category is not None:
            items = items.filter(category=category)
        page = Paginator(items, PAGE_SIZE).get_page(number)
        rows = [
            {
                "title": item.published_revision.title,
                "summary": item.published_revision.summary,
                "url": item_path(item),
                "kind": item.get_kind_display(),
                "category": item.category.name if item.category_id else "",
                "published_at": item.published_at,
            }
            for item in page
        ]
        query = "&".join(
            part
            for part in (
                f"loai={kind}" if kind else "",
                f"chuyen-muc={category.slug}" if category else "",
            )
            if part
        )
        context = {
            "rows": rows,
            "page": page,
            "kind": kind,
            "kinds": [{"code": code, "label": Kind(code).label} for code in LISTED_KINDS],
            "category": category,
            "categories": categories,
            "query": query,
        }
        html = render_to_string("frontend/public/_item_list.html", context, request=request)
        if category is not None:
            heading = category.name
        else:
            heading = Kind(kind).label if kind else _("Tin tức – Thông báo")
        return {"html": html, "heading": heading}

    part = cached(request, "list", (kind, number, category_slug), build)
    if part is None:
        raise Http404
    return render(
        request,
        "frontend/public/item_list.html",
        {"fragment": mark_safe(part["html"]), "heading": part["heading"]},  # noqa: S308
    )


def _translation_links(item: Item) -> dict:
    """The public English version of a Vietnamese item, or the public original of a
    translation (the prefetched relations, no query)."""
    links = {}
    if item.language == "vi":
        for translation in item.translations.all():
            if translation.is_public:
                links["translation"] = {
                    "url": item_path(translation),
                    "language": translation.language,
                }
                break
    elif item.translation_of is not None and item.translation_of.is_public:
        links["original"] = {"url": item_path(item.translation_of), "language": "vi"}
    return links


def item_context(request, item: Item, revision, *, links: dict | None = None) -> dict:
    """What frontend/public/_item.html shows of one revision of an item: the published one on
    the citizens' page, the working copy in the staff preview (backoffice.item_preview)."""
    if links is None:
        links = _translation_links(item)
    notice = reuse_notice(
        current_profile().attribution, portal_name=SiteContext(request).portal_name
    )
    fields = public_fields(item.kind, revision.fields)
    return {
        "item": item,
        "revision": revision,
        "kind": item.get_kind_display(),
        "facts": [field for field in fields if field["type"] not in ("list", "textarea")],
        "tables": [field for field in fields if field["type"] == "list"],
        "texts": [field for field in fields if field["type"] == "textarea"],
        "body": mark_safe(revision.body),  # noqa: S308 - sanitised by nh3 when saved
        "corrections": list(item.corrections.all()),
        "attachments": list(item.attachments.all()),
        "attribution": notice,
        "links": links,
    }


def _build_item(request, *, slug: str, language: str) -> dict | None:
    item = public_item(site=request.component_site, slug=slug, language=language)
    if item is None:
        return None
    if item.kind == Kind.PROCEDURE and item.code and item.language == "vi":
        # A procedure is read in the catalogue, at its national code (frontend/views/procedures).
        return {"status": 301, "location": procedure_path(item.code)}
    revision = item.published_revision
    meta = {
        "title": revision.title,
        "description": revision.summary or revision.title,
        "date": (item.first_published_at or item.published_at),
        "path": item_path(item),
        "language": item.language,
    }
    links = _translation_links(item)
    linked = links.get("translation") or links.get("original")
    meta["relation"] = linked["url"] if linked else ""
    if item.status == Item.Status.WITHDRAWN:
        html = render_to_string(
            "frontend/public/_item_gone.html",
            {"title": revision.title, "reason": item.withdrawal_reason, "language": item.language},
            request=request,
        )
        return {"status": 410, "html": html, "meta": meta, "comments": None}
    context = item_context(request, item, revision, links=links)
    meta["subject"] = item.category.name if item.category_id else ""
    meta["source"] = revision.source_url or revision.source_name
    meta["rights"] = context["attribution"] or ""
    html = render_to_string("frontend/public/_item.html", context, request=request)
    comments = None
    if item.kind == "draft_document":
        comments = {
            "opens_on": revision.fields.get("opens_on"),
            "closes_on": revision.fields.get("closes_on"),
        }
    return {"status": 200, "html": html, "meta": meta, "comments": comments}


def reuse_notice(attribution, *, portal_name: str) -> str | None:
    """What a reader must do to reuse the page, where the regulation requires it
    (attribution.required_on_repost: Đồng Nai Art. 3(3), Bắc Kạn Art. 6(2)): the profile's
    words, else a notice naming the portal."""
    if not attribution.required_on_repost:
        return None
    return attribution.text or _("Ghi rõ tác giả và nguồn “%(portal)s”.") % {"portal": portal_name}


def dublin_core(elements, values: dict) -> list[tuple[str, str]]:
    """The <meta name="DC.…"> of a page: the profile's elements (page_metadata.elements) that
    have a value here, in the profile's order."""
    return [(name, str(values[name])) for name in elements if values.get(name)]


def _item_dublin_core(request, meta: dict, canonical: str) -> list[tuple[str, str]]:
    site = SiteContext(request)
    published = meta["date"]
    values = {
        **meta,
        "creator": site.site_name,
        "description": Truncator(meta["description"]).chars(300),
        "publisher": site.portal_name,
        "date": timezone.localtime(published).date().isoformat() if published else "",
        "identifier": canonical,
        "type": "Text",
        "format": "text/html",
        "relation": request.build_absolute_uri(meta["relation"]) if meta.get("relation") else "",
        "coverage": site.province.name if site.province is not None else "",
    }
    return dublin_core(site.dublin_core, values)


def item_part(request, *, slug: str, language: str) -> dict:
    """The cached, visitor-independent part of an item's page (its HTML, metadata, status and
    comment period); 404 when this site has no such public item."""
    part = cached(
        request,
        "item",
        (language, slug),
        lambda: _build_item(request, slug=slug, language=language),
    )
    if part is None:
        raise Http404
    return part


def item_response(request, *, slug: str, language: str, comment_form=None, status=None):
    part = item_part(request, slug=slug, language=language)
    if "location" in part:
        return HttpResponsePermanentRedirect(part["location"])
    canonical = request.build_absolute_uri(part["meta"]["path"])
    comments = part["comments"]
    comments_open, closes_on = False, None
    if comments and comments["opens_on"] and comments["closes_on"]:
        # The same test as public_comment_submit: today in Vietnam within the period.
        today = timezone.localdate().isoformat()
        comments_open = comments["opens_on"] <= today <= comments["closes_on"]
        closes_on = date.fromisoformat(comments["closes_on"])
    context = {
        "fragment": mark_safe(part["html"]),  # noqa: S308 - rendered by our own templates
        "meta": part["meta"],
        "canonical": canonical,
        "dublin_core": _item_dublin_core(request, part["meta"], canonical),
        "gone": part["status"] == 410,
        "comments": comments,
        "comments_open": comments_open,
        "closes_on": closes_on,
        "comment_form": comment_form or (CommentForm() if comments_open else None),
        "slug": slug,
    }
    return render(request, "frontend/public/item.html", context, status=status or part["status"])


@public_page
def item_page(request, slug: str, language: str = "vi"):
    if language != settings.LANGUAGE_CODE and not english_offered(request):
        raise Http404  # language.english = false: the portal has no English version
    return item_response(request, slug=slug, language=language)


def attachment_download(request, pk: int):
    """A file of a published item of this site; anything else is 404 (never a media path)."""
    attachment = public_attachment(pk=pk, site=request.component_site)
    return download(attachment)
