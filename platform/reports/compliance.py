"""What a province is late with (issue 14, Must have 3 and 5; ADR 0030): the figures of its
compliance page and of the operators' board, and the snapshots the board reads.

`province_compliance(now=…)` runs in the active province's schema and gives numbers only: no
citizen's name, no question's text, no e-mail. Each line carries its count, the article of the
rule it measures (the profile's `source`) and the path of the province's page that lists the
cases. A bounded number of queries whatever the number of rows (PostgreSQL counts them).

`compliance_snapshot_refresh(province=…)` computes one province's figures inside its schema and
keeps them in the public schema (tenants.ComplianceSnapshot), where the platform host's board
reads every province in one query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.services import audit_record
from backups.schedule import (
    is_overdue,
    last_passed_verification_at,
    last_success_at,
    newest_success,
    policy_for,
    verification_due,
)
from core.profiles import profile_at
from editorial.dashboard import WHOLE_PROVINCE, agency_quotas, month_bounds, published_content
from editorial.sections import section_states, url_or_none
from editorial.selectors import overdue_items
from provinces.calendar import TZ
from qa.models import Question
from reports.models import Report
from tenants.models import ComplianceSnapshot, Province, slug_for_schema

# Answers given late are counted over the last 30 days (issue 14, Must have 5).
ANSWERED_LATE_DAYS = 30
# A copy waits this long for its scheduled proof before the proof counts as overdue: the
# verification task runs once a day (config.celery "backups-verify").
VERIFY_GRACE = timedelta(days=1)
# The drafted reports a page lists (the oldest due first); the count is of all of them.
REPORTS_LISTED = 20
FIGURES_VERSION = 1

# The lines, in the order people read them. The codes are the keys of the snapshot's figures.
QA_OPEN_LATE = "qa_open_late"
QA_ANSWERED_LATE = "qa_answered_late"
UPDATES_LATE = "updates_late"
QUOTAS_UNMET = "quotas_unmet"
SECTIONS_MISSING = "sections_missing"
BACKUPS_OVERDUE = "backups_overdue"
VERIFICATIONS_OVERDUE = "verifications_overdue"
REPORTS_OVERDUE = "reports_overdue"
LINE_CODES = (
    QA_OPEN_LATE,
    QA_ANSWERED_LATE,
    UPDATES_LATE,
    QUOTAS_UNMET,
    SECTIONS_MISSING,
    BACKUPS_OVERDUE,
    VERIFICATIONS_OVERDUE,
    REPORTS_OVERDUE,
)


def line_labels() -> dict[str, str]:
    """What each line counts, in Vietnamese (the province's page, the board's headings)."""
    return {
        QA_OPEN_LATE: _("Câu hỏi quá hạn trả lời, chưa trả lời"),
        QA_ANSWERED_LATE: _("Câu hỏi trả lời trễ hạn trong 30 ngày qua"),
        UPDATES_LATE: _("Thông tin quá hạn cập nhật, chưa đăng"),
        QUOTAS_UNMET: _("Cơ quan chưa đủ định mức tin tháng trước"),
        SECTIONS_MISSING: _("Chuyên mục bắt buộc chưa có nội dung"),
        BACKUPS_OVERDUE: _("Sao lưu quá lịch"),
        VERIFICATIONS_OVERDUE: _("Kiểm tra bản sao lưu quá lịch"),
        REPORTS_OVERDUE: _("Báo cáo quá hạn chưa ký duyệt"),
    }


def short_labels() -> dict[str, str]:
    """The board's column headings."""
    return {
        QA_OPEN_LATE: _("Hỏi – Đáp quá hạn"),
        QA_ANSWERED_LATE: _("Trả lời trễ (30 ngày)"),
        UPDATES_LATE: _("Cập nhật quá hạn"),
        QUOTAS_UNMET: _("Chưa đủ định mức"),
        SECTIONS_MISSING: _("Chuyên mục thiếu"),
        BACKUPS_OVERDUE: _("Sao lưu quá lịch"),
        VERIFICATIONS_OVERDUE: _("Kiểm tra quá lịch"),
        REPORTS_OVERDUE: _("Báo cáo chưa ký"),
    }


@dataclass(frozen=True)
class ComplianceLine:
    code: str  # one of LINE_CODES
    label: str
    count: int
    source: str  # the profile's source of the rule ("" where no single article applies)
    url: str | None  # the province page that lists the cases (None: no such page yet)


