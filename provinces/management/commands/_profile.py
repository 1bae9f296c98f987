"""What the `deadline`, `sla_due`, `workflow explain` and `profiles validate` commands share: the
profile version in force on a day, from a slug, a file or a version kept in the profile store
(`version:ID`, ADR 0031), with a refusal an operator can act on (never a traceback)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandError

from provinces.loader import ProfileError, parse_profile, resolve_profile
from provinces.schema import Profile

VERSION_PREFIX = "version:"


def is_stored_reference(reference: str) -> bool:
    return str(reference).startswith(VERSION_PREFIX)


def stored_version(reference: str) -> Any:
    """The stored ProfileVersion a `version:ID` reference (or a bare ID) names. Read through
    the app registry: the commands of other modules (`workflow explain`) route here, and they
    do not import the platform's tenants package."""
    from django.apps import apps

    number = str(reference).removeprefix(VERSION_PREFIX).strip()
    model = apps.get_model("tenants", "ProfileVersion")
    version = (
        model.objects.filter(pk=int(number)).first()
        if number.isascii() and number.isdigit() and 0 < int(number) < 2**63
        else None
    )
    if version is None:
        raise CommandError(f"profile {reference!r}: no stored version {number!r}")
    return version


def profile_on(reference: str, on: date) -> Profile:
    """The rules in force on `on` (PROFILES.md section 10: a question or an item keeps the
    rules of the day it arrived), composed with the national baseline of that day. A stored
    version (`version:ID`) is that version, whatever its status, composed the same way."""
    try:
        if is_stored_reference(reference):
            version = stored_version(reference)
            return parse_profile(version.text, name=reference, on=on)
        return resolve_profile(reference, on=on)
    except ProfileError as error:
        raise CommandError(f"profile {reference!r} refused:\n{error}") from error
    except OSError as error:
        raise CommandError(f"profile {reference!r} unreadable: {error}") from error
