"""Citizens read a rule's legal basis in Vietnamese, never a profile's source as written for
its maintainers (provinces.citations; STYLE.md 18)."""

from __future__ import annotations

from django import template

from provinces.citations import for_citizens

register = template.Library()


@register.filter
def citation(source: str | None) -> str:
    """ "Điều 14 khoản 4 điểm a Quyết định số 40/2012/QĐ-UBND", or "" for the platform's own
    readings."""
    return for_citizens(source) or ""


@register.filter
def legal_basis(source: str | None) -> str:
    """The citation in parentheses after a rule (" (Điều 11 …)"), or "" when there is none."""
    cited = for_citizens(source)
    return f" ({cited})" if cited else ""
