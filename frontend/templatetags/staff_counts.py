"""The counts of the staff navigation: items waiting for the user's step and the Q&A items in
the user's inbox (and how many are overdue). Read with a handful of COUNT queries, kept 60 s per
user and province in the cache, so every staff page does not count again."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django import template
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from editorial.selectors import item_queue_count
from qa.selectors import question_inbox_counts

register = template.Library()

TTL = 60  # seconds a count may lag behind the queue


@dataclass(frozen=True)
class NavCounts:
    queue: int
    questions: int
    overdue_questions: int


def cache_key(*, schema: str, user_pk: int) -> str:
    return f"staff-nav-counts:{schema}:{user_pk}"


# The pages that count when the cache has no counts; every other staff page (the editor, the
# administration) shows the counts only when the cache has them, at no SQL cost.
COUNTING_PAGES = frozenset({"staff_queue", "staff_items", "staff_qa_inbox"})


def nav_counts(user, *, compute: bool = True) -> NavCounts | None:
    key = cache_key(schema=getattr(connection, "schema_name", ""), user_pk=user.pk)
    cached = cache.get(key)
    if cached is not None:
        return NavCounts(**cached)
    if not compute:
        return None
    questions, overdue = question_inbox_counts(user=user, now=timezone.now())
    counts = NavCounts(item_queue_count(user=user), questions, overdue)
    cache.set(key, asdict(counts), TTL)
    return counts


@register.simple_tag(takes_context=True)
def staff_nav_counts(context) -> NavCounts | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    match = getattr(request, "resolver_match", None)
    return nav_counts(user, compute=getattr(match, "url_name", None) in COUNTING_PAGES)
