"""Builders for organization: staff holding one role each (inside a province's schema).

`Staff` writes the user and its role assignment as rows on purpose: `role_grant` (the service)
records an audit row for each grant, and tests that read the audit trail must see only the
actions they perform, not their set-up."""

from __future__ import annotations

import itertools
from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from accounts.models import User
from organization.models import Agency, Role, RoleAssignment

_counter = itertools.count(1)


class Staff:
    """Makes staff inside the active province schema, each holding one role."""

    def __init__(self, agency: Agency):
        self.agency = agency

    def holding(self, role_code: str, *, agency: Agency | None = None) -> User:
        role = Role.objects.get(code=role_code)
        user = User.objects.create(
            username=f"{role_code}_{next(_counter)}", full_name=f"Cán bộ {role.name}", is_staff=True
        )
        scoped = (agency or self.agency) if role.scope == Role.Scope.AGENCY else None
        RoleAssignment.objects.create(user=user, role=role, agency=scoped)
        return user


def delegated(*, delegator, delegate, role_code: str, agency=None, days: int = 1, reason=""):
    """`delegator` hands its `role_code` (in `agency`, None for a portal role) to `delegate`
    through `delegation_create`, from a minute ago for `days` days."""
    from organization.services import delegation_create

    now = timezone.now()
    return delegation_create(
        actor=delegator,
        delegator=delegator,
        delegate=delegate,
        role_code=role_code,
        agency_name=agency.name if agency is not None else None,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=days),
        reason=reason,
    )


def issued_staff(*, username: str, full_name: str) -> SimpleNamespace:
    """A staff account of the active province with its first role and a one-time secret, as
    `manage.py staff create` issues it (through the service): user, one_time_secret, role."""
    from organization.services import staff_create

    role = Role.objects.order_by("code").first()
    agency = Agency.objects.filter(site__isnull=False).order_by("pk").first()
    account = staff_create(
        actor=None,
        username=username,
        full_name=full_name,
        username_rule="initials_given",
        role_code=role.code,
        agency=agency if role.scope == Role.Scope.AGENCY else None,
    )
    return SimpleNamespace(user=account.user, one_time_secret=account.one_time_secret, role=role)
