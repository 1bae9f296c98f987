"""The royalty ledger's staff pages (/staff/nhuan-but/): the approver's queue and form, the
month's ledger with its totals, sign-off and exports; nothing where the profile pays no
royalty (Huế)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from royalties.models import Assignment, LedgerLine, LedgerMonth
from royalties.selectors import current_month
from tests.factories.pages import page_text, signed_in
from tests.factories.royalties import approver_of, assigned, last_month, published_on, share, signer

HOST = "thainguyen.localhost"


def _form(category="tin", coefficient="5", rows=(("Nguyễn Văn An", "author", "100"),), reason=""):
    data = {
        "category_code": category,
        "coefficient": coefficient,
        "reason": reason,
        "shares-TOTAL_FORMS": str(len(rows)),
        "shares-INITIAL_FORMS": "0",
        "shares-MIN_NUM_FORMS": "1",
        "shares-MAX_NUM_FORMS": "20",
    }
    for index, (name, contribution, percent) in enumerate(rows):
        data[f"shares-{index}-person_name"] = name
        data[f"shares-{index}-contribution"] = contribution
        data[f"shares-{index}-percent"] = percent
    return data


@pytest.fixture
def tn(province_schema):
    site, staff = province_schema("thainguyen")
    item = published_on(staff, site=site, day=last_month(), title="Hội nghị xúc tiến đầu tư")
    return site, staff, item


def test_the_approver_sees_the_item_waiting_and_assigns_it(tn):
    # given a published item and its approver
    _site, staff, item = tn
    approver = approver_of(staff, item)
    client = signed_in(HOST, approver)

    # then the ledger page lists it as waiting, and the nav offers the ledger
    home = page_text(client.get("/staff/nhuan-but/"))
    assert "Hội nghị xúc tiến đầu tư" in home
    assert f"/staff/nhuan-but/bai/{item.pk}/" in home
    assert 'href="/staff/nhuan-but/"' in home

    # the form names the categories with their ranges in words
    form = page_text(client.get(f"/staff/nhuan-but/bai/{item.pk}/"))
    assert "Tin — hệ số từ 1 đến 10" in form
    assert "Bài phỏng vấn — hệ số từ 3 đến 12" in form
    assert "2.340.000 đ" in form  # the base in force last month (Decree 73/2024, since 2024-07)

    # when the approver assigns two shares
    response = client.post(
        f"/staff/nhuan-but/bai/{item.pk}/",
        _form(rows=(("Nguyễn Văn An", "author", "70"), ("Trần Thị Bình", "photographer", "30"))),
    )

    # then the lines are written and the month's page shows them in đồng, by person
    assert response.status_code == 302
    assignment = Assignment.objects.get(item=item)
    assert assignment.lines.count() == 2
    month = page_text(client.get(f"/staff/nhuan-but/{last_month():%Y-%m}/"))
    assert "819.000 đ" in month  # 5 × 234.000 × 70%
    assert "351.000 đ" in month  # 5 × 234.000 × 30%
    assert "1.170.000 đ" in month  # the total
    assert "Tác giả ảnh" in month
    assert "photographer" not in month
    assert "Trần Thị Bình" in month


def test_bad_input_on_the_form_is_a_400_and_nothing_is_stored(tn):
    _site, staff, item = tn
    client = signed_in(HOST, approver_of(staff, item))

    for data, message in (
        (_form(rows=(("A", "author", "60"), ("B", "editor", "30"))), "phải đúng 100%"),
        (_form(coefficient="11"), "phải từ 1 đến 10"),
        (_form(coefficient="abc"), "Hệ số"),
        (_form(category="khong_co"), "Thể loại"),
        (_form(rows=(("x" * 201, "author", "100"),)), "Họ tên"),
        ({**_form(), "shares-TOTAL_FORMS": "5000"}, ""),
    ):
        response = client.post(f"/staff/nhuan-but/bai/{item.pk}/", data)
        assert response.status_code == 400, data
        assert message in page_text(response)
    assert not Assignment.objects.exists()
    assert not LedgerLine.objects.exists()


def test_an_updater_is_refused(tn):
    _site, staff, item = tn
    client = signed_in(HOST, staff.holding("updater"))

    page = page_text(client.get(f"/staff/nhuan-but/bai/{item.pk}/"))
    response = client.post(f"/staff/nhuan-but/bai/{item.pk}/", _form())

    assert "Chỉ người duyệt đăng bài này" in page
    assert response.status_code == 403
    assert not Assignment.objects.exists()


def test_the_ledger_is_read_only_by_its_approvers_signer_and_portal_staff(tn):
    # What named people are owed is not for every member of staff: an updater is refused the
    # ledger and its exports; an approver of a component site reads it.
    _site, staff, item = tn
    assigned(item, by=approver_of(staff, item))
    month = f"{last_month():%Y-%m}"
    updater = signed_in(HOST, staff.holding("updater"))
    site_approver = signed_in(HOST, staff.holding("approver"))

    for path in ("/staff/nhuan-but/", f"/staff/nhuan-but/{month}/"):
        assert updater.get(path).status_code == 403
        assert site_approver.get(path).status_code == 200
    assert updater.get(f"/staff/nhuan-but/{month}/so-nhuan-but.xlsx").status_code == 403
    assert updater.get(f"/staff/nhuan-but/{month}/so-nhuan-but.csv").status_code == 403


def test_the_signer_signs_the_month_off_and_downloads_it(tn):
    # given last month with one item assigned
    _site, staff, item = tn
    assigned(item, by=approver_of(staff, item), shares=[share("Nguyễn Văn An", "100")])
    the_signer = signer(staff)
    client = signed_in(HOST, the_signer)
    url = f"/staff/nhuan-but/{last_month():%Y-%m}/"

    # then the month page offers the sign-off with its total
    assert "Ký duyệt và khoá sổ" in page_text(client.get(url))

    # when the signer signs it off
    response = client.post(url + "ky-duyet/")

    # then it is locked, with who signed
    assert response.status_code == 302
    ledger = LedgerMonth.objects.get(month=last_month())
    assert ledger.status == "signed_off"
    assert ledger.total == 1_170_000
    page = page_text(client.get(url))
    assert "Đã ký duyệt, khoá sổ" in page
    assert "Ký duyệt và khoá sổ" not in page
    again = client.post(url + "ky-duyet/")
    assert again.status_code == 409

    # the exports carry the same lines and total
    book = load_workbook(io.BytesIO(client.get(url + "so-nhuan-but.xlsx").getvalue()))
    rows = list(book.worksheets[0].values)
    assert rows[-1][9] == 1_170_000
    assert any(row[3] == "Nguyễn Văn An" for row in rows if row)
    text = b"".join(client.get(url + "so-nhuan-but.csv").streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][0] == "Số dòng"
    assert table[-1][9] == "1170000"
    statement = client.get(url + "bang-ke.xlsx", {"ten": "Nguyễn Văn An"})
    assert statement.status_code == 200
    sheet = load_workbook(io.BytesIO(statement.getvalue())).worksheets[0]
    assert list(sheet.values)[-1][9] == 1_170_000
    assert client.get(url + "bang-ke.xlsx", {"ten": "Không có ai"}).status_code == 404


def test_someone_else_cannot_sign_off(tn):
    _site, staff, item = tn
    approver = approver_of(staff, item)
    assigned(item, by=approver)
    client = signed_in(HOST, approver)
    url = f"/staff/nhuan-but/{last_month():%Y-%m}/"

    assert "Ký duyệt và khoá sổ" not in page_text(client.get(url))
    assert client.post(url + "ky-duyet/").status_code == 403
    assert LedgerMonth.objects.get(month=last_month()).status == "open"


def test_unknown_months_and_items_are_404(tn):
    _site, staff, item = tn
    client = signed_in(HOST, approver_of(staff, item))
    for path in (
        "/staff/nhuan-but/2024-13/",
        "/staff/nhuan-but/1999-01/",
        f"/staff/nhuan-but/{current_month():%Y-%m}/",  # no ledger yet this month
        "/staff/nhuan-but/bai/999999/",
        "/staff/nhuan-but/bai/99999999999999999999/",
    ):
        assert client.get(path).status_code == 404, path


def test_a_province_without_royalties_has_no_pages(province_schema):
    # Huế's regulation pays no royalty: no pages, no navigation entry, no link on an item
    site, staff = province_schema("thuathienhue")
    item = published_on(staff, site=site, day=last_month(), title="Tin Huế")
    client = signed_in("thuathienhue.localhost", approver_of(staff, item))

    for path in (
        "/staff/nhuan-but/",
        f"/staff/nhuan-but/bai/{item.pk}/",
        f"/staff/nhuan-but/{last_month():%Y-%m}/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/staff/nhuan-but/bai/{item.pk}/", _form()).status_code == 404
    dashboard = page_text(client.get("/staff/dashboard/"))
    assert "/staff/nhuan-but/" not in dashboard
    assert "Nhuận bút" not in dashboard
    assert "Chấm nhuận bút" not in page_text(client.get(f"/staff/items/{item.pk}/"))
    assert not Assignment.objects.exists()


def test_the_item_page_links_to_the_royalty_form(tn):
    _site, staff, item = tn
    client = signed_in(HOST, approver_of(staff, item))
    page = page_text(client.get(f"/staff/items/{item.pk}/"))
    assert "Chấm nhuận bút" in page
    assert f"/staff/nhuan-but/bai/{item.pk}/" in page


def test_the_month_page_reads_a_fixed_number_of_queries_whatever_its_lines(tn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    site, staff, item = tn
    approver = approver_of(staff, item)
    assigned(item, by=approver)
    client = signed_in(HOST, approver)
    url = f"/staff/nhuan-but/{last_month():%Y-%m}/"
    client.get(url)  # the session and the navigation's counts are read once
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(4):
        more = published_on(staff, site=site, day=last_month(), title=f"Bài thêm {n}")
        assigned(more, by=approver, shares=[share("A", "50"), share(f"B {n}", "50")])
    with CaptureQueriesContext(connection) as nine:
        page = page_text(client.get(url))
    assert "Bài thêm 3" in page
    assert len(nine) == len(one), [q["sql"][:150] for q in nine.captured_queries]
