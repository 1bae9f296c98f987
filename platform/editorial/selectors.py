"""Reads shared by api/ and frontend/: the public's items, a user's queue, history and diffs."""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from core.profiles import current_profile
from editorial import rules
from editorial.models import (
    Attachment,
    Category,
    Correction,
    Item,
    Revision,
    Transition,
    WorkflowState,
)
from organization.models import RoleAssignment
from organization.selectors import CapacityIndex, acting_capacity


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
    capacity = CapacityIndex(user=user, at=timezone.now())
    codes = capacity.codes()
    if not codes:
        return []
    states = (
        WorkflowState.objects.filter(status=WorkflowState.Status.ACTIVE)
        .select_related("item", "item__current_revision", "item__agency", "item__site")
        .order_by("item__sla_due_at", "started_at")
    )
    waiting = []
    for state in states:
        step = state.steps[state.current_step]
        if step["role"] not in codes:
            continue
        allowed, _ = capacity.allows(
            role_code=step["role"],
            agency_id=state.item.agency_id,
            # the step's own flag (ADR 0006), else the one its run copied from the workflow
            delegation_allowed=step.get("delegation_allowed", state.delegation_allowed),
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


def workflow_of(*, site) -> rules.WorkflowSpec:
    """The workflow that runs the items of `site` (None: the portal) under the profile in force
    today, for callers outside the module (commands, the demo seed) that read no rules."""
    return rules.workflow_for(current_profile(), on_portal=site is None)


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


# --- reads of the REST API (api/v1/editorial.py) ---------------------------------------------


def public_item_by_pk(*, site, pk: int) -> Item | None:
    """A published or withdrawn item of a site (site=None: the portal) by its id; None for
    anything else (404). Only the published revision is joined, as in public_item."""
    return (
        Item.objects.filter(
            pk=pk,
            site=site,
            status__in=[Item.Status.PUBLISHED, Item.Status.WITHDRAWN],
            published_revision__isnull=False,
        )
        .select_related("published_revision", "category")
        .prefetch_related(
            Prefetch("corrections", queryset=Correction.objects.order_by("published_at")),
            "attachments",
        )
        .first()
    )


def staff_item(*, pk: int) -> Item | None:
    """Any item of the province by id, with what staff see: the working copy, the published
    revision, the active workflow run (as `active_states`), corrections and attachments."""
    return (
        Item.objects.filter(pk=pk)
        .select_related(
            "current_revision", "published_revision", "site", "agency", "author", "category"
        )
        .prefetch_related(
            Prefetch(
                "workflow_states",
                queryset=WorkflowState.objects.filter(status=WorkflowState.Status.ACTIVE),
                to_attr="active_states",
            ),
            Prefetch("corrections", queryset=Correction.objects.order_by("published_at")),
            "attachments",
        )
        .first()
    )


def category_list() -> QuerySet[Category]:
    return Category.objects.select_related("site").order_by("position", "name")


# --- reads of the web pages (frontend/views/public.py, backoffice.py, delegations.py) ---------


def public_item_list(
    *, site=None, kinds: list[str] | None = None, language: str = "vi"
) -> QuerySet[Item]:
    """A site's public items in one language (site=None: the portal), newest first; only the
    published revision is joined."""
    items = public_items(site=site).filter(language=language)
    return items.filter(kind__in=kinds) if kinds else items


def staff_item_list(
    *, site=None, portal_only: bool = False, status: str = "", kind: str = ""
) -> QuerySet[Item]:
    """The province's items for the back office: all sites, one component site, or only the
    portal's (portal_only), optionally of one status and kind; newest first."""
    items = Item.objects.select_related("current_revision", "site", "agency")
    if portal_only:
        items = items.filter(site__isnull=True)
    elif site is not None:
        items = items.filter(site=site)
    if status:
        items = items.filter(status=status)
    if kind:
        items = items.filter(kind=kind)
    return items.order_by("-pk")


@dataclass(frozen=True)
class ItemActions:
    """What a user may do with an item now: the services' own rules, read ahead so a page
    offers only those actions. The services still decide when the action is posted."""

    workflow: rules.WorkflowSpec
    state: WorkflowState | None  # the active run, if any
    step: rules.StepSpec | None  # the step the item waits at (the first one between runs)
    step_index: int
    may_act: bool  # holds (or is delegated) the role of that step
    on_behalf_of: object | None  # the delegator when acting as a delegate
    may_edit: bool
    may_reject: bool
    may_schedule: bool  # the step publishes: a publication time may be set
    may_correct: bool
    may_withdraw: bool
    may_unpublish: bool
    may_share: bool  # a component site's public item may be shared to the portal


def item_actions(*, item: Item, user) -> ItemActions:
    profile = current_profile()
    spec = rules.workflow_for(profile, on_portal=item.site_id is None)
    states = getattr(item, "active_states", None)
    if states is None:
        states = list(item.workflow_states.filter(status=WorkflowState.Status.ACTIVE))
    state = states[0] if states else None
    now = timezone.now()
    withdrawn = item.status == Item.Status.WITHDRAWN
    if state is None:
        steps, index = spec.steps, 0
    else:
        steps = rules.steps_from_snapshot(state.steps, delegation_allowed=state.delegation_allowed)
        index = state.current_step
    step = steps[index]
    may_act, on_behalf_of = (False, None)
    if not withdrawn:
        may_act, on_behalf_of = acting_capacity(
            user=user,
            role_code=step.role,
            agency_id=item.agency_id,
            delegation_allowed=step.delegation_allowed,
            at=now,
        )
    publish_step = spec.steps[rules.publish_step_index(spec.steps)]
    publisher, _ = acting_capacity(
        user=user,
        role_code=publish_step.role,
        agency_id=item.agency_id,
        delegation_allowed=publish_step.delegation_allowed,
        at=now,
    )
    published = item.status == Item.Status.PUBLISHED
    may_share = False
    if item.site_id is not None and item.is_public:
        portal_first = rules.workflow_for(profile, on_portal=True).steps[0]
        may_share = RoleAssignment.objects.filter(user=user, role__code=portal_first.role).exists()
    return ItemActions(
        workflow=spec,
        state=state,
        step=step,
        step_index=index,
        may_act=may_act,
        on_behalf_of=on_behalf_of,
        may_edit=may_act and (state is None or step.may_amend),
        may_reject=may_act and state is not None and index > 0,
        may_schedule=may_act and step.action == "publish",
        may_correct=publisher and published,
        may_withdraw=publisher and (published or item.status == Item.Status.UNPUBLISHED),
        may_unpublish=publisher and published,
        may_share=may_share,
    )


def public_attachment(*, pk: int, site) -> Attachment | None:
    """An attachment a citizen may download on this site: its item is published here."""
    return (
        Attachment.objects.select_related("item")
        .filter(pk=pk, item__site=site, item__status=Item.Status.PUBLISHED)
        .first()
    )


# --- categories (frontend/views/administration.py, backoffice.py, public.py) ------------------


def site_categories(*, site) -> QuerySet[Category]:
    """The categories of one site (site=None: the portal), in their display order."""
    return Category.objects.filter(site=site).order_by("position", "name", "pk")
