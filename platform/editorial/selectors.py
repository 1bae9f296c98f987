"""Reads shared by api/ and frontend/: the public's items, a user's queue, history and diffs."""

from __future__ import annotations

import difflib
import html
import re

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from editorial import rules
from editorial.models import Correction, Item, Revision, Transition, WorkflowState
from organization.models import RoleAssignment
from organization.selectors import acting_capacity


def public_items(*, site=None, kind: str | None = None) -> QuerySet[Item]:
    """Items a citizen may see on a site (site=None: the portal), newest first. Only the
    published revision is ever joined: a working copy never reaches a public page."""
    items = (
        Item.objects.filter(status=Item.Status.PUBLISHED, published_revision__isnull=False)
        .filter(site=site)
        .select_related("published_revision", "category")
        .order_by("-published_at", "-pk")
    )
    return items.filter(kind=kind) if kind else items


def public_item(*, site, slug: str, language: str = "vi") -> Item | None:
    """A published or withdrawn item by its address; None for anything else (404)."""
    return (
        Item.objects.filter(
            site=site,
            slug=slug,
            language=language,
            status__in=[Item.Status.PUBLISHED, Item.Status.WITHDRAWN],
            published_revision__isnull=False,
        )
        .select_related("published_revision", "category", "translation_of", "shared_from")
        .prefetch_related(
            Prefetch("corrections", queryset=Correction.objects.order_by("published_at")),
            "attachments",
            "translations",
        )
        .first()
    )


def staff_items(*, site=None, status: str | None = None) -> QuerySet[Item]:
    items = Item.objects.select_related("current_revision", "site", "agency", "author")
    if site is not None:
        items = items.filter(site=site)
    if status:
        items = items.filter(status=status)
    return items.order_by("-pk")


def item_queue(*, user) -> list[tuple[Item, WorkflowState, dict]]:
    """The items waiting for a step that `user` may perform now (own roles or delegations)."""
    codes = set(RoleAssignment.objects.filter(user=user).values_list("role__code", flat=True))
    codes |= set(
        user.delegations_received.filter(
            revoked_at__isnull=True, starts_at__lte=timezone.now(), ends_at__gt=timezone.now()
        ).values_list("role__code", flat=True)
    )
    if not codes:
        return []
    states = (
        WorkflowState.objects.filter(status=WorkflowState.Status.ACTIVE)
        .select_related("item", "item__current_revision", "item__agency", "item__site")
        .order_by("item__sla_due_at", "started_at")
    )
    waiting = []
    now = timezone.now()
    for state in states:
        step = state.steps[state.current_step]
        if step["role"] not in codes:
            continue
        allowed, _ = acting_capacity(
            user=user,
            role_code=step["role"],
            agency_id=state.item.agency_id,
            delegation_allowed=state.delegation_allowed,
            at=now,
        )
        if allowed:
            waiting.append((state.item, state, step))
    return waiting


def item_history(*, item: Item) -> QuerySet[Transition]:
    return item.transitions.select_related("actor", "on_behalf_of", "revision").order_by(
        "created_at", "pk"
    )


def item_revisions(*, item: Item) -> QuerySet[Revision]:
    return item.revisions.select_related("author").order_by("number")


_TAG = re.compile(r"<[^>]+>")


def _text_lines(revision: Revision) -> list[str]:
    body = _TAG.sub("\n", revision.body)
    fields = [f"{key}: {value}" for key, value in sorted(revision.fields.items())]
    lines = [f"# {revision.title}", revision.summary, *fields, *body.splitlines()]
    return [html.unescape(line).strip() for line in lines if line and line.strip()]


def revision_diff(*, old: Revision, new: Revision) -> list[tuple[str, str]]:
    """[(op, line)] with op in ' ', '-', '+': a line diff of the visible text of two revisions."""
    diff = difflib.ndiff(_text_lines(old), _text_lines(new))
    return [(line[0], line[2:]) for line in diff if line[0] in " -+"]


def steps_of(item: Item, profile) -> rules.WorkflowSpec:
    return rules.workflow_for(profile, on_portal=item.site_id is None)


def overdue_items(*, now=None) -> QuerySet[Item]:
    """Not yet published and past their update deadline."""
    now = now or timezone.now()
    return (
        Item.objects.filter(first_published_at__isnull=True, sla_due_at__lt=now)
        .exclude(status=Item.Status.WITHDRAWN)
        .select_related("current_revision", "agency")
        .order_by("sla_due_at")
    )


def published_late_items() -> QuerySet[Item]:
    """Published after their update deadline, with the rule and article they broke."""
    return (
        Item.objects.filter(sla_due_at__isnull=False, first_published_at__gt=F("sla_due_at"))
        .select_related("published_revision", "current_revision", "agency")
        .order_by("-first_published_at")
    )
