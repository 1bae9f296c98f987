"""Reads shared by api/ and frontend/: the public's items, a user's queue, history and diffs."""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, F, Func, Prefetch, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from core.profiles import current_profile
from core.text import fold
from editorial import rules
from editorial.content import LEGAL_STATUS_LABELS
from editorial.models import (
    Attachment,
    Category,
    Correction,
    Item,
    Kind,
    PublicComment,
    Revision,
    Transition,
    WorkflowState,
    folded_number,
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
    """Past their update deadline, which no publication has met yet."""
    now = now or timezone.now()
    return (
        Item.objects.filter(sla_met_at__isnull=True, sla_due_at__lt=now)
        .exclude(status=Item.Status.WITHDRAWN)
        .select_related("current_revision", "agency")
        .order_by("sla_due_at")
    )


def published_late_items() -> QuerySet[Item]:
    """Published after their update deadline, with the rule and article they broke."""
    return (
        Item.objects.filter(sla_due_at__isnull=False, sla_met_at__gt=F("sla_due_at"))
        .select_related("published_revision", "current_revision", "agency")
        .order_by("-sla_met_at")
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


# --- legal documents: the faceted search of /van-ban/ (frontend/views/documents.py) ----------

# The facets of the legal documents, by the name the page uses: the key in a revision's fields.
LEGAL_FACETS = {
    "document_type": "document_type",
    "issuing_body": "issuing_body",
    "field": "field",
    "year": "issued_on",  # the year of issue: the first four characters of the date
    "status": "status",
}
FACET_VALUES_MAX = 100  # values listed per facet, the most frequent first


@dataclass(frozen=True)
class LegalDocumentFilters:
    """What a citizen narrows the legal documents to; empty means "any"."""

    number: str = ""  # part of the number, in any case and with or without diacritics
    document_type: str = ""
    issuing_body: str = ""
    field: str = ""
    year: int | None = None
    status: str = ""


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


@dataclass
class LegalDocumentFacets:
    total: int = 0
    values: dict[str, list[FacetValue]] = field(default_factory=dict)


def _fields_key(key: str) -> KeyTextTransform:
    return KeyTextTransform(key, "published_revision__fields")


def legal_documents(*, site, filters: LegalDocumentFilters) -> QuerySet[Item]:
    """The published legal documents of a site (site=None: the portal) that match `filters`,
    the most recently issued first; `issued_on` (ISO date text) annotated."""
    items = (
        Item.objects.filter(
            kind=Kind.LEGAL_DOCUMENT,
            site=site,
            language="vi",
            status=Item.Status.PUBLISHED,
            published_revision__isnull=False,
        )
        .select_related("published_revision")
        .annotate(issued=_fields_key("issued_on"))
    )
    exact = {
        "document_type": filters.document_type,
        "issuing_body": filters.issuing_body,
        "field": filters.field,
        "status": filters.status,
    }
    for key, value in exact.items():
        if value:
            items = items.filter(**{f"published_revision__fields__{key}": value})
    if filters.year is not None:
        items = items.filter(issued__startswith=f"{filters.year:04d}-")
    number = fold(filters.number)
    if number:
        # Through the revisions' trigram index on the folded number (editorial.models).
        matching = (
            Revision.objects.alias(number_folded=folded_number())
            .filter(number_folded__contains=number)
            .values("pk")
        )
        items = items.filter(published_revision__in=matching)
    return items.order_by(F("issued").desc(nulls_last=True), "-pk")


def legal_document_facets(*, items: QuerySet[Item]) -> LegalDocumentFacets:
    """How many of `items` have each type, issuing body, field, year and status, and how many
    there are in all: one query (GROUPING SETS), whatever the number of documents."""
    columns = {
        name: Func(
            _fields_key(key), Value(1), Value(4), function="substr", output_field=TextField()
        )
        if name == "year"
        else _fields_key(key)
        for name, key in LEGAL_FACETS.items()
    }
    inner = items.order_by().annotate(**{f"facet_{n}": e for n, e in columns.items()})
    inner_sql, params = inner.values(*(f"facet_{n}" for n in columns)).query.sql_with_params()
    names = list(columns)
    listed = ", ".join(f"facet_{n}" for n in names)
    sets = ", ".join(f"(facet_{n})" for n in names)
    # Only the column names above are formatted in; every value is a parameter.
    sql = (
        f"SELECT {listed}, GROUPING({listed}), COUNT(*) FROM ({inner_sql}) AS documents "  # noqa: S608
        f"GROUP BY GROUPING SETS ({sets}, ())"
    )
    facets = LegalDocumentFacets(values={name: [] for name in names})
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    everything = (1 << len(names)) - 1  # GROUPING's bit set for each column left out
    for row in rows:
        grouping, count = row[len(names)], row[len(names) + 1]
        if grouping == everything:
            facets.total = count
            continue
        # the one column this set groups by has its bit clear (the first name is the high bit)
        index = next(i for i in range(len(names)) if not grouping & (1 << (len(names) - 1 - i)))
        value = row[index]
        if value:  # documents without a field (an older one) are counted in no value
            facets.values[names[index]].append(FacetValue(value, count))
    for name, values in facets.values.items():
        if name == "year":
            values.sort(key=lambda facet: facet.value, reverse=True)
        elif name == "status":
            order = list(LEGAL_STATUS_LABELS)
            values.sort(key=lambda f: order.index(f.value) if f.value in order else len(order))
        else:
            values.sort(key=lambda facet: (-facet.count, facet.value))
        del values[FACET_VALUES_MAX:]
    return facets


# --- drafts open for comment (/du-thao/, a draft's page, the back office's moderation) -------

DRAFTS_CLOSED_SHOWN_DAYS = 90  # "recently closed": closed within this many days
DRAFTS_LISTED_MAX = 200
STAFF_DRAFTS_MAX = 500  # the newest drafts the moderation page looks through
PUBLIC_COMMENTS_SHOWN_MAX = 300


def public_drafts(*, site, today: date) -> list[Item]:
    """A site's published drafts (site=None: the portal) that are open, not yet open or closed
    within DRAFTS_CLOSED_SHOWN_DAYS, by closing date; `closes`/`opens` (ISO text) and
    `comments_shown` (approved comments) annotated."""
    since = (today - timedelta(days=DRAFTS_CLOSED_SHOWN_DAYS)).isoformat()
    return list(
        Item.objects.filter(
            kind=Kind.DRAFT_DOCUMENT,
            site=site,
            language="vi",
            status=Item.Status.PUBLISHED,
            published_revision__isnull=False,
        )
        .select_related("published_revision")
        .annotate(
            closes=_fields_key("closes_on"),
            opens=_fields_key("opens_on"),
            comments_shown=Count(
                "public_comments",
                filter=Q(public_comments__status=PublicComment.Status.VISIBLE),
            ),
        )
        .filter(closes__gte=since)
        .order_by("closes", "pk")[:DRAFTS_LISTED_MAX]
    )


def public_draft_comments(*, item: Item) -> list[PublicComment]:
    """The approved comments on a draft, oldest first, at most PUBLIC_COMMENTS_SHOWN_MAX + 1
    (one more than shown, so that the page can say there are more). Never the e-mail."""
    return list(
        PublicComment.objects.filter(item=item, status=PublicComment.Status.VISIBLE)
        .only("pk", "name", "text", "created_at")
        .order_by("created_at", "pk")[: PUBLIC_COMMENTS_SHOWN_MAX + 1]
    )


@dataclass(frozen=True)
class CommentAccess:
    may_moderate: bool  # approve or reject the comments
    may_read: bool  # read every comment and download the synthesis


def _comment_access(capacity: CapacityIndex, item: Item, profile) -> CommentAccess:
    # Moderators are whoever may edit the item in the back office (item_actions): the holder
    # of its workflow's first step, or of its publishing step, for the item's agency.
    spec = rules.workflow_for(profile, on_portal=item.site_id is None)
    steps = (spec.steps[0], spec.steps[rules.publish_step_index(spec.steps)])
    moderate = any(
        capacity.allows(
            role_code=step.role,
            agency_id=item.agency_id,
            delegation_allowed=step.delegation_allowed,
        )[0]
        for step in steps
    )
    if moderate:
        return CommentAccess(may_moderate=True, may_read=True)
    # The drafting agency's staff and the portal's editors read and download the synthesis.
    of_agency = item.agency_id is not None and any(
        agency == item.agency_id for _, agency in capacity.held
    )
    portal = rules.workflow_for(profile, on_portal=True)
    publish = portal.steps[rules.publish_step_index(portal.steps)]
    portal_editor = capacity.allows(
        role_code=publish.role,
        agency_id=item.agency_id,
        delegation_allowed=publish.delegation_allowed,
    )[0]
    return CommentAccess(may_moderate=False, may_read=of_agency or portal_editor)


def comment_access(*, item: Item, user) -> CommentAccess:
    """What `user` may do with the comments on the draft `item`."""
    capacity = CapacityIndex(user=user, at=timezone.now())
    return _comment_access(capacity, item, current_profile())


def comment_moderation_allowed(*, item: Item, user) -> bool:
    return comment_access(item=item, user=user).may_moderate


@dataclass(frozen=True)
class DraftCommentsRow:
    item: Item
    access: CommentAccess
    pending: int
    approved: int
    rejected: int


def staff_drafts_with_comments(*, user) -> list[DraftCommentsRow]:
    """The drafts whose comments `user` may read, newest first, with their comments counted by
    status (the back office's moderation page)."""
    capacity = CapacityIndex(user=user, at=timezone.now())
    profile = current_profile()
    statuses = PublicComment.Status
    drafts = (
        Item.objects.filter(kind=Kind.DRAFT_DOCUMENT, published_revision__isnull=False)
        .select_related("published_revision", "site", "agency")
        .annotate(
            pending=Count("public_comments", filter=Q(public_comments__status=statuses.PENDING)),
            approved=Count("public_comments", filter=Q(public_comments__status=statuses.VISIBLE)),
            rejected=Count("public_comments", filter=Q(public_comments__status=statuses.HIDDEN)),
        )
        .order_by("-pk")[:STAFF_DRAFTS_MAX]
    )
    rows = []
    for item in drafts:
        access = _comment_access(capacity, item, profile)
        if access.may_read:
            rows.append(DraftCommentsRow(item, access, item.pending, item.approved, item.rejected))
    return rows


def staff_draft(*, pk: int) -> Item | None:
    """A draft document of the province with a published revision, by id (else None)."""
    return (
        Item.objects.filter(pk=pk, kind=Kind.DRAFT_DOCUMENT, published_revision__isnull=False)
        .select_related("published_revision", "site", "agency")
        .first()
    )


def draft_comments(*, item: Item, statuses: Iterable[str] | None = None) -> QuerySet[PublicComment]:
    """Every comment on a draft (or those of `statuses`), oldest first, for its staff."""
    comments = PublicComment.objects.filter(item=item).select_related("moderated_by")
    if statuses is not None:
        comments = comments.filter(status__in=list(statuses))
    return comments.order_by("created_at", "pk")


def draft_comment(*, pk: int) -> PublicComment | None:
    return PublicComment.objects.select_related("item").filter(pk=pk).first()


# --- the staff navigation's count (frontend/templatetags/staff_counts.py) --------------------

# A key of a run's current step, read in SQL (a constant text; the key name is a bound parameter).
_CURRENT_STEP_KEY = (
    "editorial_workflowstate.steps -> editorial_workflowstate.current_step::int ->> %s"
)


def item_queue_count(*, user) -> int:
    """How many items item_queue(user=user) lists, counted in one GROUP BY query (by agency,
    the current step's role and delegation flag) and the capacity index, not row by row."""
    capacity = CapacityIndex(user=user, at=timezone.now())
    codes = capacity.codes()
    if not codes:
        return 0
    step = _CURRENT_STEP_KEY
    groups = (
        WorkflowState.objects.filter(status=WorkflowState.Status.ACTIVE)
        .annotate(
            step_role=RawSQL(step, ("role",), output_field=TextField()),  # noqa: S611
            step_delegation=RawSQL(  # noqa: S611
                step, ("delegation_allowed",), output_field=TextField()
            ),
        )
        .filter(step_role__in=codes)
        .values("item__agency_id", "step_role", "step_delegation", "delegation_allowed")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total = 0
    for group in groups:
        flag = group["step_delegation"]
        allowed, _ = capacity.allows(
            role_code=group["step_role"],
            agency_id=group["item__agency_id"],
            delegation_allowed=group["delegation_allowed"] if flag is None else flag == "true",
        )
        total += group["n"] if allowed else 0
    return total


def item_queue_order(
    *, user, now, site=None, portal_only: bool = False, kind: str = ""
) -> list[int]:
    """The ids of the workflow runs item_queue(user=user) lists, optionally of one site (or the
    portal's only) and kind, in queue order: overdue first, then the soonest due, then those
    with no due time. Reads a few columns per run, not the runs; item_queue_rows reads a page."""
    capacity = CapacityIndex(user=user, at=now)
    codes = capacity.codes()
    if not codes:
        return []
    step = _CURRENT_STEP_KEY
    states = (
        WorkflowState.objects.filter(status=WorkflowState.Status.ACTIVE)
        .annotate(
            step_role=RawSQL(step, ("role",), output_field=TextField()),  # noqa: S611
            step_delegation=RawSQL(  # noqa: S611
                step, ("delegation_allowed",), output_field=TextField()
            ),
        )
        .filter(step_role__in=codes)
    )
    if portal_only:
        states = states.filter(item__site__isnull=True)
    elif site is not None:
        states = states.filter(item__site=site)
    if kind:
        states = states.filter(item__kind=kind)
    rows = states.values_list(
        "pk",
        "item__agency_id",
        "step_role",
        "step_delegation",
        "delegation_allowed",
        "item__sla_due_at",
        "item__sla_met_at",
        "started_at",
    )
    keyed = []
    for pk, agency_id, role, flag, default, due, published, started in rows:
        allowed, _ = capacity.allows(
            role_code=role,
            agency_id=agency_id,
            delegation_allowed=default if flag is None else flag == "true",
        )
        if allowed:
            rank = 2 if due is None else 0 if due < now and published is None else 1
            keyed.append(((rank, due or now, started), pk))
    keyed.sort(key=lambda entry: entry[0])
    return [pk for _, pk in keyed]


def item_queue_rows(*, state_ids: list[int]) -> list[tuple[Item, WorkflowState, dict]]:
    """item_queue's rows for the given runs (a page of item_queue_order), in that order."""
    states = WorkflowState.objects.filter(pk__in=state_ids).select_related(
        "item", "item__current_revision", "item__agency", "item__site"
    )
    by_pk = {state.pk: state for state in states}
    ordered = [by_pk[pk] for pk in state_ids if pk in by_pk]
    return [(state.item, state, state.steps[state.current_step]) for state in ordered]
