"""The current province, its rule profile in force — today or at a given instant — and the
working-day calendar of that profile.

The province is the one whose schema is active (django-tenants, ADR 0001). A profile in force
is the province's own version composed with the national baseline in force on the same day,
once per pair (provinces.loader.profile_in_force, ADR 0009): every module asks here, none reads
a province's name."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from django.db import connection
from django_tenants.utils import get_tenant_model

from provinces.calendar import TZ, WorkingCalendar, calendar_for
from provinces.loader import profile_in_force, today_in_vietnam
from provinces.schema import Profile


@lru_cache(maxsize=256)
def _slug_of_schema(schema_name: str) -> str:
    # Province rows live in the public schema, which is on every search_path. The tenant
    # model is named by settings.TENANT_MODEL: the core imports no tenant code (ADR 0015).
    province = get_tenant_model()
    slug = province.objects.filter(schema_name=schema_name).values_list("slug", flat=True).first()
    if slug is None:
        raise RuntimeError(f"schema {schema_name} is no province")
    return slug


def current_province_slug() -> str:
    """The slug of the province whose schema is active: the tenant the host routing chose, or,
    inside `schema_context` (tasks, commands), the province owning the schema."""
    tenant = getattr(connection, "tenant", None)
    slug = getattr(tenant, "slug", None)
    return slug or _slug_of_schema(connection.schema_name)  # type: ignore[attr-defined]


def current_profile(on: date | None = None) -> Profile:
    """The profile in force on `on` (today in Vietnam by default): the province's version and
    the national baseline in force that day, composed once per pair (ADR 0009)."""
    return profile_in_force(current_province_slug(), on or today_in_vietnam())


def profile_at(instant: datetime, *, slug: str | None = None) -> Profile:
    """The profile in force at an instant, on its calendar day in Vietnam: a question received
    at 23:30 on 14 August 2022 in Hà Nội is under the baseline of that day, not the next.
    `slug`: another province's profile than the current one's (a question received by a
    province since merged into this one keeps that province's rules, ADR 0032)."""
    on = instant.astimezone(TZ).date()
    if slug is None:
        return current_profile(on)
    return profile_in_force(slug, on)


def current_calendar(on: date | None = None) -> WorkingCalendar:
    """The working-day calendar of the profile in force on `on` (today by default)."""
    return calendar_for(current_profile(on))
