"""The operator console on the platform host: the provinces, how to onboard one, and the
platform's audit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from accounts.selectors import audit_entries
from config.hosts import host_url, is_development_request
from frontend.views.administration import audit_rows
from tenants.selectors import province_list, province_portal_host


@login_required
def console_home(request):
    # Ministry operators only: an account of the public schema without the staff flag
    # (none is created so, but one could be) sees nothing.
    if not request.user.is_staff:
        raise PermissionDenied
    development = is_development_request(request)
    provinces = []
    for province in province_list():
        portal_host = province_portal_host(province, development=False)
        dev_host = province_portal_host(province, development=True)
        link_host = (dev_host or portal_host) if development else (portal_host or dev_host)
        provinces.append(
            {
                "name": province.name,
                "portal_name": province.portal_name,
                "slug": province.slug,
                "schema_name": province.schema_name,
                "portal_host": portal_host,
                "dev_host": dev_host,
                "url": host_url(request, link_host) if link_host else None,
                "profile_effective_from": province.profile_effective_from,
            }
        )
    # The platform's own audit (public schema): operators created, secrets re-issued, operator
    # API keys; the commands record themselves there as the server's command line.
    audit = audit_rows(audit_entries(limit=50))
    return render(request, "frontend/console/home.html", {"provinces": provinces, "audit": audit})
