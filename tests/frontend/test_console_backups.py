"""The operator console's backups: each province against its schedule with its rules in words,
"Sao lưu ngay", a backup's page (contents, proofs, restores, kept schemas), a restore tried as
a dry run before it is confirmed; operators only, bad input a 4xx."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import User
from backups.models import Backup, Restore
from backups.services import backup_create
from tenants.models import Province
from tests.backups import conftest as backups_fixtures
from tests.conftest import host_client
from tests.factories.accounts import verified_login
from tests.factories.backups import backup_record
from tests.factories.pages import page_text

backup_places = backups_fixtures.backup_places
province_a = backups_fixtures.province_a

PLATFORM = "platform.localhost"
PASSWORD = "Vận-hành-sao-lưu-2026!"


@pytest.fixture
def console(tenant_db):
    User.objects.create_user(username="backup_console", password=PASSWORD, is_staff=True)
    client = host_client(PLATFORM)
    verified_login(client, User.objects.get(username="backup_console"))
    return client


def _running(slug: str) -> Backup:
    # A backup a worker is taking now (only the engine's run writes one; this layer reads it).
    return backup_record(
        Province.objects.get(slug=slug),
        at=timezone.now(),
        status=Backup.Status.RUNNING,
        progress={"stage": "files", "done": 3, "total": 12},
    )


def test_the_page_lists_every_province_with_its_schedule_in_words(
    console, tenant_db, django_assert_max_num_queries
):
    with django_assert_max_num_queries(60):
        response = console.get("/sao-luu/")
    html = page_text(response)
    assert response.status_code == 200
    for province in tenant_db.values():
        assert province.name in html
    assert "Sao lưu ngay" in html
    assert "Tần suất sao lưu" in html
    # Thái Nguyên's weekly backup is its regulation's, cited in Vietnamese, never a code
    assert "Điều 11" in html
    assert "platform default" not in html
    assert "weekly" not in html
    assert "Chưa sao lưu lần nào" in html or "Quá lịch sao lưu" in html
    assert 'http-equiv="refresh"' not in html  # nothing runs
    assert "/sao-luu/" in page_text(console.get("/"))  # linked from the console's home


def test_a_running_backup_shows_its_progress_and_the_page_refreshes(console, tenant_db):
    running = _running("hagiang")
    html = page_text(console.get("/sao-luu/"))
    assert 'http-equiv="refresh"' in html
    assert "Sao chép tệp" in html
    assert "3 / 12" in html
    detail = page_text(console.get(f"/sao-luu/{running.pk}/"))
    assert "Đang chạy" in detail
    assert 'http-equiv="refresh"' in detail
    # a second one for the same province is refused, and nothing is stored
    response = console.post("/sao-luu/tao/", {"province": "hagiang"}, follow=True)
    assert "đang có một lượt sao lưu" in page_text(response)
    assert Backup.objects.count() == 1


def test_a_backups_page_shows_its_contents_and_proofs(console, province_a):
    backup = backup_create(province=province_a.province)
    # when: "Kiểm tra" (the verification runs at once in tests)
    response = console.post(f"/sao-luu/{backup.pk}/kiem-tra/", follow=True)
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert province_a.province.name in html
    assert f"{len(backup.manifest['tables'])} bảng" in html
    assert "Khớp" in html  # the verification, in words
    assert "Chạy thử" in html
    assert "passed" not in html


def test_a_restore_in_place_is_tried_first_then_confirmed(console, province_a):
    backup = backup_create(province=province_a.province)
    schema = province_a.province.schema_name
    url = f"/sao-luu/{backup.pk}/phuc-hoi/"
    # without a dry run first, an in-place restore is refused
    refused = console.post(url, {"mode": "in_place"})
    assert refused.status_code == 400
    assert "chạy thử trước" in page_text(refused)
    assert not Restore.objects.exists()
    # when: the dry run
    tried = console.post(url, {"mode": "in_place", "dry_run": "on"})
    # then: its report, and a confirmation
    html = page_text(tried)
    assert tried.status_code == 200
    assert "Kết quả chạy thử: chưa có gì thay đổi" in html
    assert "Bảng thay đổi: 0 trên" in html
    assert f"{schema}_before_" in html
    assert "Xác nhận phục hồi" in html
    assert Restore.objects.get().dry_run
    # when: confirmed
    done = console.post(url, {"mode": "in_place", "confirm": "True"}, follow=True)
    # then: restored, the replaced schema kept with a button to drop it
    restore = Restore.objects.get(dry_run=False)
    assert restore.status == Restore.Status.SUCCEEDED
    html = page_text(done)
    assert restore.kept_schema in html
    assert f"/sao-luu/phuc-hoi/{restore.pk}/xoa-luoc-do-giu-lai/" in html
    # when: dropped
    console.post(f"/sao-luu/phuc-hoi/{restore.pk}/xoa-luoc-do-giu-lai/")
    restore.refresh_from_db()
    assert restore.kept_schema == ""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"mode": "into", "target_schema": "Bad-Name", "dry_run": "on"}, "Tên lược đồ gồm"),
        ({"mode": "into", "target_schema": "pg_x", "dry_run": "on"}, "do hệ thống dùng"),
        ({"mode": "into", "dry_run": "on"}, "Cần tên lược đồ mới"),
        ({"mode": "sideways"}, "field field-error"),
    ],
)
def test_bad_restore_input_is_a_400_on_the_form(console, province_a, body, message):
    backup = backup_create(province=province_a.province)
    response = console.post(f"/sao-luu/{backup.pk}/phuc-hoi/", body)
    assert response.status_code == 400
    assert not Restore.objects.exists()
    assert message in page_text(response)


@pytest.mark.parametrize(
    "path",
    [
        "/sao-luu/99999999999999999999999/",
        "/sao-luu/9223372036854775808/",
        "/sao-luu/0/",
        "/sao-luu/424242/",
    ],
)
def test_unknown_or_huge_ids_are_404(console, path):
    assert console.get(path).status_code == 404
    assert console.post(path + "kiem-tra/").status_code == 404
    assert (
        console.post("/sao-luu/phuc-hoi/99999999999999999999/xoa-luoc-do-giu-lai/").status_code
        == 404
    )


def test_an_unknown_province_stores_nothing(console):
    response = console.post("/sao-luu/tao/", {"province": "khongco"}, follow=True)
    assert "Không có tỉnh này" in page_text(response)
    response = console.post("/sao-luu/tao/", {"province": "x" * 10_000}, follow=True)
    assert "Không có tỉnh này" in page_text(response)
    assert not Backup.objects.exists()


def test_anonymous_and_province_staff_are_refused(tenant_db, in_province):
    anonymous = host_client(PLATFORM)
    assert anonymous.get("/sao-luu/")["Location"].startswith("/login/")
    assert anonymous.post("/sao-luu/tao/", {"province": "hagiang"}).status_code == 302
    # an account of the public schema without the operator flag
    User.objects.create_user(username="not_an_operator", password=PASSWORD)
    plain = host_client(PLATFORM)
    plain.login(username="not_an_operator", password=PASSWORD)
    assert plain.get("/sao-luu/").status_code == 403
    assert plain.post("/sao-luu/tao/", {"province": "hagiang"}).status_code == 403
    # province staff: the pages do not exist on a province's host
    with in_province("hagiang"):
        User.objects.create_user(username="hg_staff_bk", password=PASSWORD, is_staff=True)
    staff = host_client("hagiang.localhost")
    staff.login(username="hg_staff_bk", password=PASSWORD)
    assert staff.get("/sao-luu/").status_code == 404
    assert not Backup.objects.exists()


def test_a_csrf_token_is_required(tenant_db):
    User.objects.create_user(username="csrf_operator", password=PASSWORD, is_staff=True)
    client = host_client(PLATFORM, enforce_csrf_checks=True)
    verified_login(client, User.objects.get(username="csrf_operator"))
    assert client.post("/sao-luu/tao/", {"province": "hagiang"}).status_code == 403
    assert not Backup.objects.exists()


def test_a_backup_not_finished_cannot_be_restored(console, tenant_db):
    running = _running("dongnai")
    response = console.post(
        f"/sao-luu/{running.pk}/phuc-hoi/",
        {"mode": "into", "target_schema": "xem_thu", "dry_run": "on"},
    )
    assert response.status_code == 409
    assert not Restore.objects.exists()


def test_a_restore_into_a_schema_already_taken_is_refused_on_the_form(
    console, province_a, tenant_db
):
    backup = backup_create(province=province_a.province)
    response = console.post(
        f"/sao-luu/{backup.pk}/phuc-hoi/",
        {"mode": "into", "target_schema": tenant_db["hagiang"].schema_name},
    )
    assert response.status_code == 400
    assert "không phục hồi đè vào đó" in page_text(response)
    assert not Restore.objects.filter(dry_run=False).exists()


@pytest.mark.without_services
def test_a_dry_run_report_says_how_each_table_would_change():
    from frontend.views.console_backups import report_sections

    [tables] = report_sections(
        {
            "tables": [
                {"table": "qa_question", "rows_now": 5, "rows_in_backup": 5, "same": True},
                {"table": "editorial_revision", "rows_now": 93, "rows_in_backup": 93},
                {"table": "editorial_item", "rows_now": 80, "rows_in_backup": 90},
                {"table": "search_document", "rows_now": None, "rows_in_backup": 7},
                {"table": "core_notice", "rows_now": 2, "rows_in_backup": None},
            ]
        }
    )[:1]
    assert str(tables["label"]) == "Bảng thay đổi: 4 trên 5"
    assert [str(line) for line in tables["lines"]] == [
        "editorial_revision: cùng 93 dòng nhưng nội dung khác bản sao lưu",
        "editorial_item: hiện có 80 dòng, bản sao lưu có 90 dòng",
        "search_document: chưa có bảng này, bản sao lưu có 7 dòng",
        "core_notice: hiện có 2 dòng, bản sao lưu không có bảng này",
    ]
