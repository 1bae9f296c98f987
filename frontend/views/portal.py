"""Citizen pages: the province portal's home and a component site's home.

Both read as an official portal's front page (Decree 42/2022 Art. 4–6): the newest news, the
announcements, direction and administration, the leaders' schedule, and entries to the pages
citizens come for. A block appears only when it has something to show. What is the same for
every visitor is built once per content version (frontend.public_cache): a publication shows
at once, and a cold page costs a handful of queries whatever the number of items."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Case, CharField, F, Value, When, Window
from django.db.models.functions import RowNumber
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from editorial.content import COLUMN_LABELS
from editorial.models import Item, Kind
from editorial.selectors import public_item_list
from frontend.context_processors import SiteContext
from frontend.links import component_site_url, item_path
from frontend.page_cache import public_page
from frontend.profiles import profile_for
from frontend.public_cache import cached
from organization import selectors as organization_selectors
from organization.models import Agency
from provinces.calendar import TZ

FEATURED = 4  # the newest featured item large, three more beside it
LATEST = 8
SHORT_LIST = 5  # announcements, direction, open drafts, legal documents
SCHEDULE_ROWS = 40  # a week of a leadership's appointments
# The kinds of the home page's blocks. "Tin nổi bật" is the items of the news kinds marked
# featured (shown there only); "Chỉ đạo – điều hành" the spokesperson's statements and what the
# profile's `direction` section files (Thái Nguyên Art. 4(2)).
NEWS_KINDS = (Kind.NEWS, Kind.EVENT)
FEATURABLE = (Kind.NEWS, Kind.EVENT, Kind.ANNOUNCEMENT, Kind.SPOKESPERSON)
BLOCK_KINDS = (
    Kind.NEWS,
    Kind.EVENT,
    Kind.ANNOUNCEMENT,
    Kind.SPOKESPERSON,
    Kind.LEADER_SCHEDULE,
    Kind.LEGAL_DOCUMENT,
    Kind.DRAFT_DOCUMENT,
)
FEATURED_BLOCK = "featured"
DIRECTION = "direction"
PER_BLOCK = LATEST  # each block reads this many of its newest items, the news kinds each


@public_page
def home(request):
    if request.component_site is not None:
        return _component_site_home(request, request.component_site)
    return _portal_home(request)


# --- what both homes show ---------------------------------------------------------------------


def _url(name: str, **kwargs) -> str | None:
    """The address of a page of this host, or None where the platform has no such page."""
    try:
        return reverse(f"frontend:{name}", kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _teaser(item: Item) -> dict:
    revision = item.published_revision
    return {
        "title": revision.title,
        "summary": revision.summary,
        "url": item_path(item),
        "kind": item.get_kind_display(),
        "category": item.category.name if item.category_id else "",
        "published_at": item.published_at,
    }


def _section(profile, code: str):
    """The profile's required section `code`, or None (no profile, or no such section)."""
    sections = profile.required_sections if profile is not None else ()
    return next((section for section in sections if section.code == code), None)


def _direction(profile) -> tuple[str | None, str | None]:
    """The portal category the `direction` section files its items in (ADR 0016), and the
    address of its page: (None, None) where the profile has no such section."""
    section = _section(profile, DIRECTION)
    if section is None:
        return None, None
    return section.content.category, _url("section", slug=section.slug)


def _blocks(*, site, direction_category: str | None) -> dict[str, list[Item]]:
    """The newest public items of each block of a home page, in one query: every item ranked
    within its block (featured items in theirs; the direction block gathers the spokesperson's
    statements and its section's category; the others by kind); drafts only while they are
    open for comment."""
    block = Case(
        When(featured=True, kind__in=FEATURABLE, then=Value(FEATURED_BLOCK)),
        # the schedule has its own block even where the direction section files it
        When(kind=Kind.LEADER_SCHEDULE, then=Value(Kind.LEADER_SCHEDULE)),
        When(kind=Kind.SPOKESPERSON, then=Value(DIRECTION)),
        *(
            [When(category__slug=direction_category, then=Value(DIRECTION))]
            if direction_category
            else []
        ),
        default=F("kind"),
        output_field=CharField(),
    )
    today = timezone.localdate().isoformat()
    items = (
        public_item_list(site=site, kinds=list(BLOCK_KINDS))
        .exclude(kind=Kind.DRAFT_DOCUMENT, published_revision__fields__closes_on__lt=today)
        .annotate(
            block=block,
            rank=Window(
                RowNumber(),
                partition_by=[block],
                order_by=[F("published_at").desc(), F("pk").desc()],
            ),
        )
        .filter(rank__lte=PER_BLOCK)
        .order_by("-published_at", "-pk")
    )
    blocks: dict[str, list[Item]] = {}
    for item in items:
        blocks.setdefault(item.block, []).append(item)
    return blocks


def _news(blocks: dict[str, list[Item]]) -> list[dict]:
    news = [item for kind in NEWS_KINDS for item in blocks.get(kind, ())]
    news.sort(key=lambda item: (item.published_at, item.pk), reverse=True)
    return [_teaser(item) for item in news[:LATEST]]


def _instant(value) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=TZ)


