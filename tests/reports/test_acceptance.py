"""Acceptance (issue 14): "For Thái Nguyên and Huế, a test builds a month of activity and
checks the drafted report's figures against the records, the due date against the profile, and
the sign-off trail", and the command drafts a month's reports, printing files that exist.

November 2026 is built through the services (items through the province's own workflow,
questions through the Q&A intake), then moved into the month as H1's figure tests do; each
figure is compared with an ORM query of its own over the records, and with the number built."""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from accounts.models import AuditEntry
from backups.models import Backup
from core.errors import ErrorKind, ServiceError
from core.profiles import current_calendar, current_profile
from editorial.models import Correction, Item, Transition
from editorial.services import item_correct, item_withdraw
from organization.models import Agency
from provinces.calendar import TZ
from qa.models import Question
from qa.services import topic_ensure
from reports.models import PageViewDay, Report
from reports.services import draft_for_month, redraft, sign_off
from tests.factories.backups import backup_record
from tests.factories.editorial import Desk, published
from tests.factories.organization import Staff
from tests.factories.provinces import vn
from tests.factories.qa import answered, submitted
from tests.factories.reports import drafted, entry_of

START, END = date(2026, 11, 1), date(2026, 11, 30)
SINCE = datetime.combine(START, time(0), tzinfo=TZ)
UNTIL = datetime.combine(END + timedelta(days=1), time(0), tzinfo=TZ)


def dated(item: Item, *, at, due=None, met=None, **fields) -> Item:
    Item.objects.filter(pk=item.pk).update(
        first_published_at=at, published_at=at, sla_due_at=due, sla_met_at=met, **fields
    )
    Transition.objects.filter(item=item).update(created_at=at)
    item.refresh_from_db()
    return item


def moved(question: Question, **fields) -> Question:
    Question.objects.filter(pk=question.pk).update(**fields)
    question.refresh_from_db()
    return question


def a_month_of_activity(site, staff, *, complaints: bool) -> dict:
    """November 2026 on `site`'s agency, with what a wrong definition would also count: a
    publication of October, another agency's item, another agency's question."""
    desk = Desk(staff, site)
    agency = site.agency
    other = (
        Agency.objects.exclude(pk=agency.pk)
        .filter(is_active=True, site__is_active=True)
        .select_related("site")
        .first()
    )
    head = staff.holding("agency_head")
    # Items: two on time, one 30 hours late; one of October; one of another agency.
    dated(
        desk.publish(title="Đúng hạn 1"),
        at=vn(2026, 11, 3, 9),
        due=vn(2026, 11, 3, 10),
        met=vn(2026, 11, 3, 9),
    )
    dated(
        desk.publish(title="Đúng hạn 2"),
        at=vn(2026, 11, 16, 9),
        due=vn(2026, 11, 17, 8),
        met=vn(2026, 11, 16, 9),
    )
    dated(
        desk.publish(title="Trễ hạn", kind="announcement"),
        at=vn(2026, 11, 20, 14),
        due=vn(2026, 11, 19, 8),
        met=vn(2026, 11, 20, 14),
    )
    dated(desk.publish(title="Tháng trước"), at=vn(2026, 10, 31, 23, 59))
    dated(published(Staff(other), site=other.site, title="Đơn vị khác"), at=vn(2026, 11, 5, 9))
    # A correction (in November) and a withdrawal (in November) of the agency's items.
    corrected = desk.publish(title="Có đính chính")
    dated(corrected, at=vn(2026, 10, 20, 9))
    correction = item_correct(
        item=corrected, actor=desk.publisher(site), reason="Sai số liệu", text="Sửa số liệu"
    )
    Correction.objects.filter(pk=correction.pk).update(published_at=vn(2026, 11, 10, 9))
    gone = desk.publish(title="Bị thu hồi")
    dated(gone, at=vn(2026, 10, 21, 9))
    item_withdraw(item=gone, actor=desk.publisher(site), reason="Thông tin không chính xác")
    Transition.objects.filter(item=gone, action=Transition.Action.WITHDRAW).update(
        created_at=vn(2026, 11, 25, 9)
    )
    # Questions: answered on time, answered late, open and overdue, an appointment, a
    # complaint where the province takes them, another agency's question.
    topic = topic_ensure(name="Đất đai", agency=agency)
    elsewhere = topic_ensure(name="Giao thông", agency=other)
    on_time = answered(submitted(topic, received_at=vn(2026, 11, 2, 9)), by=head)
    moved(on_time, answered_at=vn(2026, 11, 4, 9))
    late = answered(submitted(topic, received_at=vn(2026, 11, 3, 9)), by=head)
    moved(late, answered_at=late.due_at + timedelta(days=2))
    assert late.answered_at < UNTIL
    open_late = submitted(topic, received_at=vn(2026, 11, 4, 9))
    assert open_late.due_at < UNTIL
    appointed = submitted(topic, received_at=vn(2026, 11, 9, 9))
    moved(appointed, appointment_at=vn(2026, 12, 20, 9))
    if complaints:
        complaint = submitted(topic, received_at=vn(2026, 11, 27, 9), intake="complaint")
        assert complaint.due_at >= UNTIL  # received late in the month: not yet overdue
    submitted(elsewhere, received_at=vn(2026, 11, 12, 9))
    # Page views: the agency's site in November, the portal, and December (outside).
    PageViewDay.objects.create(day=date(2026, 11, 1), site=site, kind="home", views=120)
    PageViewDay.objects.create(day=date(2026, 11, 30), site=site, kind="item", views=80)
    PageViewDay.objects.create(day=date(2026, 11, 15), site=None, kind="home", views=1000)
    PageViewDay.objects.create(day=date(2026, 12, 1), site=site, kind="item", views=7)
    return {"agency": agency, "other": other, "head": head}


