"""Redirected hosts (tenants/redirects.py, ADR 0032): Bắc Kạn's old portal host, now attached
to Thái Nguyên, sends each address to the same address on Thái Nguyên's portal when that address
means the same there, a PathRedirect's address when one is on record, and otherwise answers with
a page saying where the portal is now."""

from __future__ import annotations

import pytest
from django.db import connection

from tenants.models import Domain, HostRedirect, PathRedirect
from tenants.redirects import host_redirect, redirects_forget
from tests.conftest import _clear_test_cache, host_client
from tests.factories.editorial import published
from tests.factories.pages import page_text

OLD = "cu.backan.localhost"
NEW = "thainguyen.localhost"


@pytest.fixture
def old_host(tenant_db):
    """Bắc Kạn's former portal host, its Domain row now in Thái Nguyên, redirected there."""
    connection.set_schema_to_public()
    Domain.objects.create(domain=OLD, tenant=tenant_db["thainguyen"], is_primary=False)
    redirect = HostRedirect.objects.create(
        host=OLD,
        province=tenant_db["thainguyen"],
        target_host=NEW,
        reason=HostRedirect.Reason.PROVINCE_MERGE,
        former_name="Cổng thông tin điện tử tỉnh Bắc Kạn",
        current_name="Cổng thông tin điện tử tỉnh Thái Nguyên",
    )
    yield redirect
    connection.set_schema_to_public()


@pytest.fixture
def on_the_portal(province_schema, django_capture_on_commit_callbacks):
    """Publish on Thái Nguyên's portal (site=None), bumping the cached pages as a commit does."""
    _site, staff = province_schema("thainguyen")

    def publish(**content):
        with django_capture_on_commit_callbacks(execute=True):
            return published(staff, site=None, **content)

    return publish


def test_an_article_that_moved_is_redirected_to_the_same_address(old_host, on_the_portal):
    # given an article published on Thái Nguyên's portal
    item = on_the_portal(title="Lễ hội Lồng Tồng năm 2026")
    # when its address is asked on the old host, with a query string
    response = host_client(OLD).get(f"/bai-viet/{item.slug}/?utm_source=bao")
    # then the answer is a permanent redirect to the same address on the new host, cacheable
    assert response.status_code == 301
    assert response["Location"] == f"http://{NEW}/bai-viet/{item.slug}/?utm_source=bao"
    assert response["Cache-Control"] == "public, max-age=3600"
    # and the new host serves it
    assert host_client(NEW).get(f"/bai-viet/{item.slug}/").status_code == 200


def test_a_missing_article_gets_the_moved_page(old_host, on_the_portal):
    # given an article address Thái Nguyên's portal has no article for
    response = host_client(OLD).get("/bai-viet/hoi-nghi-xuc-tien-dau-tu/")
    # then the moved page: 404, not to be indexed, saying where the portal is now
    assert response.status_code == 404
    assert response["X-Robots-Tag"] == "noindex"
    text = page_text(response)
    assert (
        "Cổng thông tin điện tử tỉnh Bắc Kạn nay là một phần của "
        "Cổng thông tin điện tử tỉnh Thái Nguyên" in text
    )
    html = response.content.decode()
    assert f'href="http://{NEW}/"' in html
    # and a search on the new host, prefilled from the old address's last words
    assert f'action="http://{NEW}/tim-kiem/"' in html
    assert 'value="hoi nghi xuc tien dau tu"' in html
    # and no inline style or script (the Content-Security-Policy allows none)
    assert "<script" not in html
    assert "style=" not in html


def test_an_article_of_a_component_site_is_not_redirected_to_the_portal(
    old_host, province_schema, django_capture_on_commit_callbacks
):
    # given an article on one of Thái Nguyên's component sites, not on its portal
    site, staff = province_schema("thainguyen")
    with django_capture_on_commit_callbacks(execute=True):
        item = published(staff, site=site, title="Tin của một sở")
    # then the old portal host, pointing to the portal, does not send visitors there for it
    response = host_client(OLD).get(f"/bai-viet/{item.slug}/")
    assert response.status_code == 404
    assert "nay là một phần của" in page_text(response)


def test_an_unknown_path_gets_the_moved_page(old_host):
    response = host_client(OLD).get("/trang-cu/gioi-thieu-chung.html")
    assert response.status_code == 404
    assert "Cổng thông tin đã chuyển địa chỉ" in page_text(response)
    assert 'value="gioi thieu chung.html"' in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/rss.xml",
        "/sitemap.xml",
        "/sitemap-tin-tuc.xml",
        "/robots.txt",
        "/",
        "/tin-tuc/?trang=2",
        "/tim-kiem/?q=l%E1%BB%85+h%E1%BB%99i",
        "/hoi-dap/",
        "/lien-he/",
        "/staff/",
        "/staff/login/?next=/staff/items/",
        "/api/v1/items/?limit=5",
        "/api/v1/khong-co/",
    ],
)
def test_pages_that_name_no_object_are_redirected_as_they_are(old_host, path):
    response = host_client(OLD).get(path)
    assert response.status_code == 301
    assert response["Location"] == f"http://{NEW}{path}"


def test_a_section_of_the_new_portal_is_redirected(old_host):
    # Thái Nguyên's profile has a "doanh-nghiep" section; "khong-co" is no section of it
    assert host_client(OLD).get("/chuyen-muc/doanh-nghiep/").status_code == 301
    assert host_client(OLD).get("/chuyen-muc/khong-co/").status_code == 404


