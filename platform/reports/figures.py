"""Activity figures of a province, an agency or a component site over a period (issue 14, Must
have 1): what the reports are drafted from, what the compliance pages and the API show.

CONTRACT (the shape other code builds on; the computation is in this module):

    activity_figures(*, start: date, end: date, agency: Agency | None = None,
                     site: ComponentSite | None = None, now: datetime | None = None) -> Figures

`start`..`end` are Vietnam dates, both inclusive. agency and site None: the whole province
(its portal and every component site). Every figure is computed by PostgreSQL aggregates (a
bounded number of queries whatever the number of rows).

`Figures.as_dict()` is JSON (stored in Report.figures, served by the API); `Figures.from_dict`
reads it back; `Figures.tables()` gives the tables a report prints (a title, column headings,
rows of plain values) in Vietnamese.

DEFINITIONS (what each figure counts; the report tables say the same in words). The period is
[start 00:00, end+1 00:00) in Vietnam time (provinces.calendar.TZ). Scope: an agency = items
entered for it (Item.agency) and questions routed to it; a component site = the items of that
site and the questions of its agency; page views = all rows (province), the agency's site's
rows (agency), the site's rows (site). Backups are the province's: counted in the whole
province's figures only.

- published: items whose FIRST publication (first_published_at) is in the period, by kind (its
  Vietnamese name) and by category name; translations (translation_of) and shared copies
  (shared_from) are the same piece of news and are not counted again.
- update deadlines (ADR 0005, 0019): items with a deadline (sla_due_at) met in the period
  (sla_met_at): on time (met <= due) or late; the longest and the median lateness in whole
  hours (PostgreSQL percentile_cont). Open and overdue: due before the period's end, not met by
  then, not withdrawn. Originals only, as for publications.
- quotas: for each whole calendar month inside the period, each agency under a quota of the
  profile in force that month: items supplied to the provincial portal against the minimum
  (editorial.dashboard.agency_quotas; Thái Nguyên Art. 8(3)).
- "at the period's end" is `now` while the period is still running (the current month).
- questions (every intake: questions, feedback, complaints) received in the period, except
  those still in moderation or not accepted; answered in the period; answered in the period
  after their deadline (answered_at > due_at); open and past the date promised to the asker at
  the period's end; appointments (an appointment date set, received in the period: Huế Art.
  14(4)(c)); complaints and feedback received (Question.intake).
- corrections: correction notices published in the period (Bắc Kạn Art. 8); withdrawals:
  items withdrawn in the period (the workflow's "withdraw" transition).
- procedure changes (ADR 0019): publications in the period of a procedure (its first version
  or a new one: the workflow's "publish" transition); late ones: procedures whose deadline was
  met in the period after it was due.
- backups and verifications of the province started in the period, and how many failed.
- page views: the counts the platform keeps itself (reports.pageviews), by kind of page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Aggregate, Count, F, FloatField, Max, Q, Sum
from django.db.models.functions import Extract
from django.utils import timezone
from django.utils.translation import gettext as _

from provinces.calendar import TZ

if TYPE_CHECKING:
    from organization.models import Agency, ComponentSite

MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class KindCount:
    kind: str  # editorial Kind value
    label: str  # its Vietnamese name
    count: int


@dataclass(frozen=True)
class CategoryCount:
    category: str  # the category's name ("" for none)
    count: int


@dataclass(frozen=True)
class QuotaFigure:
    agency: str
    content_type: str
    required: int
    supplied: int
    met: bool
    month: str = ""  # "YYYY-MM": the whole month of the period the row counts
    source: str = ""  # the article setting the minimum


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class Figures:
    start: date
    end: date
    scope_label: str  # "Toàn tỉnh", the agency's or the site's name
    published_by_kind: list[KindCount] = field(default_factory=list)
    published_by_category: list[CategoryCount] = field(default_factory=list)
    published_total: int = 0
    # Update deadlines (items with an SLA published in the period): on time, late, how late.
    sla_on_time: int = 0
    sla_late: int = 0
    sla_late_max_hours: int = 0
    sla_late_median_hours: int = 0
    sla_overdue_open: int = 0  # past due at `end` and still not published
    quotas: list[QuotaFigure] = field(default_factory=list)
    questions_received: int = 0
    questions_answered: int = 0
    questions_answered_late: int = 0
    questions_open_late: int = 0  # received, not answered, past due at the period's end
    appointments: int = 0  # questions given an appointment (Huế Art. 14(4)(c))
    complaints_received: int = 0
    feedback_received: int = 0
    corrections: int = 0
    withdrawals: int = 0
    procedure_changes: int = 0
    procedure_changes_late: int = 0
    backups: int = 0
    backups_failed: int = 0
    verifications: int = 0
    verifications_failed: int = 0
    page_views: int = 0
    page_views_by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Figures:
        values = dict(data)
        values["start"] = date.fromisoformat(values["start"])
        values["end"] = date.fromisoformat(values["end"])
        values["published_by_kind"] = [
            KindCount(**row) for row in values.get("published_by_kind", [])
        ]
        values["published_by_category"] = [
            CategoryCount(**row) for row in values.get("published_by_category", [])
        ]
        values["quotas"] = [QuotaFigure(**row) for row in values.get("quotas", [])]
        return cls(**values)

    def tables(self) -> list[Table]:
        """The tables a report prints, in Vietnamese, each saying what it counts."""
        period = _("từ %(start)s đến %(end)s") % {
            "start": f"{self.start:%d/%m/%Y}",
            "end": f"{self.end:%d/%m/%Y}",
        }
        count = _("Số lượng")
        published = Table(
            title=_("Tin, bài đăng tải theo loại"),
            columns=[
                _("Loại tin, bài (lần đăng đầu tiên trong kỳ, %(period)s)") % {"period": period},
                count,
            ],
            rows=[[row.label, row.count] for row in self.published_by_kind]
            + [[_("Tổng số (không tính bản dịch, bản chia sẻ)"), self.published_total]],
        )
        by_category = Table(
            title=_("Tin, bài đăng tải theo chuyên mục"),
            columns=[_("Chuyên mục"), count],
            rows=[
                [row.category or _("(Không thuộc chuyên mục)"), row.count]
                for row in self.published_by_category
            ],
        )
        deadlines = Table(
            title=_("Thời hạn cập nhật"),
            columns=[_("Nội dung"), count],
            rows=[
                [_("Cập nhật đúng hạn trong kỳ"), self.sla_on_time],
                [_("Cập nhật trễ hạn trong kỳ"), self.sla_late],
                [_("Thời gian trễ lâu nhất (giờ)"), self.sla_late_max_hours],
                [_("Thời gian trễ trung vị (giờ)"), self.sla_late_median_hours],
                [_("Quá hạn, chưa cập nhật đến cuối kỳ"), self.sla_overdue_open],
            ],
        )
        quotas = Table(
            title=_("Chỉ tiêu tin bài"),
            columns=[
                _("Tháng"),
                _("Cơ quan, đơn vị"),
                _("Tối thiểu phải cung cấp cho Cổng"),
                _("Đã cung cấp, được Cổng đăng"),
                _("Đạt chỉ tiêu"),
            ],
            rows=[
                [
                    _month_label(row.month),
                    row.agency,
                    row.required,
                    row.supplied,
                    _("Đạt") if row.met else _("Không đạt"),
                ]
                for row in self.quotas
            ],
        )
        questions = Table(
            title=_("Hỏi – Đáp"),
            columns=[_("Nội dung"), count],
            rows=[
                [_("Câu hỏi, góp ý, khiếu nại tiếp nhận trong kỳ"), self.questions_received],
                [_("Trong đó: góp ý, kiến nghị"), self.feedback_received],
                [_("Trong đó: khiếu nại"), self.complaints_received],
                [_("Đã trả lời trong kỳ"), self.questions_answered],
                [_("Trả lời sau thời hạn"), self.questions_answered_late],
                [_("Chưa trả lời, quá hạn đến cuối kỳ"), self.questions_open_late],
                [_("Hẹn ngày trả lời"), self.appointments],
            ],
        )
        corrections = Table(
            title=_("Đính chính, thu hồi"),
            columns=[_("Nội dung"), count],
            rows=[
                [_("Đính chính đã công bố"), self.corrections],
                [_("Tin, bài thu hồi"), self.withdrawals],
            ],
        )
        procedures = Table(
            title=_("Thủ tục hành chính"),
            columns=[_("Nội dung"), count],
            rows=[
                [_("Thủ tục hành chính công bố, thay đổi trong kỳ"), self.procedure_changes],
                [_("Trong đó: cập nhật trễ hạn"), self.procedure_changes_late],
            ],
        )
        backups = Table(
            title=_("Sao lưu dữ liệu"),
            columns=[_("Nội dung"), count],
            rows=[
                [_("Lần sao lưu"), self.backups],
                [_("Lần sao lưu thất bại"), self.backups_failed],
                [_("Lần kiểm tra bản sao lưu"), self.verifications],
                [_("Lần kiểm tra không khớp"), self.verifications_failed],
            ],
        )
        page_views = Table(
            title=_("Lượt truy cập"),
            columns=[_("Loại trang"), _("Lượt xem")],
            rows=[
                [_page_kind_label(kind), views]
                for kind, views in sorted(self.page_views_by_kind.items())
            ]
            + [[_("Tổng số lượt xem trang"), self.page_views]],
        )
        return [
            published,
            by_category,
            deadlines,
            quotas,
            questions,
            corrections,
            procedures,
            backups,
            page_views,
        ]


def _month_label(month: str) -> str:
    if len(month) == 7:
        return f"{month[5:7]}/{month[:4]}"
    return month


def _page_kind_label(kind: str) -> str:
    from reports.models import PageViewDay

    try:
        return str(PageViewDay.PageKind(kind).label)
    except ValueError:
        return str(PageViewDay.PageKind.OTHER.label)


class Median(Aggregate):
    """percentile_cont(0.5): PostgreSQL's median of a set of numbers (FILTER allowed)."""

    function = "percentile_cont"
    name = "Median"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in Vietnam time, checked: ValueError on a bad period."""
    if not isinstance(start, date) or not isinstance(end, date):
        raise ValueError("start and end must be dates")
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValueError(f"a period is at most {MAX_PERIOD_DAYS} days long")
    return (
        datetime.combine(start, time(0), tzinfo=TZ),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=TZ),
    )


def whole_months(start: date, end: date) -> list[date]:
    """The first day of each calendar month lying wholly inside start..end."""
    months: list[date] = []
    first = (
        start if start.day == 1 else date(start.year + start.month // 12, start.month % 12 + 1, 1)
    )
    while True:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        if following - timedelta(days=1) > end:
            return months
        months.append(first)
        first = following


def activity_figures(
    *,
    start: date,
    end: date,
    agency: Agency | None = None,
    site: ComponentSite | None = None,
    now: datetime | None = None,
) -> Figures:
    """The figures of the active province (or one agency, or one component site) over
    start..end (Vietnam dates, inclusive): see the module's definitions. A bounded number of
    queries: one per group of figures and one per whole month for the quotas."""
    from backups.models import Backup, Verification
    from core.profiles import current_province_slug, profile_at
    from editorial.dashboard import WHOLE_PROVINCE, DashboardScope, agency_quotas
    from editorial.models import Correction, Item, Kind, Transition
    from qa.models import Question
    from reports.models import PageViewDay

    if agency is not None and site is not None:
        raise ValueError("give an agency or a site, not both")
    since, until = period_bounds(start, end)
    # What is owed "at the period's end" is judged now while the period runs (the current
    # month's figures): an item due tomorrow is not overdue yet.
    at_end = min(until, now or timezone.now())

    items = Item.objects.filter(translation_of__isnull=True, shared_from__isnull=True)
    questions = Question.objects.all()
    views = PageViewDay.objects.filter(day__gte=start, day__lte=end)
    if site is not None:
        scope_label = site.name
        items = items.filter(site=site)
        questions = questions.filter(agency_id=site.agency_id)
        views = views.filter(site=site)
        quota_scope = DashboardScope(whole_province=False, agency_ids=frozenset({site.agency_id}))
    elif agency is not None:
        scope_label = agency.name
        items = items.filter(agency=agency)
        questions = questions.filter(agency=agency)
        views = views.filter(site__agency=agency)
        quota_scope = DashboardScope(whole_province=False, agency_ids=frozenset({agency.pk}))
    else:
        scope_label = _("Toàn tỉnh")
        quota_scope = WHOLE_PROVINCE
    items = items.order_by()

    in_period = Q(first_published_at__gte=since, first_published_at__lt=until)
    met_in_period = Q(sla_due_at__isnull=False, sla_met_at__gte=since, sla_met_at__lt=until)
    late = met_in_period & Q(sla_met_at__gt=F("sla_due_at"))
    lateness_hours = Extract(F("sla_met_at") - F("sla_due_at"), "epoch") / 3600.0
    item_totals = items.aggregate(
        published=Count("pk", filter=in_period),
        on_time=Count("pk", filter=met_in_period & Q(sla_met_at__lte=F("sla_due_at"))),
        late=Count("pk", filter=late),
        late_max=Max(lateness_hours, filter=late, output_field=FloatField()),
        late_median=Median(lateness_hours, filter=late),
        overdue_open=Count(
            "pk",
            filter=Q(sla_due_at__lt=at_end)
            & (Q(sla_met_at__isnull=True) | Q(sla_met_at__gte=at_end))
            & ~Q(status=Item.Status.WITHDRAWN),
        ),
        procedures_late=Count("pk", filter=late & Q(kind=Kind.PROCEDURE)),
    )
    kind_labels = dict(Kind.choices)
    by_kind = [
        KindCount(kind=kind, label=str(kind_labels.get(kind, kind)), count=n)
        for kind, n in items.filter(in_period)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by("-n", "kind")
    ]
    by_category = [
        CategoryCount(category=name or "", count=n)
        for name, n in items.filter(in_period)
        .values_list("category__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "category__name")
    ]
    moves = Transition.objects.filter(
        item__in=items, created_at__gte=since, created_at__lt=until
    ).aggregate(
        withdrawals=Count("item_id", distinct=True, filter=Q(action=Transition.Action.WITHDRAW)),
        procedure_changes=Count(
            "pk",
            filter=Q(action=Transition.Action.PUBLISH, item__kind=Kind.PROCEDURE),
        ),
    )
    corrections = Correction.objects.filter(
        item__in=items, published_at__gte=since, published_at__lt=until
    ).count()

    received = Q(received_at__gte=since, received_at__lt=until) & ~Q(
        status__in=(Question.Status.MODERATION, Question.Status.REJECTED)
    )
    answered = Q(answered_at__gte=since, answered_at__lt=until)
    question_totals = questions.order_by().aggregate(
        received=Count("pk", filter=received),
        answered=Count("pk", filter=answered),
        answered_late=Count("pk", filter=answered & Q(answered_at__gt=F("due_at"))),
        appointments=Count("pk", filter=received & Q(appointment_at__isnull=False)),
        complaints=Count("pk", filter=received & Q(intake=Question.Intake.COMPLAINT)),
        feedback=Count("pk", filter=received & Q(intake=Question.Intake.FEEDBACK)),
        open_late=Count("pk", filter=_open_late(at_end)),
    )

    months = whole_months(start, end)
    quotas: list[QuotaFigure] = []
    for first in months:
        month_start = datetime.combine(first, time(0), tzinfo=TZ)
        month_end = datetime.combine(
            date(first.year + first.month // 12, first.month % 12 + 1, 1), time(0), tzinfo=TZ
        )
        profile = profile_at(month_start)
        content_types = {(quota.agency_kind, quota.content_type) for quota in profile.quotas}
        for row in agency_quotas(
            scope=quota_scope, profile=profile, start=month_start, end=month_end
        ):
            content_type = next((ct for kind, ct in content_types if kind == row.agency_kind), "")
            quotas.append(
                QuotaFigure(
                    agency=row.agency_name,
                    content_type=content_type,
                    required=row.minimum,
                    supplied=row.count,
                    met=not row.below,
                    month=f"{first:%Y-%m}",
                    source=row.source,
                )
            )

    backups = {"total": 0, "failed": 0}
    verifications = {"total": 0, "failed": 0}
    if site is None and agency is None:
        slug = current_province_slug()
        backups = Backup.objects.filter(
            province_slug=slug, started_at__gte=since, started_at__lt=until
        ).aggregate(total=Count("pk"), failed=Count("pk", filter=Q(status=Backup.Status.FAILED)))
        verifications = Verification.objects.filter(
            backup__province_slug=slug, started_at__gte=since, started_at__lt=until
        ).aggregate(
            total=Count("pk"),
            failed=Count("pk", filter=Q(status=Verification.Status.FAILED)),
        )

    page_views_by_kind = {
        kind: int(n) for kind, n in views.order_by().values_list("kind").annotate(n=Sum("views"))
    }
    return Figures(
        start=start,
        end=end,
        scope_label=scope_label,
        published_by_kind=by_kind,
        published_by_category=by_category,
        published_total=item_totals["published"],
        sla_on_time=item_totals["on_time"],
        sla_late=item_totals["late"],
        sla_late_max_hours=round(item_totals["late_max"] or 0),
        sla_late_median_hours=round(item_totals["late_median"] or 0),
        sla_overdue_open=item_totals["overdue_open"],
        quotas=quotas,
        questions_received=question_totals["received"],
        questions_answered=question_totals["answered"],
        questions_answered_late=question_totals["answered_late"],
        questions_open_late=question_totals["open_late"],
        appointments=question_totals["appointments"],
        complaints_received=question_totals["complaints"],
        feedback_received=question_totals["feedback"],
        corrections=corrections,
        withdrawals=moves["withdrawals"],
        procedure_changes=moves["procedure_changes"],
        procedure_changes_late=item_totals["procedures_late"],
        backups=backups["total"],
        backups_failed=backups["failed"],
        verifications=verifications["total"],
        verifications_failed=verifications["failed"],
        page_views=sum(page_views_by_kind.values()),
        page_views_by_kind=page_views_by_kind,
    )


def _open_late(until: datetime) -> Q:
    """Still owed an answer at `until` and past the date last promised to the asker."""
    from qa.models import Question, _promised

    return (
        Q(received_at__lt=until)
        & ~Q(
            status__in=(
                Question.Status.MODERATION,
                Question.Status.REJECTED,
                Question.Status.RETURNED,
            )
        )
        & (Q(answered_at__isnull=True) | Q(answered_at__gte=until))
        & _promised("lt", until)
    )
