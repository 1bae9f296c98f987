"""The GET parameters of the staff queues, bounded: an empty value means "all", a value that is
not one of the page's own choices is a request the page cannot answer (400, never a 500 and
never a silently different list)."""

from __future__ import annotations

from collections.abc import Collection

from django.core.exceptions import BadRequest

MAX_PAGE = 1000  # no queue is read past this page
MAX_LENGTH = 100  # no filter value is longer


def choice(request, name: str, allowed: Collection[str]) -> str:
    value = request.GET.get(name, "")
    if len(value) > MAX_LENGTH or (value and value not in allowed):
        raise BadRequest(f"{name}: not one of the page's choices")
    return value


def page_number(request, name: str = "page") -> int:
    raw = request.GET.get(name, "")
    if not raw:
        return 1
    if len(raw) > 4 or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise BadRequest(f"{name}: not a page number")
    return int(raw)
