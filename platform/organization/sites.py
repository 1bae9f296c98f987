"""Host → component site inside the active province's schema, cached per schema.

Cache keys carry the schema name (django_tenants.cache.make_key), so two provinces with a
site labelled alike never share an entry."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from organization.models import ComponentSite

SITE_CACHE_TIMEOUT = 3600
_PORTAL = 0  # cached answer: this host is the province portal itself


def _key(host: str) -> str:
    return f"organization:site:{host}"


def site_for_host(host: str) -> ComponentSite | None:
    cached = cache.get(_key(host))
    if cached == _PORTAL:
        return None
    if cached is not None:
        return ComponentSite.objects.select_related("agency").filter(pk=cached).first()
    site = (
        ComponentSite.objects.select_related("agency")
        .filter(
            Q(host=host) | Q(dev_host=host) | Q(alternate_hosts__contains=[host]), is_active=True
        )
        .first()
    )
    cache.set(_key(host), site.pk if site else _PORTAL, SITE_CACHE_TIMEOUT)
    return site


@receiver(post_save, sender=ComponentSite)
@receiver(post_delete, sender=ComponentSite)
def _forget_site(sender, instance: ComponentSite, **kwargs) -> None:
    # Cache coherence only: a changed site drops the entries of both its hosts.
    hosts = [instance.host, instance.dev_host, *(instance.alternate_hosts or [])]
    cache.delete_many([_key(h) for h in hosts if h])