def _schedule(schedules: list[Item]) -> dict | None:
    """This week's schedule of the leaders: the published schedule whose week holds today,
    else the newest one; its entries in time order."""
    if not schedules:
        return None
    today = timezone.localdate()

    def week_of(item: Item) -> date | None:
        try:
            return date.fromisoformat(item.published_revision.fields.get("week_of", ""))
        except (TypeError, ValueError):
            return None

    current = next(
        (
            item
            for item in schedules
            if (start := week_of(item)) and start <= today < start + timedelta(days=7)
        ),
        schedules[0],
    )
    entries = []
    for entry in current.published_revision.fields.get("entries", [])[:SCHEDULE_ROWS]:
        starts_at = _instant(entry.get("starts_at"))
        if starts_at is None:
            continue
        entries.append(
            {
                "starts_at": starts_at,
                "leader": entry.get("leader", ""),
                "activity": entry.get("activity", ""),
                "place": entry.get("place", ""),
            }
        )
    entries.sort(key=lambda entry: entry["starts_at"])
    return {**_teaser(current), "week_of": week_of(current), "entries": entries}


def _drafts(items: list[Item]) -> list[dict]:
    drafts = []
    for item in items[:SHORT_LIST]:
        teaser = _teaser(item)
        try:
            teaser["closes_on"] = date.fromisoformat(item.published_revision.fields["closes_on"])
        except (KeyError, TypeError, ValueError):
            teaser["closes_on"] = None
        drafts.append(teaser)
    return drafts


def _content(*, site, profile) -> dict:
    """The item blocks of a home page (site=None: the portal; profile=None: no section of the
    portal's applies)."""
    direction_category, direction_url = _direction(profile)
    blocks = _blocks(site=site, direction_category=direction_category)
    featured = [_teaser(item) for item in blocks.get(FEATURED_BLOCK, [])[:FEATURED]]
    if direction_url is None and (news_list := _url("item_list")):
        direction_url = f"{news_list}?loai={Kind.SPOKESPERSON}"
    return {
        "direction_url": direction_url,
        "lead": featured[0] if featured else None,
        "featured": featured[1:],
        "news": _news(blocks),
        "announcements": [_teaser(i) for i in blocks.get(Kind.ANNOUNCEMENT, [])[:SHORT_LIST]],
        "direction": [_teaser(i) for i in blocks.get(DIRECTION, [])[:SHORT_LIST]],
        "schedule": _schedule(blocks.get(Kind.LEADER_SCHEDULE, [])),
        "documents": [
            {**_teaser(item), "number": item.published_revision.fields.get("number", "")}
            for item in blocks.get(Kind.LEGAL_DOCUMENT, [])[:SHORT_LIST]
        ],
        "drafts": _drafts(blocks.get(Kind.DRAFT_DOCUMENT, [])),
    }


def _entries() -> dict[str, str | None]:
    """The pages a citizen comes for, where this platform has them (None: not here)."""
    return {
        name: _url(name)
        for name in ("item_list", "documents", "drafts", "procedures", "qa_list", "contacts")
    }


def _labels() -> dict:
    """The labels of the schedule's columns, as the item's own page names them (translated
    for each request, so never cached)."""
    columns = ("starts_at", "leader", "activity", "place")
    return {"schedule_columns": [COLUMN_LABELS[name] for name in columns]}


# --- the province portal -----------------------------------------------------------------------


def _component_sites(request) -> list[dict]:
    """The active component sites, grouped by their agency's kind (its label, in the order of
    Agency.Kind), each group by name."""
    groups: dict[str, list[dict]] = {kind: [] for kind in Agency.Kind.values}
    for agency in organization_selectors.agency_list():
        site = getattr(agency, "site", None)
        if site is None or not site.is_active:
            continue
        groups[agency.kind].append({"name": agency.name, "url": component_site_url(request, site)})
    return [
        {"label": Agency.Kind(kind).label, "sites": sites}
        for kind, sites in groups.items()
        if sites
    ]


def _portal_home(request):
    profile = profile_for(request)

    def build() -> dict:
        entries = _entries()
        if profile is None or not profile.public_services.catalogue_published:
            entries["procedures"] = None  # the catalogue is not public (frontend.views.procedures)
        return {
            **_content(site=None, profile=profile),
            "entries": entries,
            "site_groups": _component_sites(request),
        }

    context = cached(request, "home", (), build)
    return render(request, "frontend/portal_home.html", {**context, **_labels()})


# --- a component site ----------------------------------------------------------------------------


def _agency_contacts(agency) -> dict:
    """The agency's public contact (address, phone, e-mail, website) and its leaders, where
    the organization module records them."""
    contacts_of = getattr(organization_selectors, "agency_contacts", None)
    found = contacts_of(agency_id=agency.pk).first() if contacts_of is not None else None
    agency = found or agency
    contact = {
        name: getattr(agency, name, "") or "" for name in ("address", "phone", "email", "website")
    }
    leaders = [
        {"name": leader.name, "title": leader.title, "phone": leader.phone, "email": leader.email}
        for leader in getattr(agency, "public_leaders", ())
    ]
    return {**contact, "leaders": leaders}


def _component_site_home(request, site):
    agency = site.agency

    def build() -> dict:
        # Its agency's procedures where its menu offers them (frontend.sections): no query more.
        entries = _entries()
        offered = {entry["url"] for entry in SiteContext(request).menu}
        if entries["procedures"] not in offered:
            entries["procedures"] = None
        return {
            **_content(site=site, profile=None),
            "entries": entries,
            "contact": _agency_contacts(agency),
        }

    context = cached(request, "site_home", (site.pk,), build)
    return render(
        request,
        "frontend/site_home.html",
        {**context, **_labels(), "agency_name": agency.name},
    )
