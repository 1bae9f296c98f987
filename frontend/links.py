"""Absolute links between a province's hosts (portal ↔ component sites).

A request that came on a development host (`*.localhost`) links to the development host
names and keeps its port; any other request links to the real host names."""

from __future__ import annotations

from config.hosts import host_url, is_development_request
from editorial.urls_public import item_path as editorial_item_path


def component_site_url(request, site) -> str:
    host = site.dev_host if is_development_request(request) and site.dev_host else site.host
    return host_url(request, host)


def item_path(item) -> str:
    """The public address of an item on its own site's host (one definition, in editorial)."""
    return editorial_item_path(item.slug, item.language)


def item_url(request, item, *, portal_url: str | None) -> str | None:
    """The public address of an item with the host of its site (portal or component site)."""
    base = component_site_url(request, item.site) if item.site_id else portal_url
    return base.rstrip("/") + item_path(item) if base else None
