"""What the staff navigation offers a person: only the pages they may open (a link that
answers 403 is a broken promise). Worked out from one read of the person's roles and kept
60 s per person and province in the cache, like the navigation's counts, so a staff page
costs no query for it; the pages themselves check again."""

from __future__ import annotations

from django import template
from django.core.cache import cache
from django.db import connection

from editorial.dashboard import dashboard_scope
from organization.models import Role
from organization.selectors import role_assignment_list
from royalties.selectors import royalties_on
from royalties.services import may_read_ledger

register = template.Library()

TTL = 60  # seconds a change of roles may take to show in the menu


def oversees_province(user) -> bool:
    """The whole province's overseers (superusers, holders of a portal-scope role): the
    compliance page is theirs (frontend.views.compliance)."""
    return bool(user.is_superuser or dashboard_scope(user=user).whole_province)


def menu_offers(user) -> dict[str, bool]:
    key = f"staff-menu:{getattr(connection, 'schema_name', '')}:{user.pk}"
    offers = cache.get(key)
    if offers is None:
        held = [
            (scope, code)
            for scope, code in role_assignment_list(user=user).values_list(
                "role__scope", "role__code"
            )
        ]
        oversees = user.is_superuser or any(scope == Role.Scope.PORTAL for scope, _ in held)
        offers = {
            "compliance": bool(oversees),
            "royalties": royalties_on() and may_read_ledger(user=user, held=held),
        }
        cache.set(key, offers, TTL)
    return offers


@register.simple_tag(takes_context=True)
def staff_menu_offers(context) -> dict[str, bool]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return menu_offers(user)
