"""Bootstrap Django for a benchmark on a scratch database (never the development one)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "platform"):
    sys.path.insert(0, str(path))


def scratch_database_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def create_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup(database: str) -> str:
    url = scratch_database_url(database)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    return url


def scratch_province(database: str, slug: str = "thainguyen"):
    """A new scratch database `database` (dropped if it exists) with Django set up on it, the
    cache emptied (`clear_cache`), the shared schema migrated, the platform tenant and the
    template schema in place, and the shipped province `slug` onboarded with its development
    hosts (`<slug>.localhost`); returns that province (tenants.models.Province)."""
    create_database(scratch_database_url(database))
    setup(database)
    from django.core.management import call_command

    from provinces.loader import resolve_profile
    from tenants.services import platform_tenant_ensure, province_onboard, template_schema_ensure

    clear_cache()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    platform_tenant_ensure()
    template_schema_ensure()
    return province_onboard(profile=resolve_profile(slug), dev_hosts=True).province


def synthetic_profile(base, index: int):
    """A copy of a shipped profile under another slug and hosts (bench provinces)."""
    slug = f"bench{index:03d}"
    return base.model_copy(
        update={
            "province": base.province.model_copy(update={"slug": slug, "name": f"Bench {index}"}),
            "domains": base.domains.model_copy(
                update={
                    "portal": f"{slug}.gov.vn",
                    "component_host_pattern": "{label}." + f"{slug}.gov.vn",
                }
            ),
        }
    )


def article_path(province) -> str:
    """The address of the newest news item on the province's portal (the demo content)."""
    from django_tenants.utils import schema_context

    from editorial.selectors import public_item_list
    from frontend.links import item_path

    with schema_context(province.schema_name):
        item = public_item_list(site=None, kinds=["news"]).first()
        if item is None:
            raise SystemExit("the demo content has no news item on the portal")
        return item_path(item)


def clear_cache() -> None:
    """Empty this settings' cache (hosts → provinces, rendered parts): the scratch database is
    new, so nothing cached from an earlier run may answer for it."""
    from django.conf import settings
    from django.core.cache import cache

    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    client = cache._cache.get_client()
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
