"""Host → province (django-tenants), with the lookup cached; unknown hosts get a plain 404. A
province frozen during its merge answers every change with 503."""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpResponse, HttpResponseNotFound, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from tenants.hosts import normalise_host, province_for_host
from tenants.redirects import host_redirect, redirect_response

NOT_FOUND_PAGE = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
    "<title>404 – Không tìm thấy</title></head><body>"
    "<h1>404 – Không tìm thấy trang</h1>"
    "<p>Địa chỉ này không thuộc cổng thông tin nào trên nền tảng.</p>"
    "</body></html>"
)


class ProvinceMiddleware(TenantMainMiddleware):
    def process_request(self, request):
        connection.set_schema_to_public()
        try:
            host = normalise_host(request.get_host())
        except DisallowedHost:
            # A host outside ALLOWED_HOSTS is answered here, before any other middleware, with
            # the unknown host's plain 404: no province is served on it, even one on record.
            return HttpResponseNotFound(NOT_FOUND_PAGE)
        tenant = province_for_host(host)
        if tenant is None:
            return HttpResponseNotFound(NOT_FOUND_PAGE)
        tenant.domain_url = host
        request.tenant = tenant
        connection.set_tenant(request.tenant)
        self.setup_url_routing(request, force_public=tenant.schema_name == get_public_schema_name())
        return None


# A merge's copy takes minutes (ADR 0032): a client told to come back in five finds it over.
FROZEN_RETRY_AFTER = 300
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class FrozenProvinceMiddleware:
    """While a merge copies a province's rows into the province it joins (Province.frozen_at,
    ADR 0032), its pages are read as before and every change is refused here, before any view
    runs, so that nothing written during the copy is left behind in the old schema: a staff
    edit, a citizen's question or comment, an API write. The answer is 503 with Retry-After,
    never a form error, because the same request succeeds once the merge ends (or fails and
    unfreezes the province). The frozen state comes with the host's cached province
    (tenants.hosts): no query per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and getattr(tenant, "frozen_at", None) is not None
            and request.method not in SAFE_METHODS
        ):
            return frozen_response(request, tenant)
        return self.get_response(request)


def frozen_response(request, tenant) -> HttpResponse:
    """503 for a change asked of a frozen province: the API's error format under /api/, else a
    page saying why and what still works."""
    response: HttpResponse
    message = _(
        "Cổng thông tin đang được hợp nhất vào cổng thông tin của tỉnh khác: tạm ngừng nhận "
        "thay đổi, yêu cầu chưa được lưu. Hãy gửi lại sau khi việc hợp nhất hoàn tất."
    )
    if request.path.startswith("/api/"):
        body = {"error": {"code": "province_frozen", "message": message, "fields": {}}}
        response = JsonResponse(body, status=503)
    else:
        # Rendered without the context processors (as every error page, error_base.html): the
        # request has met no session or site middleware yet.
        page = render_to_string(
            "tenants/frozen.html",
            {
                "site_name": tenant.portal_name or tenant.name,
                "reason": tenant.frozen_reason,
                "retry_minutes": FROZEN_RETRY_AFTER // 60,
            },
        )
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(FROZEN_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


class HostRedirectMiddleware:
    """A redirected host (tenants/redirects.py) answers every request here, right after its
    province is known: no session, sign-in, page cache or page-view count runs for it. Only the
    static files pass, for the moved page's own stylesheet and icons."""

    def __init__(self, get_response):
        from django.middleware.security import SecurityMiddleware

        from config.middleware import ContentSecurityPolicyMiddleware, PermissionsPolicyMiddleware

        self.get_response = get_response
        # The answers of a redirected host carry the headers every page carries (HSTS, the
        # Content-Security-Policy, Permissions-Policy): the same middlewares, around them only.
        self.answer = SecurityMiddleware(
            ContentSecurityPolicyMiddleware(
                PermissionsPolicyMiddleware(
                    lambda request: redirect_response(request, request.host_redirect)
                )
            )
        )

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == get_public_schema_name():
            return self.get_response(request)
        info = host_redirect(tenant.domain_url)
        if info is None or request.path.startswith(settings.STATIC_URL or "/static/"):
            return self.get_response(request)
        request.host_redirect = info
        return self.answer(request)
