"""Host → province (django-tenants), with the lookup cached; unknown hosts get a plain 404."""

from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpResponseNotFound
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from tenants.hosts import normalise_host, province_for_host

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
