"""Reads of the staff dashboard: update deadlines (PROFILES.md section 3), the portal's daily
updates (Thái Nguyên Art. 10(1)) and the monthly quotas of news the agencies supply to the
provincial portal (Thái Nguyên Art. 8(3)), monitored by the editorial board (Art. 10(5)).

Every panel is one SQL query whatever the number of agencies and items: the rows shown and
the total come back together (a window count), the quota counts are aggregated by PostgreSQL.
Who sees what: a holder of a portal-scope role sees the whole province; a holder of agency
roles only sees the items and quotas of those agencies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from core.profiles import current_calendar, profile_at
from editorial import selectors
from editorial.models import Item, Kind, WorkflowState
from organization.models import Agency, Role, RoleAssignment
from provinces.calendar import TZ, WorkingCalendar, calendar_for
from provinces.schema import PLATFORM_DEFAULT

FEATURED_NEWS = "featured_news"  # the content type of the quotas (Thái Nguyên Art. 8(3))
PANEL_ROWS = 50


@dataclass(frozen=True)
class DashboardScope:
    """What a user may monitor: the whole province, or the items of some agencies."""

    whole_province: bool
    agency_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not self.whole_province and not self.agency_ids

    def items(self, items: QuerySet[Item]) -> QuerySet[Item]:
        return items if self.whole_province else items.filter(agency_id__in=self.agency_ids)

    def agencies(self, agencies: QuerySet[Agency]) -> QuerySet[Agency]:
        return agencies if self.whole_province else agencies.filter(pk__in=self.agency_ids)


WHOLE_PROVINCE = DashboardScope(whole_province=True)


def dashboard_scope(*, user) -> DashboardScope:
    """Whole province for a portal-scope role holder; else the agencies of the user's roles."""
    assignments = RoleAssignment.objects.filter(user=user).values_list("role__scope", "agency_id")
    agency_ids = set()
    for scope, agency_id in assignments:
        if scope == Role.Scope.PORTAL:
            return WHOLE_PROVINCE
        if agency_id is not None:
            agency_ids.add(agency_id)
    return DashboardScope(whole_province=False, agency_ids=frozenset(agency_ids))


@dataclass(frozen=True)
class Panel:
    rows: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def panel(items: QuerySet, *, limit: int = PANEL_ROWS) -> Panel:
    """The first `limit` rows and the number of all of them, in one query."""
    rows = list(items.annotate(panel_total=Window(Count("pk")))[:limit])
    for row in rows:
        row.sla_is_default = is_platform_default(row.sla_source)
    return Panel(rows=rows, total=rows[0].panel_total if rows else 0)


def is_platform_default(source: str) -> bool:
    """A value no regulation sets: staff screens mark it "giá trị mặc định" (PROFILES.md)."""
    return PLATFORM_DEFAULT in (source or "")


def _step_of_active_run() -> Subquery:
    # steps -> current_step: the step the item waits at, as the run copied it from the profile.
    step = Func(
        F("steps"),
        Cast(F("current_step"), IntegerField()),
        template="(%(expressions)s)",
        arg_joiner=" -> ",
        output_field=JSONField(),
    )
    return Subquery(
        WorkflowState.objects.filter(item=OuterRef("pk"), status=WorkflowState.Status.ACTIVE)
        .order_by()  # one active run per item (a unique constraint): no sort needed
        .annotate(step=step)
        .values("step")[:1],
        output_field=JSONField(),
    )


def _waiting(items: QuerySet[Item]) -> QuerySet[Item]:
    return (
        items.select_related(None)
        .select_related("agency")
        .annotate(
            title=Coalesce(F("current_revision__title"), F("slug"), output_field=CharField()),
            step=_step_of_active_run(),
        )
    )


def items_overdue(*, scope: DashboardScope, now: datetime | None = None) -> QuerySet[Item]:
    """Past their update deadline and not yet met by a publication, the oldest deadline first:
    drafts and items in a run, and published procedures whose new version is still owed."""
    now = now or timezone.now()
    items = selectors.overdue_items(now=now)
    return _waiting(scope.items(items)).order_by("sla_due_at", "pk")


def due_soon_until(now: datetime, calendar: WorkingCalendar) -> datetime:
    """The end of "due soon": office opening of the working day after the next one.

    Everything due from now to the end of the next working day, evening deadlines included
    (a deadline in calendar days ends at 23:59:59, provinces/sla.py), so a reminder sent in
    office hours always comes at least one working day before the deadline."""
    today = now.astimezone(TZ).date()
    return calendar.office_start(calendar.next_working_day(calendar.next_working_day(today)))


