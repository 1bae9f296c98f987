"""The province's compliance page (/staff/tuan-thu/: the budget owner with its article, each
late line with its count, article and page, the reports waiting for sign-off) for the whole
province's overseers, 403 for agency staff; the operators' board on the platform host (every
province, numbers only, linked to its own host, "chưa có số liệu" before the first count,
"Cập nhật ngay" audited)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import AuditEntry, User
from organization.models import Agency
from qa.services import topic_ensure
from reports.tasks import compliance_snapshot
from tenants.models import ComplianceSnapshot
from tests.conftest import host_client
from tests.factories.accounts import administrator as provinces_administrator
from tests.factories.accounts import verified_login
from tests.factories.pages import page_text, signed_in
from tests.factories.qa import submitted

HOST = "thainguyen.localhost"
PLATFORM = "platform.localhost"
PAGE = "/staff/tuan-thu/"


@pytest.fixture
def thainguyen(province_schema):
    _site, staff = province_schema("thainguyen")
    return staff


@pytest.fixture
def console(tenant_db):
    with schema_context("public"):
        user = User.objects.create_user(
            username="compliance_console", password="Vận-hành-tuân-thủ-2026!", is_staff=True
        )
    client = host_client(PLATFORM)
    verified_login(client, user)
    return client


def test_the_editor_in_chief_reads_the_budget_owner_and_each_late_line(
    thainguyen, django_assert_max_num_queries
):
    # given
    editor = thainguyen.holding("editor_in_chief")
    client = signed_in(HOST, editor)
    # when
    with django_assert_max_num_queries(45):
        response = client.get(PAGE)
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert "Cơ quan chủ quản kinh phí:" in html
    assert "Trung tâm Thông tin tỉnh (Văn phòng Ủy ban nhân dân tỉnh)" in html
    # QĐ 40/2012 Art. 16(2)(g), 23, as a person reads it
    assert "Điều 16 khoản 2 điểm g, Điều 23 Quyết định số 40/2012/QĐ-UBND" in html
    for words in (
        "Câu hỏi quá hạn trả lời, chưa trả lời",
        "Thông tin quá hạn cập nhật, chưa đăng",
        "Cơ quan chưa đủ định mức tin tháng trước",
        "Chuyên mục bắt buộc chưa có nội dung",
        "Sao lưu quá lịch",
        "Báo cáo quá hạn chưa ký duyệt",
    ):
        assert words in html
    # each line links the page that lists its cases
    assert f'href="{reverse("frontend:staff_dashboard")}"' in html
    assert f'href="{reverse("frontend:staff_qa_inbox")}?qua_han=1"' in html
    assert "Điều 8 khoản 3" in html  # the quota's article
    # never a code or the profile's notation (the signed-in account's name aside)
    content = html.split("<h1>", 1)[1]
    for code in ("qa_open_late", "editor_in_chief", "QĐ 40/2012 Art.", "platform default"):
        assert code not in content
    # the staff navigation leads here
    assert f'href="{PAGE}"' in html


def test_agency_staff_are_refused(thainguyen):
    department = Agency.objects.get(short_name="sokhdt")
    updater = thainguyen.holding("updater", agency=department)
    assert signed_in(HOST, updater).get(PAGE).status_code == 403


def test_the_provinces_administrator_reads_it_and_strangers_sign_in_first(thainguyen):
    administrator = provinces_administrator()
    assert signed_in(HOST, administrator).get(PAGE).status_code == 200
    anonymous = host_client(HOST).get(PAGE)
    assert anonymous.status_code == 302
    assert "/staff/login/" in anonymous["Location"]


def test_the_board_lists_every_province_with_a_link_to_its_own_page(
    console, tenant_db, django_assert_max_num_queries
):
    # given: nothing counted yet
    # when
    with django_assert_max_num_queries(25):
        response = console.get("/tuan-thu/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    for slug, province in tenant_db.items():
        assert province.name in html
        assert f'href="http://{slug}.localhost{PAGE}"' in html
    assert html.count("chưa có số liệu") == len(tenant_db)
    assert "Cập nhật ngay" in html
    assert "/tuan-thu/" in page_text(console.get("/"))  # linked from the console's home


def test_the_board_shows_figures_never_a_citizens_data_most_late_first(
    console, tenant_db, in_province
):
    # given: in Thái Nguyên a citizen's question long past its deadline
    with in_province("thainguyen"):
        site_agency = Agency.objects.order_by("pk").first()
        topic = topic_ensure(name="Đất đai", agency=site_agency)
        submitted(
            topic,
            name="Trần Văn Bảng",
            email="tran.van.bang@example.vn",
            title="Câu hỏi riêng của công dân",
            received_at=timezone.now() - timedelta(days=60),
        )
    # when: the scheduled count has run
    compliance_snapshot.apply()
    html = page_text(console.get("/tuan-thu/"))
    # then
    assert "chưa có số liệu" not in html
    assert "Số liệu lúc" in html
    for personal in ("Trần Văn Bảng", "tran.van.bang@example.vn", "Câu hỏi riêng của công dân"):
        assert personal not in html
    assert ComplianceSnapshot.objects.count() == len(tenant_db)
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("</tr>")[:-1]
    shown = [int(re.search(r"<td><strong>(\d+)</strong></td>", row)[1]) for row in rows]
    assert len(shown) == len(tenant_db)
    assert shown == sorted(shown, reverse=True)  # the most late first
    thainguyen_row = next(row for row in rows if tenant_db["thainguyen"].name in row)
    assert int(re.search(r"<td><strong>(\d+)</strong></td>", thainguyen_row)[1]) >= 1
    by_name = page_text(console.get("/tuan-thu/?sap-xep=ten"))
    names = sorted(p.name for p in tenant_db.values())
    positions = [by_name.index(f">{name}</a>") for name in names]
    assert positions == sorted(positions)
    # an unknown order is the default one, never an error
    assert console.get("/tuan-thu/?sap-xep=" + "x" * 500).status_code == 200


def test_refresh_now_counts_one_province_and_is_audited(console, tenant_db):
    # when
    response = console.post("/tuan-thu/cap-nhat/", {"province": "hagiang"})
    # then
    assert response.status_code == 302
    snapshot = ComplianceSnapshot.objects.get(province__slug="hagiang")
    assert set(snapshot.figures["counts"]) >= {"qa_open_late", "reports_overdue"}
    assert ComplianceSnapshot.objects.count() == 1
    with schema_context("public"):
        assert AuditEntry.objects.filter(action="compliance_refreshed", target="hagiang").exists()
    html = page_text(console.get("/tuan-thu/"))
    assert "Đã cập nhật số liệu tuân thủ của" in html
    assert html.count("chưa có số liệu") == len(tenant_db) - 1


@pytest.mark.parametrize("province", ["", "nowhere", "hagiang'--", "x" * 500])
def test_refresh_refuses_unknown_provinces_and_stores_nothing(console, tenant_db, province):
    response = console.post("/tuan-thu/cap-nhat/", {"province": province})
    assert response.status_code == 302
    assert not ComplianceSnapshot.objects.exists()
    assert "Không có tỉnh này trên nền tảng." in page_text(console.get("/tuan-thu/"))


def test_refresh_is_a_post_and_for_operators_only(console, tenant_db):
    assert console.get("/tuan-thu/cap-nhat/").status_code == 405
    with schema_context("public"):
        user = User.objects.create_user(username="not_an_operator", password="x")
    stranger = host_client(PLATFORM)
    verified_login(stranger, user)
    assert stranger.get("/tuan-thu/").status_code == 403
    assert stranger.post("/tuan-thu/cap-nhat/", {"province": "hagiang"}).status_code == 403
    assert not ComplianceSnapshot.objects.exists()


def test_the_staff_menu_offers_only_the_pages_a_person_may_open(province_schema):
    # A link answering 403 is a broken promise: an agency's updater sees neither the
    # compliance page nor the royalty ledger in the menu; the editor-in-chief sees both.
    _site, staff = province_schema("thainguyen")
    updater = page_text(signed_in(HOST, staff.holding("updater")).get("/staff/queue/"))
    chief = page_text(signed_in(HOST, staff.holding("editor_in_chief")).get("/staff/queue/"))

    assert "Tuân thủ" not in updater
    assert "Nhuận bút" not in updater
    assert "Tuân thủ" in chief
    assert "Nhuận bút" in chief