def test_a_path_redirect_wins(old_host, on_the_portal):
    # given an article that exists at the same address, and a file whose number changed
    item = on_the_portal(title="Kế hoạch chuyển đổi số")
    connection.set_schema_to_public()
    PathRedirect.objects.create(
        host=OLD, old_path="/tep/123/", target_host=NEW, new_path="/tep/9876/"
    )
    PathRedirect.objects.create(
        host=OLD,
        old_path=f"/bai-viet/{item.slug}/",
        target_host=NEW,
        new_path="/bai-viet/ke-hoach-chuyen-doi-so-bac-kan/",
    )
    # then each goes where its row says, even the article that also exists as it was
    response = host_client(OLD).get("/tep/123/")
    assert response.status_code == 301
    assert response["Location"] == f"http://{NEW}/tep/9876/"
    response = host_client(OLD).get(f"/bai-viet/{item.slug}/")
    assert response["Location"] == f"http://{NEW}/bai-viet/ke-hoach-chuyen-doi-so-bac-kan/"


def test_a_form_sent_to_the_old_host_is_sent_on_with_its_method(old_host):
    response = host_client(OLD).post("/hoi-dap/gui/", {"title": "Hỏi"})
    assert response.status_code == 308
    assert response["Location"] == f"http://{NEW}/hoi-dap/gui/"
    assert "Cache-Control" not in response


def test_an_agency_reason_is_worded_for_the_agency(old_host):
    # given the host is an agency's site that was renamed
    old_host.reason = HostRedirect.Reason.AGENCY_RENAME
    old_host.former_name = "Sở Thông tin và Truyền thông"
    old_host.current_name = "Sở Khoa học và Công nghệ"
    old_host.save()
    # then the moved page says so, and not that a province merged
    text = page_text(host_client(OLD).get("/khong-co/"))
    assert "Sở Thông tin và Truyền thông nay mang tên Sở Khoa học và Công nghệ" in text
    assert "một phần của" not in text


def test_a_deleted_redirect_stops_redirecting(old_host):
    # given a warm cache of the redirect
    assert host_client(OLD).get("/rss.xml").status_code == 301
    assert host_redirect(OLD) is not None
    # when the row is deleted
    connection.set_schema_to_public()
    old_host.delete()
    # then the host serves Thái Nguyên's pages as its own again
    assert host_redirect(OLD) is None
    assert host_client(OLD).get("/rss.xml").status_code == 200


def test_the_engine_can_drop_the_cached_answer(old_host):
    # given a cached redirect, and its row changed without a signal (a bulk update)
    assert host_redirect(OLD).target_host == NEW
    connection.set_schema_to_public()
    HostRedirect.objects.filter(host=OLD).update(target_host="stttt.thainguyen.localhost")
    assert host_redirect(OLD).target_host == NEW
    # when the engine forgets the host
    redirects_forget(OLD)
    # then the next lookup reads the row
    assert host_redirect(OLD).target_host == "stttt.thainguyen.localhost"


def test_a_cached_redirect_costs_no_query(old_host, django_assert_max_num_queries):
    # given a cold cache, a redirect costs the one query that finds the host's province (and
    # the search_path set for it): its redirect comes in the same query
    _clear_test_cache()
    with django_assert_max_num_queries(2):
        assert host_client(OLD).get("/rss.xml").status_code == 301
    # then a redirect that names no object costs no query at all
    with django_assert_max_num_queries(0):
        assert host_redirect(OLD) is not None
        assert host_client(OLD).get("/sitemap.xml").status_code == 301
    # and an unknown host's miss is cached as well
    assert host_redirect(NEW) is None
    with django_assert_max_num_queries(0):
        assert host_redirect(NEW) is None


@pytest.mark.parametrize(
    "path",
    ["/bai-viet/" + "a" * 600 + "/", "/tin-tuc/%01/", "/bai-viet/x%7F/", "/%0d%0aSet-Cookie:x/"],
)
def test_an_overlong_or_odd_path_gets_the_moved_page(old_host, path):
    response = host_client(OLD).get(path)
    assert response.status_code == 404
    assert "Cổng thông tin đã chuyển địa chỉ" in page_text(response)
    assert "Set-Cookie" not in response


def test_a_host_without_redirect_is_untouched(old_host, on_the_portal):
    item = on_the_portal(title="Tin bình thường")
    assert host_client(NEW).get(f"/bai-viet/{item.slug}/").status_code == 200
    assert host_client(NEW).get("/trang-khong-co/").status_code == 404
    assert "nay là một phần của" not in page_text(host_client(NEW).get("/trang-khong-co/"))


def test_the_page_view_copy_of_a_redirected_request_counts_nothing(old_host):
    response = host_client(OLD).get("/__luot-xem/", HTTP_X_ORIGINAL_URI="/tin-tuc/")
    assert response.status_code == 204


def test_a_category_feed_is_redirected_only_for_a_category_of_the_new_portal(old_host):
    # Thái Nguyên's portal files items in "doanh-nghiep"; it has no category "khong-co"
    response = host_client(OLD).get("/rss/doanh-nghiep.xml")
    assert response.status_code == 301
    assert response["Location"] == f"http://{NEW}/rss/doanh-nghiep.xml"
    assert host_client(OLD).get("/rss/khong-co.xml").status_code == 404


def test_a_head_request_is_redirected_like_a_get(old_host):
    response = host_client(OLD).head("/tin-tuc/")
    assert response.status_code == 301
    assert response["Location"] == f"http://{NEW}/tin-tuc/"


def test_a_redirected_hosts_answers_carry_the_security_headers(old_host):
    """The moved page and the redirects are answered before the security middlewares run: they
    still carry the Content-Security-Policy and Permissions-Policy every page carries."""
    client = host_client(OLD)
    for path in ("/", "/khong-co-trang-nay/"):
        response = client.get(path)
        assert "Content-Security-Policy" in response.headers, path
        assert "Permissions-Policy" in response.headers, path
