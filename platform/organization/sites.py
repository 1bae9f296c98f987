"""Host → component site inside the active province's schema, cached per schema.

Cache keys carry the schema name (django_tenants.cache.make_key), so two provinces with a
site labelled alike never share an entry; so does the few seconds' memory each process keeps
of an answer (config.cache.LocalMemo), which the process that changes a site drops at once."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from config.cache import LocalMemo
from organization.models import ComponentSite

SITE_CACHE_TIMEOUT = 3600
SITE_MEMO_SECONDS = 2.0
_PORTAL = 0  # cached answer: this host is the province portal itself
_memo = LocalMemo(SITE_MEMO_SECONDS)


def _key(host: str) -> str:
    return f"organization:site:{host}"


def site_for_host(host: str) -> ComponentSite | None:
    memo_key = (connection.schema_name, host)
    cached = _memo.get(memo_key)
    if cached is None:
        cached = cache.get(_key(host))
        if cached is not None:
            _memo.set(memo_key, cached)
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
    hosts = [h for h in (instance.host, instance.dev_host, *(instance.alternate_hosts or [])) if h]
    _memo.forget(*((connection.schema_name, h) for h in hosts))
    cache.delete_many([_key(h) for h in hosts])