def expected_figures(*, agency=None) -> dict:
    """The figures by ORM queries of this test's own over the records."""
    items = Item.objects.filter(translation_of__isnull=True, shared_from__isnull=True)
    questions = Question.objects.exclude(
        status__in=[Question.Status.MODERATION, Question.Status.REJECTED]
    )
    views = PageViewDay.objects.filter(day__range=(START, END))
    if agency is not None:
        items = items.filter(agency=agency)
        questions = questions.filter(agency=agency)
        views = views.filter(site__agency=agency)
    met = items.filter(sla_due_at__isnull=False, sla_met_at__gte=SINCE, sla_met_at__lt=UNTIL)
    received = questions.filter(received_at__gte=SINCE, received_at__lt=UNTIL)
    answered_in = Question.objects.filter(answered_at__gte=SINCE, answered_at__lt=UNTIL)
    if agency is not None:
        answered_in = answered_in.filter(agency=agency)
    late_ids = [q.pk for q in answered_in if q.due_at is not None and q.answered_at > q.due_at]
    open_late = [
        q.pk
        for q in questions.filter(received_at__lt=UNTIL, answered_at__isnull=True)
        if (q.appointment_at or q.progress_due_at or q.due_at) < UNTIL
    ]
    return {
        "published_total": items.filter(
            first_published_at__gte=SINCE, first_published_at__lt=UNTIL
        ).count(),
        "sla_on_time": sum(1 for i in met if i.sla_met_at <= i.sla_due_at),
        "sla_late": sum(1 for i in met if i.sla_met_at > i.sla_due_at),
        "questions_received": received.count(),
        "questions_answered": answered_in.count(),
        "questions_answered_late": len(late_ids),
        "questions_open_late": len(open_late),
        "appointments": received.filter(appointment_at__isnull=False).count(),
        "complaints_received": received.filter(intake=Question.Intake.COMPLAINT).count(),
        "corrections": Correction.objects.filter(
            item__in=items, published_at__gte=SINCE, published_at__lt=UNTIL
        ).count(),
        "withdrawals": Transition.objects.filter(
            item__in=items,
            action=Transition.Action.WITHDRAW,
            created_at__gte=SINCE,
            created_at__lt=UNTIL,
        ).count(),
        "page_views": views.aggregate(n=Sum("views"))["n"] or 0,
    }


def nth_working_day_after(day: date, n: int) -> date:
    """The calendar's own count, not reports.periods: the n-th working day after `day`."""
    return current_calendar().working_days_from(day + timedelta(days=1), n)[-1]


def check_sign_off_trail(report: Report, *, holder, outsider) -> None:
    with pytest.raises(ServiceError) as refused:
        sign_off(report=report, actor=outsider)
    assert refused.value.kind == ErrorKind.FORBIDDEN
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFTED
    assert report.signed_off_by is None

    before = timezone.now()
    signed = sign_off(report=report, actor=holder, note="Đã kiểm tra số liệu")
    report.refresh_from_db()
    assert report.status == Report.Status.SIGNED_OFF
    assert report.signed_off_by == holder
    assert before <= report.signed_off_at <= timezone.now()
    assert report.signed_off_name == holder.full_name
    assert report.signed_off_on_behalf_of is None
    assert signed.pk == report.pk
    trail = AuditEntry.objects.filter(action="report_signed_off", actor=holder)
    assert trail.count() == 1
    assert trail.get().data["report"] == report.pk

    figures_before = dict(report.figures)
    with pytest.raises(ServiceError) as refused:
        redraft(report=report, actor=holder)
    assert refused.value.kind == ErrorKind.CONFLICT
    with pytest.raises(ServiceError) as refused:
        sign_off(report=report, actor=holder)
    assert refused.value.kind == ErrorKind.CONFLICT
    report.refresh_from_db()
    assert report.figures == figures_before
    assert AuditEntry.objects.filter(action="report_signed_off").count() == 1


