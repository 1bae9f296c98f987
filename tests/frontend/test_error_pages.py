"""Error pages as a visitor meets them: in the portal's look with its name and a way home, with
the right status, never Django's debug page, and a 500 that shows even with the database down."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory

from config import urls_public, urls_tenant
from editorial.services import item_withdraw
from frontend.views import discovery, errors
from organization.sites import site_for_host
from tests.conftest import host_client
from tests.factories.editorial import Desk
from tests.factories.pages import page_text

ROOT = Path(__file__).resolve().parents[2]
PORTAL = "hagiang.localhost"
DEBUG_TEXT = ("Traceback", "URLconf", "Using the URLconf", "DEBUG = True", "Django tried")


def assert_portal_error_page(response, status: int, name: str) -> str:
    html = page_text(response)
    assert response.status_code == status
    assert f'<span class="brand-name">{name}</span>' in html
    assert '<meta name="robots" content="noindex">' in html
    assert not any(text in html for text in DEBUG_TEXT), html
    return html


@pytest.fixture
def hagiang(province_schema, tenant_db):
    site, staff = province_schema("hagiang")
    province = tenant_db["hagiang"]
    return {
        "site": site,
        "desk": Desk(staff, site),
        "province": province,
        "portal": province.portal_name,
    }


# --- 404 -------------------------------------------------------------------------------------


def test_unknown_address_on_a_portal_is_a_404_in_its_look(hagiang, settings):
    settings.DEBUG = False
    html = assert_portal_error_page(
        host_client(PORTAL).get("/khong-co-trang-nay/"), 404, hagiang["portal"]
    )
    assert "404 – Không tìm thấy trang" in html
    assert '<a href="/">Về trang chủ</a>' in html


def test_404_wears_the_provinces_colour(tenant_db):
    # Thái Nguyên's profile: portal.colour = "#0b5e3b"
    html = page_text(host_client("thainguyen.localhost").get("/khong-co/"))
    assert '<link rel="stylesheet" href="/giao-dien/0b5e3b.css">' in html
    sheet = host_client("thainguyen.localhost").get("/giao-dien/0b5e3b.css")
    assert "--brand: #0b5e3b;" in sheet.content.decode()


def test_404_on_a_component_site_carries_the_agencys_name(hagiang):
    response = host_client(hagiang["site"].dev_host).get("/bai-viet/khong-co/")
    assert_portal_error_page(response, 404, hagiang["site"].agency.name)


def test_404_links_the_search_page_where_the_host_has_one(tenant_db):
    html = page_text(host_client(PORTAL).get("/khong-co/"))
    search = errors._path("frontend:search")  # the search part's page, once it has landed
    if search is None:
        pytest.skip("no search page on this host yet")
    assert f'<a href="{search}">' in html


def test_unknown_address_on_the_platform_host_is_a_404_in_the_same_look(tenant_db):
    response = host_client("platform.localhost").get("/khong-co/")
    assert_portal_error_page(response, 404, "Nền tảng Cổng thông tin điện tử các tỉnh")


def test_both_urlconfs_name_the_same_error_views():
    for urls in (urls_tenant, urls_public):
        assert urls.handler404 == "frontend.views.errors.page_not_found"
        assert urls.handler500 == "frontend.views.errors.server_error"
        assert urls.handler403 == "frontend.views.errors.permission_denied"
        assert urls.handler400 == "frontend.views.errors.bad_request"


# --- 410 -------------------------------------------------------------------------------------


def test_withdrawn_article_is_410_with_its_reason_inside_the_portal_page(hagiang):
    desk = hagiang["desk"]
    item = desk.publish(title="Bài đã thu hồi", body="<p>Nội dung cũ</p>")
    item_withdraw(item=item, actor=desk.publisher(desk.site), reason="Thông tin không chính xác")
    response = host_client(desk.site.dev_host).get(f"/bai-viet/{item.slug}/")
    html = page_text(response)
    assert response.status_code == 410
    assert "Thông tin không chính xác" in html
    assert "Nội dung cũ" not in html
    # the page around it is the site's own: header, navigation landmark and footer
    assert desk.site.agency.name in html
    assert '<header class="site-header">' in html
    assert '<footer class="site-footer">' in html
    assert not any(text in html for text in DEBUG_TEXT)


# --- 429 -------------------------------------------------------------------------------------


def test_too_many_tracking_guesses_get_the_429_page_with_when_to_retry(hagiang):
    client = host_client(PORTAL)
    for n in range(30):  # core.limits "qa.tracking_code_guess": 30 per 10 minutes
        client.get(f"/hoi-dap/tra-cuu/?ma=ZZZZ-{n:04d}")
    response = client.get("/hoi-dap/tra-cuu/?ma=ZZZZ-9999")
    html = assert_portal_error_page(response, 429, hagiang["portal"])
    assert response["Retry-After"] == "600"
    assert "Vui lòng thử lại sau 10 phút." in html
    assert '<a href="/hoi-dap/">Về trang Hỏi – Đáp</a>' in html


def test_429_page_rounds_the_wait_up_to_whole_minutes(tenant_db):
    request = RequestFactory().get("/", HTTP_HOST=PORTAL)
    response = errors.rate_limited(request, retry_after=61, back_url="/x/", back_label="Quay lại")
    assert response.status_code == 429
    assert response["Retry-After"] == "61"
    assert "thử lại sau 2 phút" in page_text(response)


# --- 500 -------------------------------------------------------------------------------------


def test_a_failing_page_is_a_500_in_the_portal_look_without_debug_text(
    hagiang, settings, monkeypatch
):
    # given: DEBUG off (as under ./ops/run) and a page whose code fails
    settings.DEBUG = False

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(discovery, "reverse", broken)
    client = Client(HTTP_HOST=PORTAL, raise_request_exception=False)
    # when
    response = client.get("/robots.txt")
    # then
    html = assert_portal_error_page(response, 500, hagiang["portal"])
    assert "500 – Lỗi máy chủ" in html
    assert "a bug" not in html


def _request_on(host: str, tenant):
    request = RequestFactory().get("/", HTTP_HOST=host)
    request.tenant = tenant
    request.component_site = site_for_host(host)
    return request


def test_500_page_needs_no_query(hagiang, django_assert_num_queries):
    request = _request_on(hagiang["site"].dev_host, hagiang["province"])
    with django_assert_num_queries(0):
        response = errors.server_error(request)
    assert_portal_error_page(response, 500, hagiang["site"].agency.name)


def test_500_page_renders_with_the_database_down(hagiang, monkeypatch):
    request = _request_on(PORTAL, hagiang["province"])

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", down)
        response = errors.server_error(request)
    assert_portal_error_page(response, 500, hagiang["portal"])


def test_500_page_renders_without_a_known_host():
    # the middleware failed before it knew the province: a page with a way home still
    response = errors.server_error(RequestFactory().get("/"))
    html = page_text(response)
    assert response.status_code == 500
    assert "500 – Lỗi máy chủ" in html
    assert '<a href="/">Về trang chủ</a>' in html


# --- ./ops/run -------------------------------------------------------------------------------


@pytest.mark.without_services
def test_ops_run_serves_with_debug_off_unless_the_developer_asks():
    script = (ROOT / "ops" / "run").read_text()
    before_start = script.split("source ", 1)[0]
    assert 'export DJANGO_DEBUG="${DJANGO_DEBUG:-0}"' in before_start
    # and the development settings read it
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    read = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DEBUG)"],
        cwd=ROOT / "platform",
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert read.stdout.strip() == "False"
