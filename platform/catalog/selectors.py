"""Reads of the public-service catalogue shared by api/ and frontend/: the published procedures
a citizen browses (narrowed by field, agency, level and online service, searched by words), the
counts of each value of those filters, one procedure by its national code and its versions.

A procedure is an editorial item of kind `procedure` (ADR 0019): only its published revision is
ever read here, so a version waiting in the workflow never reaches a citizen. The words are
matched by the search module on the procedures' search documents (folded text, trigram fallback
for a one-letter typo); the catalogue has no matcher of its own. Every input is bounded here,
whoever calls: a filter that cannot be read is refused with FilterError (a 400 for the pages)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import get_args
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import IntegerField, Q, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError
from editorial.content import PROCEDURE_LABELS
from editorial.models import Item, Kind, Revision, Transition
from organization.models import Agency
from provinces.schema import ServiceLevel
from search.selectors import matching_source_ids
from search.services import SearchError

# The search documents of procedures, as editorial pushes them (editorial.search).
SEARCH_SOURCE = "editorial.item"
MATCHES_MAX = 1000  # procedures a query lists at most, the most relevant first
FIELD_MAX = 200  # as ProcedureFields.field
CODE_MAX = 60  # as ProcedureFields.code
FACET_VALUES_MAX = 100  # values listed per facet, the most frequent first
LEVELS = ("province", "commune")
ONLINE_NONE, ONLINE_ANY = "none", "any_online"
ONLINE_LEVELS: tuple[str, ...] = get_args(ServiceLevel)


class FilterError(ServiceError):
    """A filter of the catalogue that cannot be read (field path: the filter's name)."""


@dataclass(frozen=True)
class ProcedureFilters:
    """What a citizen narrows the catalogue to; empty means "any". `online`: "" any, "none" not
    online, "any_online" some online level, or one level code ("full", "level3"…)."""

    query: str = ""
    field: str = ""
    agency: int | None = None
    level: str = ""
    online: str = ""


@dataclass(frozen=True)
class FacetValue:
    value: str  # what the filter takes (a field's name, an agency's id, a level's code)
    label: str  # what a citizen reads (never a code)
    count: int


@dataclass
class ProcedureFacets:
    total: int = 0
    fields: list[FacetValue] = field(default_factory=list)
    agencies: list[FacetValue] = field(default_factory=list)
    levels: list[FacetValue] = field(default_factory=list)
    online_levels: list[FacetValue] = field(default_factory=list)


def procedure_label(name: str, code: str) -> str:
    """The Vietnamese name of the value `code` of a procedure's coded field `name` ("level",
    "methods", "online_level", "processing_unit"); "" for a value no label names (the fields
    are validated: never expected), so that a citizen never reads a code."""
    label = PROCEDURE_LABELS.get(name, {}).get(code)
    return str(label) if label is not None else ""


def national_portal_url(*, code: str, online_level: str) -> str | None:
    """The procedure's page on the national public-service portal, where it can be done online
    (an online level is set) and the platform knows that portal's address
    (settings.PUBLIC_SERVICE_PORTAL_URL, a format string with {code}; empty: no link)."""
    template = settings.PUBLIC_SERVICE_PORTAL_URL
    if not (online_level and code and template):
        return None
    return template.format(code=quote(code, safe=""))


def _check(filters: ProcedureFilters) -> None:
    if len(filters.field) > FIELD_MAX or "\x00" in filters.field:
        raise FilterError(
            "field_too_long",
            _("Lĩnh vực dài quá %(limit)s ký tự.") % {"limit": FIELD_MAX},
            "field",
        )
    if filters.agency is not None and not 0 < filters.agency < 2**63:
        raise FilterError("unknown_agency", _("Cơ quan thực hiện không có."), "agency")
    if filters.level and filters.level not in LEVELS:
        raise FilterError("unknown_level", _("Cấp thực hiện không có trong danh sách."), "level")
    if filters.online and filters.online not in (ONLINE_NONE, ONLINE_ANY, *ONLINE_LEVELS):
        raise FilterError(
            "unknown_online_level", _("Mức độ dịch vụ công trực tuyến không có."), "online"
        )


def _key(key: str) -> KeyTextTransform:
    return KeyTextTransform(key, "published_revision__fields")


def _published():
    return Item.objects.filter(
        kind=Kind.PROCEDURE,
        language="vi",
        status=Item.Status.PUBLISHED,
        published_revision__isnull=False,
    )


def _of_site(items: QuerySet[Item], site) -> QuerySet[Item]:
    """A component site lists its own agency's procedures, wherever they were entered (on the
    portal for the agency, or on the site itself); the portal lists the whole province's."""
    return items if site is None else items.filter(agency_id=site.agency_id)


def procedures_listed(*, site) -> bool:
    """Whether a site (site=None: the portal) lists any published procedure: a component site's
    menu and home offer the catalogue only then."""
    return _of_site(_published(), site).exists()


def public_procedures(*, site, filters: ProcedureFilters) -> QuerySet[Item]:
    """The published procedures of a site (site=None: the portal) that match `filters`: with
    words, the MATCHES_MAX most relevant, best first; without, by name. The published revision
    and the agency are joined."""
    _check(filters)
    items = _of_site(_published(), site).select_related("published_revision", "agency")
    exact = {"field": filters.field, "level": filters.level}
    for key, value in exact.items():
        if value:
            items = items.filter(**{f"published_revision__fields__{key}": value})
    if filters.agency is not None:
        items = items.filter(agency_id=filters.agency)
    if filters.online:
        online = Coalesce(_key("online_level"), Value(""), output_field=TextField())
        items = items.alias(online=online)
        if filters.online == ONLINE_NONE:
            items = items.filter(online="")
        elif filters.online == ONLINE_ANY:
            items = items.exclude(online="")
        else:
            items = items.filter(online=filters.online)
    if not filters.query.strip():
        return items.order_by("published_revision__title", "pk")
    try:
        ids = matching_source_ids(
            query=filters.query, source=SEARCH_SOURCE, kinds=[Kind.PROCEDURE], limit=MATCHES_MAX
        )
    except SearchError as error:
        raise FilterError(error.code, error.message, "query") from error
    if not ids:  # nothing matches: the same shape (a rank to order by), no row
        return items.none().alias(rank=Value(0, output_field=IntegerField()))
    # The search's order: the position of each id in the list it returned.
    rank = RawSQL(  # noqa: S611 (a bound parameter and a column name)
        f"array_position(%s::bigint[], {Item._meta.db_table}.id)", (ids,), IntegerField()
    )
    return items.filter(pk__in=ids).alias(rank=rank).order_by("rank", "pk")


def procedure_facets(*, items: QuerySet[Item]) -> ProcedureFacets:
    """How many of `items` there are in each field, agency, level and online level, and in all:
    one query (GROUPING SETS) whatever the number of procedures, and one for the agencies'
    names."""
    columns = {
        "field": _key("field"),
        "agency": Cast("agency_id", output_field=TextField()),
        "level": _key("level"),
        "online": Coalesce(_key("online_level"), Value(""), output_field=TextField()),
    }
    inner = items.order_by().annotate(**{f"facet_{name}": expr for name, expr in columns.items()})
    try:
        inner_sql, params = inner.values(*(f"facet_{n}" for n in columns)).query.sql_with_params()
    except EmptyResultSet:  # nothing can match (words no procedure has): nothing to count
        return ProcedureFacets()
    names = list(columns)
    listed = ", ".join(f"facet_{n}" for n in names)
    sets = ", ".join(f"(facet_{n})" for n in names)
    # Only the column names above are formatted in; every value is a parameter.
    sql = (
        f"SELECT {listed}, GROUPING({listed}), COUNT(*) FROM ({inner_sql}) AS procedures "  # noqa: S608
        f"GROUP BY GROUPING SETS ({sets}, ())"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts: dict[str, dict[str, int]] = {name: {} for name in names}
    total = 0
    everything = (1 << len(names)) - 1  # GROUPING's bit set for each column left out
    for row in rows:
        grouping, count = row[len(names)], row[len(names) + 1]
        if grouping == everything:
            total = count
            continue
        index = next(i for i in range(len(names)) if not grouping & (1 << (len(names) - 1 - i)))
        value = row[index]
        if value is not None:
            counts[names[index]][value] = count
    facets = ProcedureFacets(total=total)
    facets.fields = sorted(
        (FacetValue(value, value, count) for value, count in counts["field"].items() if value),
        key=lambda facet: (-facet.count, facet.value),
    )[:FACET_VALUES_MAX]
    agency_counts = counts["agency"]
    names_of = dict(
        Agency.objects.filter(pk__in=[int(pk) for pk in agency_counts]).values_list("pk", "name")
    )
    facets.agencies = sorted(
        (
            FacetValue(pk, names_of[int(pk)], count)
            for pk, count in agency_counts.items()
            if int(pk) in names_of
        ),
        key=lambda facet: (-facet.count, facet.label),
    )[:FACET_VALUES_MAX]
    facets.levels = [
        FacetValue(level, procedure_label("level", level), counts["level"][level])
        for level in LEVELS
        if level in counts["level"]
    ]
    online = counts["online"]
    facets.online_levels = [
        FacetValue(code, procedure_label("online_level", code), online[code])
        for code in ONLINE_LEVELS
        if code in online
    ]
    if "" in online:
        facets.online_levels.append(
            FacetValue(ONLINE_NONE, procedure_label("online_level", ""), online[""])
        )
    return facets


def public_procedure(*, code: str, site) -> Item | None:
    """A procedure of a site (site=None: the portal, any of the province's; a component site,
    its agency's) by its national code, published or no longer published (a page that is
    gone: 410); None when there is none or it was never published (404)."""
    if not code or len(code) > CODE_MAX:
        return None
    return (
        _of_site(Item.objects.all(), site)
        .filter(
            kind=Kind.PROCEDURE,
            language="vi",
            code=code,
            status__in=[Item.Status.PUBLISHED, Item.Status.UNPUBLISHED, Item.Status.WITHDRAWN],
            published_revision__isnull=False,
        )
        .select_related("published_revision", "agency", "agency__site", "site")
        .prefetch_related("attachments")
        .first()
    )


def procedure_end_reason(*, item: Item) -> str:
    """Why a procedure is no longer published: the public reason of its withdrawal, or the
    reason given when it was taken down (abolished, replaced…); "" when none was given."""
    if item.status == Item.Status.WITHDRAWN:
        return item.withdrawal_reason
    last = (
        Transition.objects.filter(item=item, action=Transition.Action.UNPUBLISH)
        .order_by("-created_at", "-pk")
        .values_list("comment", flat=True)
        .first()
    )
    return last or ""


def _effective_on(revision: Revision) -> date | None:
    value = revision.fields.get("effective_on")
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def procedure_versions(*, item: Item) -> list[tuple[Revision, date | None]]:
    """The versions of a procedure citizens have read, newest first: for each effective date,
    the last revision published with it (a correction replaces its version's text, it is no
    version of its own), with that date."""
    published = Transition.objects.filter(
        item=item,
        action__in=[Transition.Action.PUBLISH, Transition.Action.CORRECT],
        revision__isnull=False,
    ).values("revision_id")
    revisions = Revision.objects.filter(
        Q(pk__in=published) | Q(pk=item.published_revision_id), item=item
    ).order_by("-number")
    versions: dict[date | None, Revision] = {}
    for revision in revisions:
        versions.setdefault(_effective_on(revision), revision)
    dated = sorted(
        versions.items(), key=lambda entry: (entry[0] or date.min, entry[1].number), reverse=True
    )
    return [(revision, effective_on) for effective_on, revision in dated]


# --- imports

from django.core.cache import cache  # noqa: E402  (this section's own imports)

from catalog.models import ImportJob  # noqa: E402


def import_job(*, pk: int, user) -> ImportJob | None:
    """An import job of the staff page, for its own actor or a province administrator (None
    otherwise, as for no such job), with its progress (done, total) while it runs."""
    if not isinstance(pk, int) or not 0 < pk < 2**63 or not getattr(user, "is_active", False):
        return None
    jobs = ImportJob.objects.select_related("actor")
    if not user.is_superuser:
        jobs = jobs.filter(actor=user)
    job = jobs.filter(pk=pk).first()
    if job is not None and job.status == ImportJob.Status.RUNNING:
        progress = cache.get(job.progress_key)
        if progress:
            job.done, job.total = progress
    return job
