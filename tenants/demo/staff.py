"""The demo staff of a province: one account per workflow role, `demo_<role>`, created through
the administration's audited service as the command line. An agency-scoped role is held in each
demo agency (the agencies of the first two component sites), so that the same accounts run both
sites' workflows and answer the questions routed to either."""

from __future__ import annotations

from accounts.models import User
from organization.models import Agency, ComponentSite, Role, RoleAssignment
from organization.services import role_grant, staff_create
from provinces.schema import Profile

DEMO_SITES = 2  # the component sites that get demo content and demo staff


def demo_username(role_code: str) -> str:
    return f"demo_{role_code}"[:150]


def demo_sites() -> list[ComponentSite]:
    """The first component sites of the province, in the order onboarding created them."""
    return list(
        ComponentSite.objects.filter(is_active=True)
        .select_related("agency")
        .order_by("pk")[:DEMO_SITES]
    )


def demo_agencies() -> list[Agency]:
    return [site.agency for site in demo_sites()]


def staff_ensure(*, profile: Profile) -> dict[str, str]:
    """Create the missing demo accounts (inside the province's schema) and give the agency
    roles in every demo agency; returns {username: one-time secret} of the accounts created."""
    agencies = demo_agencies()
    secrets: dict[str, str] = {}
    for role in Role.objects.order_by("code"):
        username = demo_username(role.code)
        scoped = role.scope == Role.Scope.AGENCY
        user = User.objects.filter(username=username).first()
        if user is None:
            issued = staff_create(
                actor=None,
                full_name=f"Demo {role.name}",
                username=username,
                username_rule=profile.accounts.username_rule,
                role_code=role.code,
                agency=agencies[0] if scoped else None,
            )
            user = issued.user
            if issued.one_time_secret:
                secrets[username] = issued.one_time_secret
        if not scoped:
            continue
        held = set(
            RoleAssignment.objects.filter(user=user, role=role).values_list("agency_id", flat=True)
        )
        for agency in agencies:
            if agency.pk not in held:
                role_grant(user=user, role_code=role.code, agency=agency, actor=None)
    return secrets
