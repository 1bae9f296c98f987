"""The operator console on the platform host: the provinces, how to onboard one, and the
platform's audit."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_tenants.utils import schema_context

from accounts.selectors import audit_entries
from config.hosts import host_url, is_development_request
from frontend.views.administration import AUDIT_FILTERS, audit_page, audit_rows
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


# What an operator reads of a province's audit: its staff's sign-ins, failures, lockouts,
# sessions, passwords and second factors, its accounts and roles, its API keys; never the rows
# about content, where citizens' words and names can appear.
PROVINCE_AUDIT_FILTERS = {
    "": (("security", "accounts", "api_keys"), gettext_lazy("Tất cả sự kiện bảo mật")),
    "bao-mat": AUDIT_FILTERS["bao-mat"],
    "tai-khoan": AUDIT_FILTERS["tai-khoan"],
    "khoa-api": AUDIT_FILTERS["khoa-api"],
}
MAX_SLUG_LENGTH = 63


def _operator(request) -> None:
    if not request.user.is_staff:
        raise PermissionDenied


@never_cache
@login_required
def console_audit(request):
    """The platform's own audit (public schema): operators' sign-ins and their security,
    operators created, secrets re-issued, operator API keys; by kind, by pages."""
    _operator(request)
    context, status = audit_page(request, AUDIT_FILTERS)
    context["province"] = None
    return render(request, "frontend/console/audit.html", context, status=status)


@never_cache
@login_required
def console_province_audit(request, slug: str):
    """One province's security audit, read from that province's schema (ADR 0022): what its
    administrator sees under "Đăng nhập và bảo mật", "Tài khoản và vai trò" and "Khoá API"."""
    _operator(request)
    province = province_list().filter(slug=slug[:MAX_SLUG_LENGTH]).first()
    if province is None:
        raise Http404
    with schema_context(province.schema_name):
        context, status = audit_page(request, PROVINCE_AUDIT_FILTERS)
    context["province"] = {"name": province.name, "slug": province.slug}
    return render(request, "frontend/console/audit.html", context, status=status)
