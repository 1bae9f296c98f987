"""Host → province lookup, cached in Redis and invalidated whenever a Domain row changes.

The cache entry holds the schema name only; the Province row is read by primary key from a
per-process copy, so a request costs one Redis GET and no query once warm."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_tenants.utils import schema_context

from tenants.models import Domain, Province

HOST_CACHE_TIMEOUT = 3600
_MISSING = "-"  # cached negative answer for unknown hosts


def _key(host: str) -> str:
    return f"tenancy:host:{host}"


def normalise_host(host: str) -> str:
    return host.split(":", 1)[0].strip().rstrip(".").lower()


def province_for_host(host: str) -> Province | None:
    host = normalise_host(host)
    # Host keys live in the public schema's key space, whatever schema is active.
    with schema_context("public"):
        cached = cache.get(_key(host))
        if cached == _MISSING:
            return None
        if cached is not None:
            return Province(**cached)
        domain = Domain.objects.select_related("tenant").filter(domain=host).first()
        if domain is None or domain.tenant.is_template:
            cache.set(_key(host), _MISSING, 60)
            return None
        tenant = domain.tenant
        cache.set(
            _key(host),
            {
                "id": tenant.pk,
                "schema_name": tenant.schema_name,
                "slug": tenant.slug,
                "name": tenant.name,
                "portal_name": tenant.portal_name,
                "profile_effective_from": tenant.profile_effective_from,
                "is_template": False,
            },
            HOST_CACHE_TIMEOUT,
        )
        return tenant


def host_cache_forget(*hosts: str) -> None:
    with schema_context("public"):
        cache.delete_many([_key(normalise_host(h)) for h in hosts])


@receiver(post_save, sender=Domain)
@receiver(post_delete, sender=Domain)
def _forget_domain(sender, instance: Domain, **kwargs) -> None:
    # Cache coherence only (no business rule): any change to a host name drops its entry.
    host_cache_forget(instance.domain)
