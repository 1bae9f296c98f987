"""The rule profile of the requested province, loaded once per request.

A profile that cannot be loaded must never take a page down: the page is served without
the parts that come from the profile, and the error is logged for the operators."""

from __future__ import annotations

import logging

from django_tenants.utils import get_public_schema_name

from core.profiles import current_profile
from provinces.languages import offers_english
from provinces.loader import ProfileError

logger = logging.getLogger(__name__)

_UNSET = object()


def profile_for(request):
    """The profile in force for request.tenant, or None on the platform host or on error."""
    cached = getattr(request, "_frontend_profile", _UNSET)
    if cached is not _UNSET:
        return cached
    profile = None
    tenant = getattr(request, "tenant", None)
    if tenant is not None and tenant.schema_name != get_public_schema_name():
        try:
            profile = current_profile()
        except (ProfileError, OSError):
            logger.exception("profile of %s could not be loaded", tenant.slug)
    request._frontend_profile = profile
    return profile


def english_offered(request) -> bool:
    """Whether the requested portal has an English version (`language.english`); the platform
    host has. Where it has none, citizens' pages are Vietnamese only."""
    profile = profile_for(request)
    return profile is None or offers_english(profile)


def in_back_office(request) -> bool:
    """Staff pages: their interface language is the staff member's choice, whatever the
    portal publishes in."""
    return request.path_info.startswith("/staff/")
