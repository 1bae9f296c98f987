"""What the `deadline` and `sla_due` commands share: the profile version in force on a day, from
a slug or a file, with a refusal an operator can act on (never a traceback)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError

from provinces.loader import ProfileError, resolve_profile
from provinces.schema import Profile


def profile_on(reference: str, on: date) -> Profile:
    """The rules in force on `on` (PROFILES.md section 10: a question or an item keeps the
    rules of the day it arrived), composed with the national baseline of that day."""
    try:
        return resolve_profile(reference, on=on)
    except ProfileError as error:
        raise CommandError(f"profile {reference!r} refused:\n{error}") from error
    except OSError as error:
        raise CommandError(f"profile {reference!r} unreadable: {error}") from error