def test_hue_a_months_report_of_one_agency(province_schema):
    site, staff = province_schema("thuathienhue")
    built = a_month_of_activity(site, staff, complaints=True)
    agency = built["agency"]
    expected = expected_figures(agency=agency)
    # The numbers built by hand agree with the queries.
    assert expected["published_total"] == 3
    assert (expected["sla_on_time"], expected["sla_late"]) == (2, 1)
    assert expected["questions_received"] == 5
    assert expected["questions_answered"] == 2
    assert expected["questions_answered_late"] == 1
    assert expected["questions_open_late"] == 1
    assert expected["appointments"] == 1
    assert expected["complaints_received"] == 1
    assert (expected["corrections"], expected["withdrawals"]) == (1, 1)
    assert expected["page_views"] == 200

    entry = entry_of(cadence="monthly", per="agency")
    report = drafted(cadence="monthly", per="agency", start=START, end=END, agency=agency)

    for name, value in expected.items():
        assert report.figures[name] == value, name
    assert report.figures["backups"] == 0  # the province's, not an agency's
    assert report.agency == agency
    assert report.site is None
    # Due: the profile's due_working_days after Mon 30/11, by the calendar: Mon 7/12/2026.
    days = entry.reporting.due_working_days
    assert report.due_on == nth_working_day_after(END, days) == date(2026, 12, 7)
    assert report.due_rule == f"{days} ngày làm việc sau ngày cuối kỳ báo cáo"
    assert report.due_source == entry.reporting.source_of("due_working_days")
    assert report.profile_effective_from == current_profile().effective_from

    outsider = staff.holding("agency_head", agency=built["other"])
    check_sign_off_trail(report, holder=built["head"], outsider=outsider)


def test_thainguyen_a_periodic_report_drafted_for_the_month(province_schema, tenant_db):
    site, staff = province_schema("thainguyen")
    built = a_month_of_activity(site, staff, complaints=False)
    province = tenant_db["thainguyen"]
    backup_record(province, at=vn(2026, 11, 8, 1))
    backup_record(province, at=vn(2026, 11, 15, 1), status=Backup.Status.FAILED)
    backup_record(province, at=vn(2026, 12, 1, 1))  # after the month
    expected = expected_figures()
    expected_backups = Backup.objects.filter(
        province_slug="thainguyen", started_at__gte=SINCE, started_at__lt=UNTIL
    )
    assert expected_backups.count() == 2
    assert expected["published_total"] >= 4  # the agency's three and the other agency's one
    assert expected["complaints_received"] == 0  # Thái Nguyên takes questions only

    reports = draft_for_month(year=2026, month=11)
    entry = entry_of(cadence="periodic", per="province", subject="portal_activity")
    report = next(r for r in reports if r.entry_key == entry.key)

    assert (report.period_start, report.period_end) == (START, END)
    assert report.source == "QĐ 40/2012 Art. 16(2)(d)"
    for name, value in expected.items():
        assert report.figures[name] == value, name
    assert report.figures["backups"] == 2
    assert report.figures["backups_failed"] == 1
    days = entry.reporting.due_working_days
    assert report.due_on == nth_working_day_after(END, days) == date(2026, 12, 7)
    assert report.due_source == "platform default"

    editor = staff.holding("editor_in_chief")
    check_sign_off_trail(report, holder=editor, outsider=built["head"])
    # Drafting the month again changes nothing and duplicates nothing.
    again = draft_for_month(year=2026, month=11)
    assert sorted(r.pk for r in again) == sorted(r.pk for r in reports)
    assert Report.objects.count() == len(reports)


def test_the_command_drafts_a_month_and_prints_the_files(tenant_db, in_province, capsys):
    call_command("reports", "draft", "--province", "thainguyen", "--period", "2026-11")
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    with in_province("thainguyen"):
        count = Report.objects.filter(period_start=START, period_end=END).count()
    assert count > 0
    assert len(lines) == 2 * count
    docx = [line for line in lines if line.endswith(".docx")]
    xlsx = [line for line in lines if line.endswith(".xlsx")]
    assert len(docx) == len(xlsx) == count
    for path in lines:
        assert os.path.isabs(path), path
        assert os.path.isfile(path), path
        assert tenant_db["thainguyen"].schema_name in path  # the province's own area
    title = "\n".join(p.text for p in Document(docx[0]).paragraphs)
    assert "tháng 11/2026" in title
    assert load_workbook(xlsx[0]).sheetnames

    call_command("reports", "list", "--province", "thainguyen", "--status", "drafted")
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == count
