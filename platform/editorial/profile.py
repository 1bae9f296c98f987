"""The rule profile of the province whose schema is active."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.db import connection

from provinces.loader import profile_in_force, today_in_vietnam


@lru_cache(maxsize=256)
def _slug_of_schema(schema_name: str) -> str:
    # Province rows live in the public schema, which is on every search_path.
    from tenants.models import Province

    slug = Province.objects.filter(schema_name=schema_name).values_list("slug", flat=True).first()
    if slug is None:
        raise RuntimeError(f"schema {schema_name} is no province")
    return slug


def current_province_slug() -> str:
    tenant = getattr(connection, "tenant", None)
    slug = getattr(tenant, "slug", None)
    return slug or _slug_of_schema(connection.schema_name)


def current_profile(on: date | None = None):
    """The profile in force on `on` (today in Vietnam by default): the province's version and
    the national baseline in force that day, composed once per pair (ADR 0009)."""
    return profile_in_force(current_province_slug(), on or today_in_vietnam())
