"""The English pages under /en/, only where the profile's `language.english` is true (Decree
42/2022 Art. 7; Thái Nguyên Art. 4(13), 7(1); Hà Giang Art. 4(1)); 404 where it is false.

At least the organisation and its contacts are in English, with every item published in English
(`/en/article/<slug>/`). The pages render with English active whatever the visitor's language
cookie, so their chrome is English too; a Vietnamese name with no English version is marked
`lang="vi"`."""

from __future__ import annotations

from functools import wraps

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from unidecode import unidecode

from editorial.selectors import public_item_list
from frontend.context_processors import SiteContext
from frontend.links import item_path
from frontend.page_cache import public_page
from frontend.profiles import english_offered
from frontend.views.contacts import agency_rows, contacts_context, kind_groups
from organization.selectors import agency_contacts
from provinces.languages import ENGLISH

PAGE_SIZE = 20
MAX_PAGE = 1000


def english_page(view):
    """404 where the portal has no English version; otherwise the view in English (and the
    whole-page cache keyed in English)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if SiteContext(request).is_platform or not english_offered(request):
            raise Http404
        with translation.override(ENGLISH):
            request.LANGUAGE_CODE = ENGLISH
            response = view(request, *args, **kwargs)
        response["Content-Language"] = ENGLISH
        return response

    return wrapped


def english_portal_name(request) -> str:
    """The portal's name in English: the province's name written without diacritics, as
    English writes Vietnamese place names ("Thai Nguyen Provincial Web Portal"); on a component
    site, the agency's English name where it has one."""
    context = SiteContext(request)
    site = request.component_site
    if site is not None:
        return site.agency.english_name or site.agency.name
    province = context.province
    return _("Cổng thông tin điện tử tỉnh %(province)s") % {"province": unidecode(province.name)}


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) <= MAX_PAGE else 1


@english_page
@public_page
def home(request):
    site = request.component_site
    items = public_item_list(site=site, language=ENGLISH)
    page = Paginator(items, PAGE_SIZE).get_page(_page_number(request.GET.get("page")))
    rows = [
        {
            "title": item.published_revision.title,
            "summary": item.published_revision.summary,
            "url": item_path(item),
            "published_at": item.published_at,
        }
        for item in page
    ]
    return render(
        request,
        "frontend/en/home.html",
        {
            "title": english_portal_name(request),
            "vietnamese_name": SiteContext(request).site_name,
            "named_in_vietnamese": site is not None and not site.agency.english_name,
            "rows": rows,
            "page": page,
        },
    )


@english_page
@public_page
def organisation(request):
    site = request.component_site
    agencies = agency_contacts(agency_id=site.agency_id if site is not None else None)
    rows = agency_rows(request, agencies, english=True)
    return render(
        request,
        "frontend/en/organisation.html",
        {"title": english_portal_name(request), "groups": kind_groups(rows)},
    )


@english_page
@public_page
def contacts(request):
    context = contacts_context(request, english=True)
    context["title"] = english_portal_name(request)
    return render(request, "frontend/en/contacts.html", context)
