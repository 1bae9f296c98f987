"""Builders for organization: staff holding one role each (inside a province's schema).

`Staff` writes the user and its role assignment as rows on purpose: `role_grant` (the service)
records an audit row for each grant, and tests that read the audit trail must see only the
actions they perform, not their set-up."""

from __future__ import annotations

import itertools

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
