"""Inside a province's schema: which component site (if any) this host is."""

from django.db import connection
from django_tenants.utils import get_public_schema_name

from organization.sites import site_for_host


class ComponentSiteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.component_site = None
        tenant = getattr(request, "tenant", None)
        if tenant is not None and connection.schema_name != get_public_schema_name():
            request.component_site = site_for_host(tenant.domain_url)
        return self.get_response(request)
