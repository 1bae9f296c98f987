"""Host → province lookup, cached in Redis and invalidated whenever a Domain row changes.

The cache entry holds the province's few fields; each process also remembers an answer for
HOST_MEMO_SECONDS (config.cache.LocalMemo), so a warm request costs no Redis GET and no query.
A changed Domain row drops both at once in the process that changed it; others follow within
HOST_MEMO_SECONDS."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_tenants.utils import schema_context

from config.cache import LocalMemo
from tenants.models import Domain, Province

HOST_CACHE_TIMEOUT = 3600
HOST_MEMO_SECONDS = 2.0
_MISSING = "-"  # cached negative answer for unknown hosts
_memo = LocalMemo(HOST_MEMO_SECONDS)


def _key(host: str) -> str:
    return f"tenancy:host:{host}"


def normalise_host(host: str) -> str:
    return host.split(":", 1)[0].strip().rstrip(".").lower()


def province_for_host(host: str) -> Province | None:
    host = normalise_host(host)
    cached = _memo.get(host)
    if cached is None:
        # Host keys live in the public schema's key space, whatever schema is active.
        with schema_context("public"):
            cached = cache.get(_key(host))
        if cached is not None:
            _memo.set(host, cached)
    if cached == _MISSING:
        return None
    if cached is not None:
        return Province(**cached)
    # Here, not at the top: tenants.redirects reads this module's normalise_host.
    from tenants.redirects import redirect_columns, redirect_remember

    with schema_context("public"):
        # The host's redirect (ADR 0032) comes in the same query and is cached beside it: a
        # request on a cold cache pays no query more for it.
        domain = (
            Domain.objects.select_related("tenant")
            .filter(domain=host)
            .annotate(**redirect_columns())
            .first()
        )
        if domain is not None:
            redirect_remember(host, domain)
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
                # Read on every request: a frozen province refuses changes
                # (tenants.middleware.FrozenProvinceMiddleware), a merged one is history (ADR 0032).
                "frozen_at": tenant.frozen_at,
                "frozen_reason": tenant.frozen_reason,
                "merged_into_id": tenant.merged_into_id,
            },
            HOST_CACHE_TIMEOUT,
        )
        return tenant


def host_cache_forget(*hosts: str) -> None:
    _memo.forget(*(normalise_host(h) for h in hosts))
    with schema_context("public"):
        cache.delete_many([_key(normalise_host(h)) for h in hosts])


def province_hosts_forget(province: Province) -> None:
    """Forget the cached answer of every host of `province`, after a change to the fields the
    cache holds (a merge freezing or unfreezing it, ADR 0032): this process sees the change at
    once, others within HOST_MEMO_SECONDS."""
    with schema_context("public"):
        hosts = list(Domain.objects.filter(tenant_id=province.pk).values_list("domain", flat=True))
    if hosts:
        host_cache_forget(*hosts)


@receiver(post_save, sender=Domain)
@receiver(post_delete, sender=Domain)
def _forget_domain(sender, instance: Domain, **kwargs) -> None:
    # Cache coherence only (no business rule): any change to a host name drops its entry.
    host_cache_forget(instance.domain)
