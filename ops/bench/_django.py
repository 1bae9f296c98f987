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
