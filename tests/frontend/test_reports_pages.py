"""The reports and the portal's costs in the back office (issue 14, Must have 2 and 3).

/staff/bao-cao/: the reports a person may see and the profile's reporting entries in words, with
the on-request form that drafts exactly one report and refuses a bad period storing nothing;
/staff/bao-cao/<pk>/: the printable report, its sign-off (a 403 with the reason for anyone else)
and its trail; its DOCX and XLSX. /staff/kinh-phi/: the budget owner with its article, the lines
naming who pays, the form to add one and the correction of one."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from accounts.models import User
from core.profiles import current_profile
from organization.models import Agency, ComponentSite
from reports.budget import record_cost
from reports.models import CostLine, Report
from reports.selectors import entries
from reports.services import draft_report
from tests.factories.pages import page_text, signed_in

REPORTS = "/staff/bao-cao/"
BUDGET = "/staff/kinh-phi/"
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
TN_HOST = "thainguyen.localhost"
HUE_HOST = "thuathienhue.localhost"


def _entry(*, cadence: str, per: str | None = None):
    return next(
        e
        for e in entries(current_profile())
        if e.reporting.cadence == cadence and (per is None or e.reporting.per == per)
    )


def _drafted(*, cadence: str, per: str | None = None, start=OCTOBER[0], end=OCTOBER[1], **scope):
    entry = _entry(cadence=cadence, per=per)
    return draft_report(entry_key=entry.key, start=start, end=end, **scope)


@pytest.fixture
def thainguyen(province_schema):
    return province_schema("thainguyen")


@pytest.fixture
def hue(province_schema):
    return province_schema("thuathienhue")


# --- the list and the entries ------------------------------------------------------------------


def test_the_list_shows_the_entries_in_words_and_the_reports(thainguyen):
    # given Thái Nguyên's editor-in-chief and one drafted report
    _site, staff = thainguyen
    editor = staff.holding("editor_in_chief")
    report = _drafted(cadence="periodic", per="province")

    # when the list is opened
    response = signed_in(TN_HOST, editor).get(REPORTS)

    # then it lists the report with its period, route, article and due day
    assert response.status_code == 200
    text = page_text(response)
    assert report.title in text
    assert "01/10/2026 – 31/10/2026" in text
    assert f"{report.who} → {report.to}" in text
    assert "Điều 16 khoản 2 điểm d Quyết định số 40/2012/QĐ-UBND" in text
    assert report.due_on.strftime("%d/%m/%Y") in text
    assert "Đã dự thảo, chờ ký duyệt" in text
    # and the profile's entries: cadence and signer in words, never codes
    assert "Định kỳ, khi được yêu cầu" in text
    assert "Tổng Biên tập" in text
    listed = text[text.index('id="entries-heading"') :]
    assert "editor_in_chief" not in listed
    assert "periodic" not in listed
    assert "platform default" not in listed
    assert "Lập báo cáo theo yêu cầu" in text
    # and the staff navigation links here and to the costs
    assert f'href="{REPORTS}" aria-current="page"' in text
    assert f'href="{BUDGET}"' in text


def test_an_unsigned_report_past_its_due_day_reads_overdue(thainguyen):
    _site, staff = thainguyen
    editor = staff.holding("editor_in_chief")
    _drafted(cadence="periodic", per="province", start=date(2025, 1, 1), end=date(2025, 1, 31))

    text = page_text(signed_in(TN_HOST, editor).get(REPORTS))

    assert "quá hạn" in text
    assert 'class="row-overdue"' in text


def test_filters_and_pages_are_bounded(thainguyen):
    _site, staff = thainguyen
    editor = staff.holding("editor_in_chief")
    _drafted(cadence="periodic", per="province")
    client = signed_in(TN_HOST, editor)

    assert client.get(REPORTS, {"trang": "abc"}).status_code == 200  # the first page
    assert client.get(REPORTS, {"trang": "9" * 40}).status_code == 200
    assert client.get(REPORTS, {"trang": "7"}).status_code == 404
    assert client.get(REPORTS, {"nam": "20x6"}).status_code == 400
    assert client.get(REPORTS, {"nam": "1900"}).status_code == 400
    assert client.get(REPORTS, {"trang_thai": "lost"}).status_code == 400
    signed = page_text(client.get(REPORTS, {"trang_thai": "signed_off"}))
    assert "Chưa có báo cáo nào." in signed
    assert "Chưa có báo cáo nào." in page_text(client.get(REPORTS, {"nam": "2024"}))
    assert "Chưa có báo cáo nào." not in page_text(client.get(REPORTS, {"nam": "2026"}))


def test_the_pages_need_a_signed_in_staff_member(thainguyen):
    from tests.conftest import host_client

    response = host_client(TN_HOST).get(REPORTS)
    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]
    nobody = User.objects.create(username="khach", full_name="Khách")
    assert signed_in(TN_HOST, nobody).get(REPORTS).status_code == 403
    assert signed_in(TN_HOST, nobody).get(BUDGET).status_code == 403


# --- drafting on request -----------------------------------------------------------------------


def _request_form(entry, **values) -> dict:
    data = {"entry": entry.key}
    data.update({f"entry{entry.index}-{name}": value for name, value in values.items()})
    return data


def test_the_on_request_form_drafts_exactly_one_report(thainguyen):
    # given the editor-in-chief and the province's periodic entry
    _site, staff = thainguyen
    editor = staff.holding("editor_in_chief")
    entry = _entry(cadence="periodic", per="province")
    client = signed_in(TN_HOST, editor)

    # when a period is asked for
    response = client.post(REPORTS, _request_form(entry, start="2026-09-01", end="2026-09-30"))

    # then one report of that period is drafted, and the page shows it
    report = Report.objects.get()
    assert (report.period_start, report.period_end) == (date(2026, 9, 1), date(2026, 9, 30))
    assert report.entry_key == entry.key
    assert report.drafted_by == editor
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:staff_report", args=[report.pk])
    # and asking again for the same period keeps that one report
    client.post(REPORTS, _request_form(entry, start="01/09/2026", end="30/09/2026"))
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-09-30", "2026-09-01", "Kỳ báo cáo kết thúc trước khi bắt đầu."),
        ("2024-01-01", "2025-06-30", "Kỳ báo cáo dài quá 366 ngày."),
        ("2098-12-01", "2099-01-01", "Kỳ báo cáo chưa kết thúc."),
        ("2026-02-30", "2026-03-31", "Ngày không hợp lệ (dd/mm/yyyy)."),
        ("", "2026-03-31", "Hãy nhập ngày đầu kỳ báo cáo."),
        ("1500-01-01", "1500-01-31", "Ngày phải trong các năm 2000–2100."),
    ],
)
def test_a_bad_period_is_refused_on_the_form_and_nothing_stored(thainguyen, start, end, message):
    _site, staff = thainguyen
    editor = staff.holding("editor_in_chief")
    entry = _entry(cadence="periodic", per="province")

    response = signed_in(TN_HOST, editor).post(REPORTS, _request_form(entry, start=start, end=end))

    assert response.status_code == 400
    assert message in page_text(response)
    assert not Report.objects.exists()


def test_an_entry_made_per_component_site_needs_the_site(thainguyen):
    # given the component sites' periodic report (Thái Nguyên Art. 19)
    site, staff = thainguyen
    editor = staff.holding("editor_in_chief")
    entry = _entry(cadence="periodic", per="component_site")
    client = signed_in(TN_HOST, editor)

    # when no site is chosen, then nothing is drafted
    response = client.post(REPORTS, _request_form(entry, start="2026-09-01", end="2026-09-30"))
    assert response.status_code == 400
    assert "Hãy chọn cổng thông tin thành phần." in page_text(response)
    assert not Report.objects.exists()

    # when one is, then its report is drafted
    client.post(
        REPORTS, _request_form(entry, start="2026-09-01", end="2026-09-30", site=str(site.pk))
    )
    assert Report.objects.get().site == site


def test_a_fixed_cadence_entry_offers_no_form_and_refuses_a_post(hue):
    # given Huế, whose entries are weekly, monthly, quarterly, yearly
    site, staff = hue
    head = staff.holding("agency_head")
    client = signed_in(HUE_HOST, head)

    assert "Lập báo cáo theo yêu cầu" not in page_text(client.get(REPORTS))
    entry = _entry(cadence="monthly")
    response = client.post(
        REPORTS,
        _request_form(entry, start="2026-09-01", end="2026-09-30", agency=str(site.agency.pk)),
    )
    assert response.status_code == 400
    assert not Report.objects.exists()


# --- one report ---------------------------------------------------------------------------------


def test_the_printable_report_page(thainguyen):
    _site, staff = thainguyen
    editor = staff.holding("editor_in_chief")
    report = _drafted(cadence="periodic", per="province")

    response = signed_in(TN_HOST, editor).get(reverse("frontend:staff_report", args=[report.pk]))

    assert response.status_code == 200
    text = page_text(response)
    assert "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập – Tự do – Hạnh phúc" in text
    assert f'<h1 id="report-title" class="document-title">{report.title}</h1>' in text
    assert f"{report.who} → {report.to}" in text
    assert "Kỳ báo cáo: từ ngày 01/10/2026 đến ngày 31/10/2026" in text
    assert "<caption>" in text
    assert 'scope="col"' in text
    assert "frontend/reports" in text  # the print stylesheet
    assert "Tải bản Word (DOCX)" in text
    assert "Cập nhật số liệu" in text
    assert "Ký duyệt báo cáo" in text  # the editor-in-chief signs it


def test_a_report_of_another_agency_is_a_404(hue):
    # given Huế's monthly report of another agency
    site, staff = hue
    other = Agency.objects.exclude(pk=site.agency.pk).order_by("pk").first()
    report = _drafted(cadence="monthly", agency=other)
    head = staff.holding("agency_head")
    client = signed_in(HUE_HOST, head)

    # then the head of the first agency does not learn it exists
    assert client.get(reverse("frontend:staff_report", args=[report.pk])).status_code == 404
    download = reverse("frontend:staff_report_download", args=[report.pk, "docx"])
    assert client.get(download).status_code == 404
    assert (
        client.get(reverse("frontend:staff_report", args=[report.pk + 10_000])).status_code == 404
    )
    assert report.title not in page_text(client.get(REPORTS))


def test_sign_off_from_the_page_records_the_trail(hue):
    # given Huế's monthly report of the first agency, and its head
    site, staff = hue
    report = _drafted(cadence="monthly", agency=site.agency)
    head = staff.holding("agency_head")
    head.full_name = "Trần Thị Lan"
    head.save(update_fields=["full_name"])
    page = reverse("frontend:staff_report", args=[report.pk])
    client = signed_in(HUE_HOST, head)

    # when the head signs it off with a note
    response = client.post(page, {"action": "ky_duyet", "note": "Đã rà soát số liệu."})

    # then who, when and the note are recorded and shown
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SIGNED_OFF
    assert report.signed_off_by == head
    assert report.sign_off_note == "Đã rà soát số liệu."
    text = page_text(client.get(page))
    assert "Trần Thị Lan" in text
    assert report.signed_off_at.astimezone().strftime("%Y") in text
    assert "Đã ký duyệt, lưu trữ" in text
    assert "Ký duyệt báo cáo</button>" not in text
    assert "Cập nhật số liệu</button>" not in text


def test_someone_who_may_not_sign_gets_a_403_with_the_reason(hue):
    # given the report of the first agency and its IT officer, who sees it but does not sign
    site, staff = hue
    report = _drafted(cadence="monthly", agency=site.agency)
    officer = staff.holding("it_officer")
    page = reverse("frontend:staff_report", args=[report.pk])
    client = signed_in(HUE_HOST, officer)
    assert "Ký duyệt báo cáo</button>" not in page_text(client.get(page))

    # when the officer posts a sign-off all the same
    response = client.post(page, {"action": "ky_duyet"})

    # then it is refused with the role that signs, and nothing changes
    assert response.status_code == 403
    assert "ký duyệt báo cáo này" in page_text(response)
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFTED


def test_a_bounded_note_and_csrf(hue):
    site, staff = hue
    report = _drafted(cadence="monthly", agency=site.agency)
    head = staff.holding("agency_head")
    page = reverse("frontend:staff_report", args=[report.pk])

    too_long = signed_in(HUE_HOST, head).post(page, {"action": "ky_duyet", "note": "x" * 2001})
    assert too_long.status_code == 400
    no_token = signed_in(HUE_HOST, head, enforce_csrf_checks=True).post(
        page, {"action": "ky_duyet"}
    )
    assert no_token.status_code == 403
    assert signed_in(HUE_HOST, head).post(page, {"action": "burn"}).status_code == 400
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFTED


def test_redraft_from_the_page(thainguyen):
    _site, staff = thainguyen
    editor = staff.holding("editor_in_chief")
    report = _drafted(cadence="periodic", per="province")
    page = reverse("frontend:staff_report", args=[report.pk])

    response = signed_in(TN_HOST, editor).post(page, {"action": "cap_nhat"})

    assert response.status_code == 302
    from accounts.models import AuditEntry

    assert AuditEntry.objects.filter(action="report_redrafted", actor=editor).count() == 1


def test_downloads_return_the_files(thainguyen):
    _site, staff = thainguyen
    editor = staff.holding("editor_in_chief")
    report = _drafted(cadence="periodic", per="province")
    client = signed_in(TN_HOST, editor)

    docx = client.get(reverse("frontend:staff_report_download", args=[report.pk, "docx"]))
    assert docx.status_code == 200
    assert docx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    disposition = docx["Content-Disposition"]
    assert disposition.isascii()
    assert re.fullmatch(r'attachment; filename="bao-cao-[a-z0-9-]+\.docx"', disposition)
    paragraphs = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert report.title in paragraphs

    xlsx = client.get(reverse("frontend:staff_report_download", args=[report.pk, "xlsx"]))
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert xlsx["Content-Disposition"].endswith('.xlsx"')
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames

    other = client.get(reverse("frontend:staff_report_download", args=[report.pk, "pdf"]))
    assert other.status_code == 404


# --- the costs ---------------------------------------------------------------------------------


def _cost_form(**overrides) -> dict:
    data = {
        "month": "2026-03",
        "category": "operation",
        "description": "Thuê máy chủ tháng 3",
        "amount": "12.000.000",
        "reference": "HĐ 12/2026",
    }
    data.update(overrides)
    return data


def test_the_costs_page_names_the_owner_with_its_article(thainguyen):
    # given a line of March 2026 in Thái Nguyên
    _site, staff = thainguyen
    editor = staff.holding("editor_in_chief")
    record_cost(
        month=date(2026, 3, 1), category="operation", description="Tên miền", amount=450_000
    )

    # when the costs of 2026 are opened
    response = signed_in(TN_HOST, editor).get(BUDGET, {"tu": "2026-01", "den": "2026-12"})

    # then the owner is named with the article, on top and on the line
    assert response.status_code == 200
    text = page_text(response)
    owner = "Trung tâm Thông tin tỉnh (Văn phòng Ủy ban nhân dân tỉnh)"
    assert text.count(owner) >= 2
    assert "Điều 16 khoản 2 điểm g, Điều 23 Quyết định số 40/2012/QĐ-UBND" in text
    assert "Tên miền" in text
    assert "450.000" in text
    assert "Quản lý, duy trì, vận hành" in text
    assert "Tổng kinh phí theo cơ quan chịu chi" not in text  # not split in Thái Nguyên
    assert "Ghi khoản chi mới" in text


def test_portal_staff_add_a_line_from_the_page(thainguyen):
    _site, staff = thainguyen
    updater = staff.holding("portal_updater")
    client = signed_in(TN_HOST, updater)

    response = client.post(BUDGET, _cost_form())

    assert response.status_code == 302
    line = CostLine.objects.get()
    assert line.amount == 12_000_000
    assert line.month == date(2026, 3, 1)
    assert line.created_by == updater
    assert line.budget_owner.startswith("Trung tâm Thông tin tỉnh")
    assert "Thuê máy chủ tháng 3" in page_text(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount": "12,5"}, "Số tiền là số nguyên dương"),
        ({"amount": "0"}, "Số tiền phải lớn hơn 0"),
        ({"amount": "9" * 20}, "Số tiền phải lớn hơn 0"),
        ({"month": "2026-13"}, "Tháng không hợp lệ"),
        ({"month": "1990-01"}, "Tháng không hợp lệ"),
        ({"description": ""}, "Hãy nhập nội dung chi."),
        ({"description": "x" * 301}, "301"),
        ({"category": "party"}, "Hãy chọn một khoản mục trong danh sách."),
    ],
)
def test_bad_input_on_the_cost_form_is_refused(thainguyen, overrides, message):
    _site, staff = thainguyen
    updater = staff.holding("portal_updater")

    response = signed_in(TN_HOST, updater).post(BUDGET, _cost_form(**overrides))

    assert response.status_code == 400
    assert message in page_text(response)
    assert not CostLine.objects.exists()


def test_agency_staff_of_thai_nguyen_see_the_costs_but_add_none(thainguyen):
    _site, staff = thainguyen
    updater = staff.holding("updater")
    client = signed_in(TN_HOST, updater)

    assert "Ghi khoản chi mới" not in page_text(client.get(BUDGET))
    assert client.post(BUDGET, _cost_form()).status_code == 403
    assert not CostLine.objects.exists()


def test_hue_staff_charge_their_own_agency_and_read_totals_per_agency(hue):
    # given Huế's IT officer of the first agency, and a line of another agency
    site, staff = hue
    other = Agency.objects.exclude(pk=site.agency.pk).order_by("pk").first()
    officer = staff.holding("it_officer")
    record_cost(
        month=date(2026, 3, 1),
        category="security",
        description="Kiểm tra an toàn",
        amount=3_000_000,
        agency=other,
    )
    client = signed_in(HUE_HOST, officer)

    # then the form offers the officer's agency only, and refuses the other
    page = page_text(client.get(BUDGET, {"tu": "2026-03", "den": "2026-03"}))
    assert f'<option value="{site.agency.pk}"' in page
    assert f'<option value="{other.pk}"' not in page
    refused = client.post(BUDGET, _cost_form(agency=str(other.pk)))
    assert refused.status_code == 400
    assert CostLine.objects.count() == 1
    missing = client.post(BUDGET, _cost_form())
    assert missing.status_code == 400
    assert CostLine.objects.count() == 1

    # when the officer charges the own agency
    client.post(BUDGET, _cost_form(agency=str(site.agency.pk)))

    # then the line names "<owner>: <agency>", and totals are per agency
    text = page_text(client.get(BUDGET, {"tu": "2026-03", "den": "2026-03"}))
    assert f"Từng Sở, Ban ngành (dự toán kinh phí sự nghiệp CNTT hằng năm): {site.agency.name}" in (
        text
    )
    assert "Tổng kinh phí theo cơ quan chịu chi" in text
    assert "12.000.000" in text
    assert "3.000.000" in text
    assert "15.000.000" in text
    assert "Điều 6 khoản 1 Quyết định số 2567/2007/QĐ-UBND" in text


def test_a_correction_from_the_page_is_a_new_line(thainguyen):
    _site, staff = thainguyen
    updater = staff.holding("portal_updater")
    line = record_cost(
        month=date(2026, 3, 1), category="operation", description="Tên miền", amount=450_000
    )
    client = signed_in(TN_HOST, updater)
    correct = reverse("frontend:staff_budget_correct", args=[line.pk])

    assert client.post(correct, {"reason": ""}).status_code == 400
    assert CostLine.objects.count() == 1
    response = client.post(correct, {"reason": "Nhập trùng"})

    assert response.status_code == 302
    correction = CostLine.objects.exclude(pk=line.pk).get()
    assert correction.amount == -450_000
    assert correction.corrects == line
    text = page_text(client.get(response["Location"]))
    assert "−450.000" in text
    assert f"Điều chỉnh khoản #{line.pk}" in text
    assert client.post(correct, {"reason": "Lần nữa"}).status_code == 409
    assert CostLine.objects.count() == 2
    assert client.post(reverse("frontend:staff_budget_correct", args=[99_999])).status_code == 404


def test_a_bad_range_of_months_is_a_400(thainguyen):
    _site, staff = thainguyen
    client = signed_in(TN_HOST, staff.holding("portal_updater"))

    assert client.get(BUDGET, {"tu": "2026-99"}).status_code == 400
    assert client.get(BUDGET, {"tu": "2026-05", "den": "2026-01"}).status_code == 400
    assert client.get(BUDGET, {"tu": "2000-01", "den": "2026-01"}).status_code == 400
    assert client.get(BUDGET, {"trang": "x"}).status_code == 400
    assert client.get(BUDGET, {"tu": "2026-01", "den": "2026-02"}).status_code == 200


def test_component_sites_have_their_reports(thainguyen):
    # the per-site entry drafts one report per site, which its approver signs
    site, staff = thainguyen
    approver = staff.holding("approver")
    report = _drafted(cadence="periodic", per="component_site", site=site)
    other_site = ComponentSite.objects.exclude(pk=site.pk).order_by("pk").first()
    hidden = _drafted(cadence="periodic", per="component_site", site=other_site)
    client = signed_in(TN_HOST, approver)

    assert client.get(reverse("frontend:staff_report", args=[report.pk])).status_code == 200
    assert client.get(reverse("frontend:staff_report", args=[hidden.pk])).status_code == 404


# --- bounded queries --------------------------------------------------------------------------


def _queries(client, path, params=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params or {}).status_code == 200
    return len(captured)


def test_the_list_pages_cost_the_same_queries_for_one_row_or_many(thainguyen):
    # given one report and one cost line, then many more of each
    site, staff = thainguyen
    editor = staff.holding("editor_in_chief")
    client = signed_in(TN_HOST, editor)
    months = {"tu": "2026-01", "den": "2026-12"}
    _drafted(cadence="periodic", per="province", start=date(2026, 1, 1), end=date(2026, 1, 31))
    record_cost(month=date(2026, 1, 1), category="operation", description="1", amount=1)
    _queries(client, REPORTS)  # the first request warms the session and the caches
    one_report, one_line = _queries(client, REPORTS), _queries(client, BUDGET, months)

    for month in range(2, 10):
        _drafted(
            cadence="periodic",
            per="component_site",
            site=site,
            start=date(2026, month, 1),
            end=date(2026, month, 28),
        )
        line = record_cost(
            month=date(2026, month, 1), category="content", description=str(month), amount=month
        )
        record_cost(month=date(2026, month, 1), category="royalties", description="x", amount=2)
    from reports.budget import correct_cost

    correct_cost(line=line, reason="Sai", actor=User.objects.get(is_superuser=True))

    # then the pages cost the same number of queries
    assert _queries(client, REPORTS) == one_report
    assert _queries(client, BUDGET, months) == one_line


def test_a_delegate_signs_on_behalf_of_the_head_and_the_trail_says_so(hue):
    # given the head of the first agency of Huế, who delegates the role to a colleague
    from tests.factories.organization import delegated

    site, staff = hue
    report = _drafted(cadence="monthly", agency=site.agency)
    head = staff.holding("agency_head")
    head.full_name = "Lê Văn Thủ"
    head.save(update_fields=["full_name"])
    deputy = staff.holding("deputy_head")
    deputy.full_name = "Phạm Thị Phó"
    deputy.save(update_fields=["full_name"])
    delegated(delegator=head, delegate=deputy, role_code="agency_head", agency=site.agency)
    page = reverse("frontend:staff_report", args=[report.pk])
    client = signed_in(HUE_HOST, deputy)

    # when the delegate signs it off
    assert client.post(page, {"action": "ky_duyet"}).status_code == 302

    # then the trail names the delegate and on whose behalf
    report.refresh_from_db()
    assert report.signed_off_by == deputy
    assert report.signed_off_on_behalf_of == head
    text = page_text(client.get(page))
    assert "<dd>Phạm Thị Phó</dd>" in text
    assert "Ký thay (được uỷ quyền) cho</dt><dd>Lê Văn Thủ</dd>" in text
