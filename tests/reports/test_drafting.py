"""Reports drafted from the profile's `reporting` entries (issue 14, Must have 2): the title,
due day and files of a report, one report per entry, period and agency however often it is
drafted, who sees and who signs a report, redrafting, the reminders and the beat tasks."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from accounts.models import AuditEntry, User
from core.errors import ErrorKind, ServiceError
from core.profiles import current_profile
from organization.models import Agency, ComponentSite
from reports import tasks
from reports.models import PageViewDay, Report
from reports.selectors import (
    can_sign_off,
    entries,
    report_for,
    reports_visible_to,
)
from reports.services import (
    ReportError,
    draft_due,
    draft_for_month,
    draft_on_request,
    draft_report,
    redraft,
    remind_due,
    sign_off,
)
from tests.factories.organization import delegated
from tests.factories.provinces import vn
from tests.factories.reports import drafted, entry_of

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def hue(province_schema):
    site, staff = province_schema("thuathienhue")
    return site, staff


@pytest.fixture
def thainguyen(province_schema):
    site, staff = province_schema("thainguyen")
    return site, staff


def test_entries_read_as_people_read_them(hue):
    found = entries(current_profile())
    monthly = next(e for e in found if e.reporting.cadence == "monthly")
    assert monthly.cadence_label == "Hằng tháng"
    assert monthly.per_label == "Từng cơ quan, đơn vị"
    assert monthly.subject_label == "Báo cáo tình hình sử dụng dịch vụ công trực tuyến"
    assert monthly.role_name.startswith("Thủ trưởng cơ quan")
    assert len(monthly.key) == 64
    assert len({e.key for e in found}) == len(found)


def test_a_monthly_report_of_an_agency_is_drafted_with_its_title_due_day_and_files(hue):
    site, _staff = hue
    report = drafted(cadence="monthly", start=NOVEMBER[0], end=NOVEMBER[1], agency=site.agency)

    assert report.title == (
        "Báo cáo tình hình sử dụng dịch vụ công trực tuyến tháng 11/2026 — " + site.agency.name
    )
    assert report.who == "Thủ trưởng cơ quan, đơn vị"
    assert report.to == "Ủy ban nhân dân tỉnh"
    assert report.source == "QĐ 2567/2007 Art. 16(2)"
    assert report.role_code == "agency_head"
    # Mon 30/11 + 5 working days: Tue 1 … Fri 4, Mon 7 December
    assert report.due_on == date(2026, 12, 7)
    assert report.due_rule == "5 ngày làm việc sau ngày cuối kỳ báo cáo"
    assert report.due_source == "platform default"
    assert report.profile_effective_from == date(2007, 11, 26)
    assert report.figures["start"] == "2026-11-01"
    assert report.figures["scope_label"] == site.agency.name
    assert report.status == Report.Status.DRAFTED
    assert report.drafted_by is None

    with default_storage.open(report.document.name, "rb") as handle:
        text = "\n".join(p.text for p in Document(io.BytesIO(handle.read())).paragraphs)
    assert report.title in text
    assert "Kỳ báo cáo: 01/11/2026 – 30/11/2026" in text
    assert "Chưa ký duyệt." in text
    with default_storage.open(report.tables.name, "rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert workbook.sheetnames  # one sheet per table of the figures
    first = workbook.worksheets[0]
    assert first.cell(row=2, column=1).font.bold
    numbers = [
        cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(min_row=3)
        for cell in row
        if isinstance(cell.value, int)
    ]
    assert numbers, "figures are stored as numbers, not text"


def test_drafting_twice_gives_the_same_report(hue):
    site, _staff = hue
    first = drafted(cadence="monthly", start=NOVEMBER[0], end=NOVEMBER[1], agency=site.agency)
    again = drafted(cadence="monthly", start=NOVEMBER[0], end=NOVEMBER[1], agency=site.agency)
    assert again.pk == first.pk
    assert Report.objects.count() == 1
    assert AuditEntry.objects.filter(action="report_drafted").count() == 1


def test_an_entry_made_per_agency_needs_its_agency(hue):
    site, _staff = hue
    entry = entry_of(cadence="monthly")
    with pytest.raises(ReportError) as refused:
        draft_report(entry_key=entry.key, start=NOVEMBER[0], end=NOVEMBER[1])
    assert refused.value.code == "agency_required"
    with pytest.raises(ReportError) as refused:
        draft_report(entry_key="0" * 64, start=NOVEMBER[0], end=NOVEMBER[1], agency=site.agency)
    assert refused.value.kind == ErrorKind.NOT_FOUND
    assert not Report.objects.exists()


def test_draft_due_drafts_each_ended_period_once_per_agency(hue):
    _site, staff = hue
    # Agencies drafted for: the active ones with a site or a holder of the entry's role.
    staff.holding("it_officer")
    without = Agency.objects.filter(site__isnull=True, is_active=True).first()
    expected_agencies = set(
        Agency.objects.filter(is_active=True, site__is_active=True).values_list("pk", flat=True)
    )

    reports = draft_due(today=date(2026, 12, 3))

    periods = {(r.cadence, r.period_start, r.period_end) for r in reports}
    assert periods == {
        ("weekly", date(2026, 11, 23), date(2026, 11, 29)),
        ("monthly", date(2026, 11, 1), date(2026, 11, 30)),
        ("quarterly", date(2026, 7, 1), date(2026, 9, 30)),
        ("yearly", date(2025, 1, 1), date(2025, 12, 31)),
    }
    for cadence in ("weekly", "monthly", "quarterly", "yearly"):
        agencies = {r.agency_id for r in reports if r.cadence == cadence}
        assert agencies == expected_agencies
    assert all(r.site_id is None for r in reports)
    if without is not None:
        assert without.pk not in {r.agency_id for r in reports}
    assert draft_due(today=date(2026, 12, 4)) == []  # nothing new: no duplicate
    audit = AuditEntry.objects.filter(action="report_drafted")
    assert audit.count() == len(reports)
    assert set(audit.values_list("actor_name", flat=True)) == {
        "Nền tảng (dự thảo tự động khi hết kỳ)"
    }
    assert Report.objects.count() == len(reports)


def test_draft_for_month_drafts_the_months_periods_and_the_periodic_entries(thainguyen):
    reports = draft_for_month(year=2026, month=11, today=date(2026, 12, 3))
    # Thái Nguyên's entries are periodic (twice: province and per component site) and
    # semiannual (none ends in November).
    assert {(r.period_start, r.period_end) for r in reports} == {NOVEMBER}
    sites = ComponentSite.objects.filter(is_active=True, agency__is_active=True).count()
    per_site = [r for r in reports if r.site_id is not None]
    assert len(per_site) == sites
    assert {r.cadence for r in reports} == {"periodic"}
    assert len(reports) == 2 + sites  # Art. 16(2)(d), Art. 10(5) and one per site
    assert all(r.document and r.tables for r in reports)
    with pytest.raises(ReportError) as refused:
        draft_for_month(year=2026, month=12, today=date(2026, 12, 3))
    assert refused.value.code == "period_not_ended"


def test_on_request_reports_are_bounded(thainguyen):
    _site, staff = thainguyen
    entry = entry_of(cadence="periodic", per="province", subject="portal_activity")
    editor = staff.holding("editor_in_chief")
    today = timezone.localdate()
    bad = [
        (date(2026, 11, 30), date(2026, 11, 1), "period_order"),
        (date(2025, 1, 1), date(2026, 1, 2), "period_long"),
        (today, today + timedelta(days=1), "period_future"),
    ]
    for start, end, code in bad:
        with pytest.raises(ReportError) as refused:
            draft_on_request(entry_key=entry.key, start=start, end=end, actor=editor)
        assert refused.value.code == code
    semiannual = entry_of(cadence="semiannual")
    with pytest.raises(ReportError) as refused:
        draft_on_request(entry_key=semiannual.key, start=NOVEMBER[0], end=NOVEMBER[1], actor=editor)
    assert refused.value.code == "not_on_demand"
    assert not Report.objects.exists()

    report = draft_on_request(
        entry_key=entry.key, start=date(2026, 11, 3), end=date(2026, 11, 17), actor=editor
    )
    assert report.drafted_by == editor
    assert report.title.endswith("từ ngày 03/11/2026 đến ngày 17/11/2026")


def test_only_those_it_concerns_ask_for_a_report(thainguyen):
    # The service decides, not the page: a person without the entry's role, or an agency's
    # staff asking for another agency's site, is refused and nothing is stored.
    site, staff = thainguyen
    province_entry = entry_of(cadence="periodic", per="province", subject="portal_activity")
    site_entry = entry_of(cadence="periodic", per="component_site")
    other_site = ComponentSite.objects.exclude(pk=site.pk).first()
    outsider = User.objects.create(username="khach")
    site_board = staff.holding("approver")
    refused_cases = [
        {"entry_key": province_entry.key, "actor": outsider},
        {"entry_key": province_entry.key, "actor": site_board},
        {"entry_key": site_entry.key, "site": other_site, "actor": site_board},
    ]
    for case in refused_cases:
        with pytest.raises(ReportError) as refused:
            draft_on_request(start=NOVEMBER[0], end=NOVEMBER[1], **case)
        assert refused.value.code == "not_allowed"
        assert refused.value.kind == ErrorKind.FORBIDDEN
    assert not Report.objects.exists()

    own = draft_on_request(
        entry_key=site_entry.key, site=site, start=NOVEMBER[0], end=NOVEMBER[1], actor=site_board
    )
    assert own.site == site


def test_who_sees_a_report(hue):
    site, staff = hue
    other = Agency.objects.exclude(pk=site.agency_id).filter(site__isnull=False).first()
    mine = drafted(cadence="monthly", start=NOVEMBER[0], end=NOVEMBER[1], agency=site.agency)
    theirs = drafted(cadence="monthly", start=NOVEMBER[0], end=NOVEMBER[1], agency=other)
    head = staff.holding("agency_head")
    nobody = User.objects.create(username="khach")
    boss = User.objects.create(username="root", is_superuser=True)

    assert set(reports_visible_to(head)) == {mine}
    assert set(reports_visible_to(boss)) == {mine, theirs}
    assert not reports_visible_to(nobody).exists()
    assert report_for(head, mine.pk) == mine
    with pytest.raises(ServiceError) as refused:
        report_for(head, theirs.pk)
    assert refused.value.kind == ErrorKind.NOT_FOUND
    with pytest.raises(Report.DoesNotExist):
        report_for(head, theirs.pk + 1000)


def test_the_holder_or_a_delegate_signs_never_a_superuser_as_such(hue):
    site, staff = hue
    report = drafted(cadence="monthly", start=NOVEMBER[0], end=NOVEMBER[1], agency=site.agency)
    head = staff.holding("agency_head")
    other_agency = Agency.objects.exclude(pk=site.agency_id).first()
    head_elsewhere = staff.holding("agency_head", agency=other_agency)
    officer = staff.holding("it_officer")
    boss = User.objects.create(username="root", is_superuser=True)

    assert can_sign_off(head, report)
    assert not can_sign_off(head_elsewhere, report)
    assert not can_sign_off(officer, report)
    assert not can_sign_off(boss, report)
    with pytest.raises(ReportError) as refused:
        sign_off(report=report, actor=boss)
    assert refused.value.kind == ErrorKind.FORBIDDEN

    delegated(delegator=head, delegate=officer, role_code="agency_head", agency=site.agency)
    assert can_sign_off(officer, report)
    signed = sign_off(report=report, actor=officer, note="Ký thay Thủ trưởng")
    assert signed.signed_off_by == officer
    assert signed.signed_off_on_behalf_of == head
    assert signed.sign_off_note == "Ký thay Thủ trưởng"
    entry = AuditEntry.objects.get(action="report_signed_off")
    assert entry.data["on_behalf_of"] == head.username


def test_a_long_note_is_refused_and_nothing_is_signed(hue):
    site, staff = hue
    report = drafted(cadence="monthly", start=NOVEMBER[0], end=NOVEMBER[1], agency=site.agency)
    head = staff.holding("agency_head")
    with pytest.raises(ReportError) as refused:
        sign_off(report=report, actor=head, note="x" * 2001)
    assert refused.value.field == "note"
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFTED


def test_redraft_refreshes_a_drafted_report_only(hue):
    site, staff = hue
    report = drafted(cadence="monthly", start=NOVEMBER[0], end=NOVEMBER[1], agency=site.agency)
    head = staff.holding("agency_head")
    old_document = report.document.name
    assert report.figures["page_views"] == 0
    PageViewDay.objects.create(day=date(2026, 11, 10), site=site, kind="home", views=42)

    report = redraft(report=report, actor=head)

    assert report.figures["page_views"] == 42
    assert default_storage.exists(report.document.name)
    assert not default_storage.exists(old_document) or old_document == report.document.name
    sign_off(report=report, actor=head)
    with pytest.raises(ReportError) as refused:
        redraft(report=report, actor=head)
    assert refused.value.kind == ErrorKind.CONFLICT


def test_signers_are_reminded_once_a_day_from_the_reminder_day(hue, settings):
    site, staff = hue
    report = drafted(cadence="monthly", start=NOVEMBER[0], end=NOVEMBER[1], agency=site.agency)
    head = staff.holding("agency_head")
    User.objects.filter(pk=head.pk).update(email="thutruong@hue.gov.vn")
    staff.holding("agency_head", agency=Agency.objects.exclude(pk=site.agency_id).first())
    # Due Mon 7/12; reminded from 2 working days before: Thu 3/12.
    assert remind_due(today=date(2026, 12, 2), now=vn(2026, 12, 2, 9)) == 0
    assert remind_due(today=date(2026, 12, 3), now=vn(2026, 12, 3, 9)) == 1
    assert remind_due(today=date(2026, 12, 3), now=vn(2026, 12, 3, 10)) == 0  # once a day
    assert remind_due(today=date(2026, 12, 5), now=vn(2026, 12, 5, 9)) == 0  # a Saturday
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["thutruong@hue.gov.vn"]
    assert f"/staff/bao-cao/{report.pk}/" in message.body
    assert "07/12/2026" in message.subject
    report.refresh_from_db()
    assert report.reminded_at is not None
    sign_off(report=report, actor=head)
    assert remind_due(today=date(2026, 12, 4), now=vn(2026, 12, 4, 9)) == 0  # signed: no more


def test_the_beat_tasks_run_inside_a_province(hue):
    assert tasks.remind_in_province() == 0
    assert tasks.draft_due_in_province() == Report.objects.count() > 0
