"""Factories for editorial tests: staff holding the profile's roles, items on either site."""

from __future__ import annotations

import itertools

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from organization.models import Agency, ComponentSite, Role, RoleAssignment

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


@pytest.fixture
def province_schema(tenant_db):
    """Enter a seed province's schema for the whole test: `province_schema("hue")`."""
    entered = []

    def enter(slug: str):
        context = schema_context(tenant_db[slug].schema_name)
        context.__enter__()
        entered.append(context)
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        return site, Staff(site.agency)

    yield enter
    for context in reversed(entered):
        context.__exit__(None, None, None)