@dataclass(frozen=True)
class ReportDue:
    pk: int
    title: str
    due_on: Any  # date
    overdue: bool
    url: str | None


@dataclass(frozen=True)
class Compliance:
    computed_at: datetime
    budget_owner: str
    budget_source: str
    lines: list[ComplianceLine]
    reports: list[ReportDue] = field(default_factory=list)  # drafted, the oldest due first
    reports_drafted: int = 0  # all drafted reports, due or not

    @property
    def late_total(self) -> int:
        return sum(line.count for line in self.lines)

    def line(self, code: str) -> ComplianceLine:
        return next(line for line in self.lines if line.code == code)

    @property
    def reports_url(self) -> str | None:
        """The province's list of reports (None while it has none)."""
        return self.line(REPORTS_OVERDUE).url

    def figures(self) -> dict[str, Any]:
        """The numbers kept in the public schema for the operators' board: counts only."""
        return {
            "version": FIGURES_VERSION,
            "counts": {line.code: line.count for line in self.lines},
            "late_total": self.late_total,
            "reports_drafted": self.reports_drafted,
        }


def _province_url(name: str, query: str = "", **kwargs) -> str | None:
    # The province's own pages, whatever host asks (a worker, the platform host's console).
    url = url_or_none(name, urlconf=settings.ROOT_URLCONF, **kwargs)
    return f"{url}{query}" if url and query else url


def _question_counts(now: datetime) -> tuple[int, int]:
    """(open and past the date promised, or missed one before a move; answered after the date
    promised in the last 30 days): one query."""
    promised = Coalesce("appointment_at", "progress_due_at", "due_at")
    since = now - timedelta(days=ANSWERED_LATE_DAYS)
    open_late = Question.objects.open().overdue(now, or_missed=True).count()
    counts = (
        Question.objects.filter(answered_at__gte=since, answered_at__lte=now)
        .annotate(promised=promised)
        .aggregate(
            late=Count(
                "pk", filter=Q(answered_at__gt=F("promised")) | Q(missed_due_at__isnull=False)
            )
        )
    )
    return open_late, counts["late"]


def _backup_counts(slug: str, profile, province: Province | None, now: datetime) -> tuple[int, int]:
    """(1 when no successful copy within the profile's frequency and its grace, else 0; 1 when
    the newest copy waits for its proof longer than the profile's `verify` and a day)."""
    policy = policy_for(profile)
    last = last_success_at(slug)
    since = province.created_at if province is not None else now
    backup_late = is_overdue(policy, last_success=last, since=since, now=now)
    newest = newest_success(slug)
    verify_late = False
    if newest is not None and newest.created_at < now - VERIFY_GRACE:
        passed = last_passed_verification_at(slug)
        # Due now and already due a day ago: the daily verification run has let it pass.
        verify_late = verification_due(
            policy, newest=newest, last_passed=passed, now=now
        ) and verification_due(policy, newest=newest, last_passed=passed, now=now - VERIFY_GRACE)
    return int(backup_late), int(verify_late)


