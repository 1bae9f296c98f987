"""Citizen pages: the province portal's home and a component site's home."""

from __future__ import annotations

from django.shortcuts import render

from frontend.links import component_site_url
from frontend.page_cache import public_page
from frontend.profiles import profile_for
from organization.models import Agency
from organization.selectors import agency_list


@public_page
def home(request):
    if request.component_site is not None:
        return _component_site_home(request, request.component_site)
    return _portal_home(request)


def _portal_home(request):
    groups: dict[str, list[dict]] = {kind: [] for kind in Agency.Kind.values}
    for agency in agency_list():
        site = getattr(agency, "site", None)
        groups.setdefault(agency.kind, []).append(
            {
                "name": agency.name,
                "url": component_site_url(request, site) if site and site.is_active else None,
            }
        )
    agency_groups = [
        {"kind": kind, "label": Agency.Kind(kind).label, "agencies": agencies}
        for kind, agencies in groups.items()
        if agencies
    ]
    profile = profile_for(request)
    sections = profile.required_sections if profile is not None else []
    return render(
        request,
        "frontend/portal_home.html",
        {"agency_groups": agency_groups, "sections": sections},
    )


def _component_site_home(request, site):
    agency = site.agency
    return render(
        request,
        "frontend/site_home.html",
        {"agency": agency, "agency_kind": agency.get_kind_display()},
    )
