"""Reads of the public schema shared by api/ and frontend/."""

from django.db.models import Prefetch, QuerySet
from django_tenants.utils import get_public_schema_name

from tenants.models import Domain, Province


def province_list() -> QuerySet[Province]:
    return (
        Province.objects.filter(is_template=False)
        .exclude(schema_name=get_public_schema_name())
        .prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("domain")))
    )


def province_portal_host(province: Province, *, development: bool) -> str | None:
    for domain in province.domains.all():
        if domain.kind == Domain.Kind.PORTAL and domain.is_development == development:
            return domain.domain
    return None