def province_compliance(*, now: datetime | None = None) -> Compliance:
    """What the active province is late with at `now`: counts, articles and the pages that
    list the cases (see the module's docstring). About 15 queries whatever the rows."""
    now = now or timezone.now()
    profile = profile_at(now)
    today = now.astimezone(TZ).date()
    qa_open_late, qa_answered_late = _question_counts(now)
    updates_late = overdue_items(now=now).order_by().count()
    # Quotas are judged on the last whole month (Thái Nguyên Art. 8(3): "mỗi tháng").
    last_month_start, last_month_end = month_bounds(
        month_bounds(today)[0].date() - timedelta(days=1)
    )
    quota_rows = agency_quotas(
        scope=WHOLE_PROVINCE, profile=profile, start=last_month_start, end=last_month_end
    )
    quota_sources = sorted({row.source for row in quota_rows})
    states = section_states(profile, published_content(site=None), urlconf=settings.ROOT_URLCONF)
    schema_name: str = connection.schema_name  # type: ignore[attr-defined]
    province = Province.objects.filter(schema_name=schema_name).first()
    slug = province.slug if province is not None else slug_for_schema(schema_name)
    backup_late, verify_late = _backup_counts(slug, profile, province, now)
    drafted = Report.objects.filter(status=Report.Status.DRAFTED)
    reports_overdue = drafted.filter(due_on__lt=today).count()
    reports_drafted = drafted.count()
    listed = list(drafted.order_by("due_on", "pk").values("pk", "title", "due_on")[:REPORTS_LISTED])
    labels = line_labels()
    backups = profile.backups

    def line(code: str, count: int, source: str, url: str | None) -> ComplianceLine:
        return ComplianceLine(code=code, label=labels[code], count=count, source=source, url=url)

    lines = [
        line(
            QA_OPEN_LATE,
            qa_open_late,
            profile.qa.source,
            _province_url("frontend:staff_qa_inbox", "?qua_han=1"),
        ),
        line(
            QA_ANSWERED_LATE,
            qa_answered_late,
            profile.qa.source,
            _province_url("frontend:staff_qa_inbox"),
        ),
        line(
            UPDATES_LATE,
            updates_late,
            "",  # each item keeps the rule and article it is late against (sla_source)
            _province_url("frontend:staff_dashboard"),
        ),
        line(
            QUOTAS_UNMET,
            sum(1 for row in quota_rows if row.below),
            quota_sources[0] if len(quota_sources) == 1 else "",
            _province_url("frontend:staff_dashboard"),
        ),
        line(
            SECTIONS_MISSING,
            sum(1 for state in states if not state.has_content),
            "",
            _province_url("frontend:staff_dashboard"),
        ),
        line(
            BACKUPS_OVERDUE,
            backup_late,
            backups.source_of("frequency"),
            None,  # backups are the operators' (the platform host's console)
        ),
        line(VERIFICATIONS_OVERDUE, verify_late, backups.source_of("verify"), None),
        line(REPORTS_OVERDUE, reports_overdue, "", _province_url("frontend:staff_reports")),
    ]
    reports = [
        ReportDue(
            pk=row["pk"],
            title=row["title"],
            due_on=row["due_on"],
            overdue=row["due_on"] < today,
            url=_province_url("frontend:staff_report", pk=row["pk"]),
        )
        for row in listed
    ]
    return Compliance(
        computed_at=now,
        budget_owner=profile.budget.owner,
        budget_source=profile.budget.source,
        lines=lines,
        reports=reports,
        reports_drafted=reports_drafted,
    )


# --- the operators' board: snapshots in the public schema --------------------------------


def compliance_snapshot_refresh(
    *, province: Province, actor=None, now: datetime | None = None
) -> ComplianceSnapshot:
    """Compute `province`'s figures inside its schema and keep them in the public schema (one
    row per province, replaced). Safe to run twice. An operator's refresh (`actor`) is audited
    on the platform; the scheduled one is not (every 15 minutes, nothing decided)."""
    now = now or timezone.now()
    with schema_context(province.schema_name):
        figures = province_compliance(now=now).figures()
    with schema_context(get_public_schema_name()), transaction.atomic():
        snapshot, _created = ComplianceSnapshot.objects.update_or_create(
            province=province, defaults={"computed_at": now, "figures": figures}
        )
        if actor is not None:
            audit_record(
                actor=actor,
                action="compliance_refreshed",
                target=province.slug,
                late_total=figures["late_total"],
            )
    return snapshot


@dataclass(frozen=True)
class BoardRow:
    slug: str
    name: str
    schema_name: str
    computed_at: datetime | None  # None: no snapshot yet ("chưa có số liệu")
    counts: dict[str, int]
    late_total: int | None


def compliance_board(*, provinces) -> list[BoardRow]:
    """Each province with its last snapshot (or none), in the order given: one query for the
    snapshots whatever the number of provinces."""
    provinces = list(provinces)
    with schema_context(get_public_schema_name()):
        snapshots = {
            s.province_id: s
            for s in ComplianceSnapshot.objects.filter(province__in=[p.pk for p in provinces])
        }
    rows = []
    for province in provinces:
        snapshot = snapshots.get(province.pk)
        counts = dict((snapshot.figures or {}).get("counts", {})) if snapshot else {}
        rows.append(
            BoardRow(
                slug=province.slug,
                name=province.name,
                schema_name=province.schema_name,
                computed_at=snapshot.computed_at if snapshot else None,
                counts={code: int(counts.get(code, 0)) for code in LINE_CODES},
                late_total=int(snapshot.figures.get("late_total", 0)) if snapshot else None,
            )
        )
    return rows
