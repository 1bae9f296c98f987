"""Citizen pages of the portal's required sections (/chuyen-muc/<slug>/) and of its legal basis
(/co-so-phap-ly/), ADR 0016.

A section's page shows what fills it: the list of its published items, its static page, or —
for one of the platform's own pages — a redirect there. A section with nothing published is a
404: citizens never meet an empty section, staff see it as a gap on their dashboard. Citations
of articles live on the legal-basis page, in Vietnamese."""

from __future__ import annotations

import operator
from dataclasses import replace
from functools import reduce

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from editorial.models import Item, Kind
from editorial.selectors import public_item, public_item_list
from frontend.context_processors import SiteContext
from frontend.links import item_path
from frontend.page_cache import public_page
from frontend.profiles import profile_for
from frontend.public_cache import cached
from frontend.sections import section_states, section_url, site_content

PAGE_SIZE = 20
MAX_PAGE = 10_000


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) <= MAX_PAGE else 1


def _section(request, slug: str):
    """The portal's required section at this address; 404 on a component site, without a
    profile, or for an address no section has."""
    profile = profile_for(request)
    if request.component_site is not None or profile is None:
        raise Http404
    section = next((s for s in profile.required_sections if s.slug == slug), None)
    if section is None:
        raise Http404
    return section


def _section_items(section):
    """The section's published items: of its kinds, and filed in its category; newest first."""
    fills = section.content
    wanted = [Q(kind__in=fills.kinds)] if fills.kinds else []
    if fills.category:
        wanted.append(Q(category__slug=fills.category))
    return public_item_list(site=None).filter(reduce(operator.or_, wanted))


def _build_list(request, section, number: int) -> dict | None:
    paginator = Paginator(_section_items(section), PAGE_SIZE, allow_empty_first_page=False)
    try:
        page = paginator.page(number)
    except EmptyPage:
        return None  # nothing published (the dashboard lists the gap), or past the last page
    rows = [
        {
            "title": item.published_revision.title,
            "summary": item.published_revision.summary,
            "url": item_path(item),
            "kind": item.get_kind_display(),
            "published_at": item.published_at,
        }
        for item in page
    ]
    html = render_to_string(
        "frontend/sections/_list.html",
        {"section": section, "rows": rows, "page": page},
        request=request,
    )
    return {"html": html}


def _build_page(request, section) -> dict | None:
    item = public_item(site=None, slug=section.content.page)
    if item is None or item.kind != Kind.PAGE or item.status != Item.Status.PUBLISHED:
        return None
    revision = item.published_revision
    html = render_to_string(
        "frontend/sections/_page.html",
        {
            "section": section,
            "title": revision.title,
            "summary": revision.summary,
            "body": mark_safe(revision.body),  # noqa: S308 - sanitised by nh3 when saved
            "updated_at": item.published_at,
            "attachments": list(item.attachments.all()),
        },
        request=request,
    )
    return {"html": html}


@public_page
def section_page(request, slug: str):
    section = _section(request, slug)
    if section.content.form == "builtin":
        url = section_url(section, site_content(request))
        if url is None:
            raise Http404
        return redirect(url)
    if section.content.form == "page":
        part = cached(request, "section", (slug, "page"), lambda: _build_page(request, section))
    else:
        number = _page_number(request.GET.get("trang"))
        part = cached(
            request, "section", (slug, number), lambda: _build_list(request, section, number)
        )
    if part is None:
        raise Http404
    return render(
        request,
        "frontend/sections/section.html",
        {"section": section, "fragment": mark_safe(part["html"])},  # noqa: S308 - our templates
    )


@public_page
def legal_basis(request):
    """The regulation the portal runs under, the article behind each required section, and the
    Q&A answer deadlines with theirs, in Vietnamese."""
    profile = profile_for(request)
    if profile is None:
        raise Http404
    sections = section_states(profile, site_content(request))
    if request.component_site is not None:
        # The sections are the portal's: from a component site, their pages are on its host.
        portal = (SiteContext(request).portal_url or "").rstrip("/")
        sections = [
            replace(state, url=portal + state.url if portal and state.url else None)
            for state in sections
        ]
    return render(
        request,
        "frontend/sections/legal_basis.html",
        {
            "regulation": profile.province,
            "baseline": profile.baseline,
            # each section with its address where it has content (the others are not linked)
            "sections": sections,
            "qa_kinds": list(profile.qa.kinds.values()),
            "qa_source": profile.qa.source,
        },
    )