def items_due_soon(
    *, scope: DashboardScope, now: datetime | None = None, calendar: WorkingCalendar | None = None
) -> QuerySet[Item]:
    """Owed and due between now and `due_soon_until`, the nearest first."""
    now = now or timezone.now()
    calendar = calendar or current_calendar()
    items = Item.objects.filter(
        sla_met_at__isnull=True,
        sla_due_at__gte=now,
        sla_due_at__lt=due_soon_until(now, calendar),
    ).exclude(status=Item.Status.WITHDRAWN)
    return _waiting(scope.items(items)).order_by("sla_due_at", "pk")


def items_published_late(*, scope: DashboardScope, since: datetime) -> QuerySet[Item]:
    """Published after their deadline since `since`, the latest first, with the rule and the
    article they broke (kept on the item: `sla_rule`, `sla_source`)."""
    items = selectors.published_late_items().filter(sla_met_at__gte=since)
    return (
        scope.items(items)
        .select_related(None)
        .select_related("agency")
        .annotate(
            title=Coalesce(
                F("published_revision__title"),
                F("current_revision__title"),
                F("slug"),
                output_field=CharField(),
            )
        )
        .order_by("-sla_met_at", "-pk")
    )


def month_bounds(day: date) -> tuple[datetime, datetime]:
    """The calendar month of `day` in Vietnam time: [first instant, first of the next)."""
    start = datetime(day.year, day.month, 1, tzinfo=TZ)
    following = datetime(day.year + day.month // 12, day.month % 12 + 1, 1, tzinfo=TZ)
    return start, following


@dataclass(frozen=True)
class QuotaRow:
    agency_id: int
    agency_name: str
    agency_kind: str
    count: int
    minimum: int
    source: str

    @property
    def below(self) -> bool:
        return self.count < self.minimum

    @property
    def source_is_default(self) -> bool:
        return is_platform_default(self.source)


def supplied_to_portal(*, kinds: list[str], start: datetime, end: datetime) -> QuerySet[Item]:
    """Items supplied to the provincial portal and first published there in [start, end):
    portal items (not a component site's own) of `kinds`, marked featured, still published,
    not a translation (one piece of news, two languages). Who supplied one: the agency it was
    entered for on the portal, or whose component site it was shared from."""
    return Item.objects.filter(
        site__isnull=True,
        kind__in=kinds,
        featured=True,
        status=Item.Status.PUBLISHED,
        translation_of__isnull=True,
        first_published_at__gte=start,
        first_published_at__lt=end,
    )


def _supplied_count(items: QuerySet[Item]) -> Subquery:
    # COUNT without GROUP BY: one number per agency row of the outer query.
    by_agency = items.filter(
        Q(agency_id=OuterRef("pk")) | Q(shared_from__agency_id=OuterRef("pk"))
    ).order_by()
    return Subquery(
        by_agency.annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values(
            "n"
        )[:1],
        output_field=IntegerField(),
    )


def agency_quotas(
    *, scope: DashboardScope, profile: Any, start: datetime, end: datetime
) -> list[QuotaRow]:
    """Each agency under a quota of the profile: the items it supplied to the provincial
    portal that the portal first published in [start, end), against the minimum for its kind
    (Thái Nguyên Art. 8(3): "mỗi Sở, ban, ngành cung cấp ít nhất 2 tin ...; mỗi Ủy ban nhân dân
    cấp huyện ... ít nhất 3 tin" — supplied to the provincial portal, Art. 8 heading and 8(2);
    a component site's own publications are not supplied). Agencies below the quota first.

    One query: each agency row counts its supplied items in a subquery."""
    quotas = {q.agency_kind: q for q in profile.quotas if q.content_type == FEATURED_NEWS}
    if not quotas:
        return []
    count = Case(
        *[
            When(
                kind=kind,
                then=_supplied_count(
                    supplied_to_portal(kinds=list(quota.item_kinds), start=start, end=end)
                ),
            )
            for kind, quota in quotas.items()
        ],
        default=Value(0),
        output_field=IntegerField(),
    )
    agencies = (
        scope.agencies(Agency.objects.filter(is_active=True, kind__in=quotas))
        .annotate(supplied=Coalesce(count, Value(0)))
        .values_list("pk", "name", "kind", "supplied")
        .order_by("name")
    )
    rows = [
        QuotaRow(
            agency_id=pk,
            agency_name=name,
            agency_kind=kind,
            count=count,
            minimum=quotas[kind].min_per_month,
            source=quotas[kind].source,
        )
        for pk, name, kind, count in agencies
    ]
    return sorted(rows, key=lambda row: not row.below)


# --- deadlines of the portal itself ---------------------------------------------------------

PORTAL_DAYS = 7


@dataclass(frozen=True)
class PortalDay:
    day: date
    working: bool
    count: int

    @property
    def missed(self) -> bool:
        """A working day on which the portal published nothing."""
        return self.working and self.count == 0


@dataclass(frozen=True)
class PortalDeadline:
    content_type: str
    label: str
    source: str
    days: list[PortalDay]

    @property
    def missed(self) -> list[PortalDay]:
        return [day for day in self.days if day.missed]


def portal_deadlines(
    *, profile: Any, now: datetime, calendar: WorkingCalendar | None = None
) -> list[PortalDeadline]:
    """The profile's deadlines of the portal as a whole (`monitors`), with the last
    PORTAL_DAYS days up to today: Thái Nguyên Art. 10(1) "cập nhật thông tin hàng ngày" is
    shown as the items the provincial portal first published each day, and a working day
    with none is marked (ADR 0005). One query, and none when the profile has no such rule."""
    rules = [sla for sla in profile.update_slas if sla.monitors == "daily_publication"]
    if not rules:
        return []
    calendar = calendar or calendar_for(profile)
    today = now.astimezone(TZ).date()
    days = [today - timedelta(days=n) for n in range(PORTAL_DAYS - 1, -1, -1)]
    since = datetime.combine(days[0], time.min, TZ)
    counts = dict(
        Item.objects.filter(
            site__isnull=True,
            translation_of__isnull=True,
            first_published_at__gte=since,
            first_published_at__lte=now,
        )
        .annotate(day=TruncDate("first_published_at", tzinfo=TZ))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    shown = [
        PortalDay(day=day, working=calendar.is_working_day(day), count=counts.get(day, 0))
        for day in days
    ]
    return [
        PortalDeadline(
            content_type=sla.content_type, label=sla.label, source=sla.source, days=shown
        )
        for sla in rules
    ]


@dataclass(frozen=True)
class PublishedContent:
    """What a site publishes, for telling which required sections have content (ADR 0016): the
    kinds of its public items, the categories they are filed in, its static pages' addresses."""

    kinds: frozenset[str]
    categories: frozenset[str]
    pages: frozenset[str]


def published_content(*, site=None) -> PublishedContent:
    """The kinds, categories and static pages of a site's public Vietnamese items (site=None:
    the portal), in one query: the citizens' menu and the dashboard's section gaps read it. The
    portal's catalogue lists every procedure of the province, wherever it was entered (ADR
    0019), so on the portal a component site's procedure counts too."""
    items = Item.objects.filter(status=Item.Status.PUBLISHED, published_revision__isnull=False)
    if site is None:
        items = items.filter(Q(site__isnull=True) | Q(kind=Kind.PROCEDURE))
    else:
        items = items.filter(site=site)
    rows = (
        items.filter(language="vi")
        .order_by()
        .annotate(
            page=Case(
                When(kind="static_page", then=F("slug")),
                default=Value(""),
                output_field=CharField(),
            )
        )
        .values_list("kind", "category__slug", "page")
        .distinct()
    )
    kinds, categories, pages = set(), set(), set()
    for kind, category, page in rows:
        kinds.add(kind)
        if category:
            categories.add(category)
        if page:
            pages.add(page)
    return PublishedContent(frozenset(kinds), frozenset(categories), frozenset(pages))


@dataclass(frozen=True)
class Dashboard:
    scope: DashboardScope
    now: datetime
    month_start: datetime
    due_soon_until: datetime
    overdue: Panel
    due_soon: Panel
    published_late: Panel
    quotas: list[QuotaRow]
    quota_rules: list[Any] = field(default_factory=list)
    portal: list[PortalDeadline] = field(default_factory=list)

    @property
    def below_quota(self) -> list[QuotaRow]:
        return [row for row in self.quotas if row.below]


def dashboard_panels(*, user, now: datetime | None = None) -> Dashboard:
    """Every panel of the staff dashboard for `user`: 1 query for the scope, 1 per panel."""
    now = now or timezone.now()
    profile = profile_at(now)
    calendar = calendar_for(profile)
    scope = dashboard_scope(user=user)
    start, end = month_bounds(now.astimezone(TZ).date())
    quota_rules = [q for q in profile.quotas if q.content_type == FEATURED_NEWS]
    if scope.is_empty:
        empty = Panel(rows=[], total=0)
        return Dashboard(
            scope, now, start, due_soon_until(now, calendar), empty, empty, empty, [], quota_rules
        )
    return Dashboard(
        scope=scope,
        now=now,
        month_start=start,
        due_soon_until=due_soon_until(now, calendar),
        overdue=panel(items_overdue(scope=scope, now=now)),
        due_soon=panel(items_due_soon(scope=scope, now=now, calendar=calendar)),
        published_late=panel(items_published_late(scope=scope, since=start)),
        quotas=agency_quotas(scope=scope, profile=profile, start=start, end=end),
        quota_rules=quota_rules,
        # The portal's own deadline is the board's to watch: whole-province scope only.
        portal=portal_deadlines(profile=profile, now=now, calendar=calendar)
        if scope.whole_province
        else [],
    )
