"""The portal's required sections as citizens reach them (ADR 0016): the menu shows a section
once it has published content, its page lists that content (or shows its static page, or leads
to the platform's own page), an empty section is a 404, and the legal-basis page cites each
section's article in Vietnamese."""

from __future__ import annotations

import re

import pytest

from editorial.selectors import site_categories
from editorial.services import category_create
from provinces.citations import for_citizens
from tests.conftest import _clear_test_cache, host_client
from tests.factories.editorial import published
from tests.factories.pages import page_text

PORTAL = "thainguyen.localhost"


@pytest.fixture
def thainguyen(province_schema, django_capture_on_commit_callbacks):
    """Thái Nguyên's schema, and a way to publish on its portal that, like a real commit,
    bumps the version of the cached citizen pages."""
    _site, staff = province_schema("thainguyen")

    def publish(**content):
        with django_capture_on_commit_callbacks(execute=True):
            return published(staff, site=None, **content)

    return publish


def category(slug: str):
    return next(c for c in site_categories(site=None) if c.slug == slug)


def menu(html: str) -> list[tuple[str, str]]:
    """(address, label) of each link of the main navigation, in order."""
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.DOTALL)
    assert nav, "the page has no main navigation"
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(0))


def current(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.DOTALL)
    return re.findall(r'<a href="([^"]+)" aria-current="page">', nav.group(0))


# --- the menu --------------------------------------------------------------------------------


def test_the_menu_shows_a_section_only_once_it_has_published_content(thainguyen):
    # given Thái Nguyên's "Hỗ trợ doanh nghiệp" section (Art. 4(11)), filled from its category
    before = menu(page_text(host_client(PORTAL).get("/")))
    assert ("/chuyen-muc/doanh-nghiep/", "Doanh nghiệp") not in before
    # when an item is published in that category
    thainguyen(title="Hội nghị gặp gỡ doanh nghiệp", category=category("doanh-nghiep"))
    # then the menu shows it, after the home page and in the profile's order
    after = menu(page_text(host_client(PORTAL).get("/")))
    assert after[0] == ("/", "Trang chủ")
    assert ("/chuyen-muc/doanh-nghiep/", "Doanh nghiệp") in after
    assert after.index(("/chuyen-muc/doanh-nghiep/", "Doanh nghiệp")) > after.index(
        ("/chuyen-muc/tin-tuc-su-kien/", "Tin tức, sự kiện")
    )


def test_the_menu_leads_to_the_platforms_own_pages_and_marks_the_page_being_read(thainguyen):
    # given news published (the news section) and the Q&A page the "qa" section stands for
    thainguyen(title="Tin hoạt động")
    # when a citizen reads the Q&A page
    html = page_text(host_client(PORTAL).get("/hoi-dap/"))
    # then the section's menu entry goes straight to it, marked as the current page
    assert ("/hoi-dap/", "Hỏi – Đáp") in menu(html)
    assert current(html) == ["/hoi-dap/"]
    # and the section without content (no procedure published yet) is not offered
    assert not any("/thu-tuc/" in url for url, _ in menu(html))


def test_a_component_site_menu_has_its_news_categories_and_qa(province_schema):
    # given a component site with a category and an item published in it
    site, staff = province_schema("hagiang")
    reform = category_create(name="Cải cách hành chính", site=site)
    published(staff, site=site, title="Kết quả cải cách", category=reform)
    # when its home page is read
    html = page_text(host_client(site.dev_host).get("/"))
    # then its own navigation: home, news, its category, Q&A; none of the portal's sections
    links = menu(html)
    assert links[:3] == [
        ("/", "Trang chủ"),
        ("/tin-tuc/", "Tin tức"),
        ("/tin-tuc/?chuyen-muc=cai-cach-hanh-chinh", "Cải cách hành chính"),
    ]
    assert ("/hoi-dap/", "Hỏi – Đáp") in links
    assert not any(url.startswith("/chuyen-muc/") for url, _ in links)
    assert current(html) == ["/"]


# --- the section pages ------------------------------------------------------------------------


def test_a_section_page_lists_its_published_items_newest_first(thainguyen):
    # given a news item and an event (the news section's kinds) and an announcement (not)
    thainguyen(title="Tin thứ nhất")
    thainguyen(title="Hội chợ", kind="event", fields={"event_at": "2026-05-01T08:00:00+07:00"})
    thainguyen(title="Thông báo tuyển dụng", kind="announcement")
    # when
    response = host_client(PORTAL).get("/chuyen-muc/tin-tuc-su-kien/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert "<h1>Tin tức, sự kiện</h1>" in html
    assert html.index("Hội chợ") < html.index("Tin thứ nhất")
    assert "Thông báo tuyển dụng" not in html
    assert current(html) == ["/chuyen-muc/tin-tuc-su-kien/"]


def test_a_section_lists_its_kinds_and_its_categorys_items(thainguyen):
    # given the direction section (Art. 4(2)): leaders' schedules and its category's items
    thainguyen(title="Chỉ thị về phòng chống thiên tai", category=category("chi-dao-dieu-hanh"))
    thainguyen(title="Tin khác")
    # when
    html = page_text(host_client(PORTAL).get("/chuyen-muc/chi-dao-dieu-hanh/"))
    # then
    assert "Chỉ thị về phòng chống thiên tai" in html
    assert "Tin khác" not in html


def test_a_section_without_published_content_is_not_found(thainguyen):
    client = host_client(PORTAL)
    # nothing published in the business category: no empty page for citizens
    assert client.get("/chuyen-muc/doanh-nghiep/").status_code == 404
    # an address no section has, a page past the last, a built-in page that does not exist yet
    assert client.get("/chuyen-muc/khong-co/").status_code == 404
    thainguyen(title="Tin")
    assert client.get("/chuyen-muc/tin-tuc-su-kien/?trang=2").status_code == 404
    assert client.get("/chuyen-muc/thu-tuc-hanh-chinh/").status_code == 404
    # nonsense page numbers are read as the first page
    assert client.get("/chuyen-muc/tin-tuc-su-kien/?trang=-1").status_code == 200


def test_a_static_page_fills_its_section(thainguyen):
    # given the introduction page (Art. 4(1)), a static page at the address "gioi-thieu"
    thainguyen(
        kind="static_page",
        title="Giới thiệu",
        summary="Tỉnh Thái Nguyên ở vùng trung du và miền núi phía Bắc.",
        body="<p>Diện tích tự nhiên 3.521 km².</p>",
    )
    # when
    response = host_client(PORTAL).get("/chuyen-muc/gioi-thieu/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert "<h1>Giới thiệu</h1>" in html
    assert "Diện tích tự nhiên 3.521 km²." in html


def test_a_builtin_section_leads_to_the_platforms_page(thainguyen):
    client = host_client(PORTAL)
    # the Q&A section is the Q&A page
    response = client.get("/chuyen-muc/hoi-dap/")
    assert response.status_code == 302
    assert response["Location"] == "/hoi-dap/"
    # the legal documents section, once a document is published
    assert client.get("/chuyen-muc/van-ban/").status_code == 404
    thainguyen(
        kind="legal_document",
        title="Quyết định ban hành quy chế",
        fields={
            "number": "40/2012/QĐ-UBND",
            "document_type": "Quyết định",
            "issuing_body": "Ủy ban nhân dân tỉnh",
            "signer": "Chủ tịch",
            "issued_on": "2012-11-06",
        },
    )
    response = client.get("/chuyen-muc/van-ban/")
    assert response.status_code == 302
    assert response["Location"] == "/van-ban/"


def test_sections_belong_to_the_portal_not_to_component_sites(province_schema):
    site, staff = province_schema("thainguyen")
    published(staff, site=site, title="Tin của sở")
    assert host_client(site.dev_host).get("/chuyen-muc/tin-tuc-su-kien/").status_code == 404


def test_section_pages_cost_at_most_eleven_queries(thainguyen, django_assert_max_num_queries):
    thainguyen(title="Tin")
    thainguyen(kind="static_page", title="Giới thiệu", body="<p>Thái Nguyên</p>")
    for path in ("/chuyen-muc/tin-tuc-su-kien/", "/chuyen-muc/gioi-thieu/", "/co-so-phap-ly/"):
        # an anonymous visitor on a cold cache: one of the queries reads the province's approved
        # profile versions from the store (ADR 0031), kept by the process after that
        _clear_test_cache()
        with django_assert_max_num_queries(11):
            response = host_client(PORTAL).get(path)
        assert response.status_code == 200, path


# --- the legal basis and the footer ----------------------------------------------------------


def test_the_legal_basis_page_cites_the_regulation_and_each_sections_article(tenant_db):
    # when
    response = host_client(PORTAL).get("/co-so-phap-ly/")
    # then the regulation in force, each section's article and the Q&A deadlines, in Vietnamese
    html = page_text(response)
    assert response.status_code == 200
    assert "QĐ 40/2012/QĐ-UBND" in html
    assert "06/11/2012" in html
    assert "16/11/2012" in html
    assert "Doanh nghiệp" in html
    assert for_citizens("QĐ 40/2012 Art. 4(11)") in html  # Điều 4 khoản 11 Quyết định số 40/2012
    assert "Điều 14 khoản 4 điểm a Quyết định số 40/2012/QĐ-UBND" in html  # 5 working days
    assert "Art." not in html
    assert "platform default" not in html


def test_a_component_sites_legal_basis_links_the_sections_on_the_portal(province_schema):
    # given news published on the portal (its news section has content)
    site, staff = province_schema("thainguyen")
    published(staff, site=None, title="Tin của tỉnh")
    # when the legal basis is read on a component site
    html = page_text(host_client(site.dev_host).get("/co-so-phap-ly/"))
    # then the section's page is linked on the portal's host, the empty ones not at all
    assert 'href="http://thainguyen.localhost/chuyen-muc/tin-tuc-su-kien/"' in html
    assert "/chuyen-muc/doanh-nghiep/" not in html


def test_a_composite_section_is_cited_with_the_national_article_it_stands_for(tenant_db):
    # Hà Giang Art. 5(1) leans on the national decree in force: both are cited
    html = page_text(host_client("hagiang.localhost").get("/co-so-phap-ly/"))
    assert "Điều 5 khoản 1 Quyết định số 19/2015/QĐ-UBND; Điều" in html
    assert "Nghị định số 42/2022/NĐ-CP" in html


def test_the_footer_names_who_runs_the_portal_and_links_the_legal_basis(tenant_db):
    html = page_text(host_client(PORTAL).get("/"))
    footer = html[html.index('<footer class="site-footer">') :]
    assert "Trung tâm Thông tin tỉnh (Văn phòng Ủy ban nhân dân tỉnh Thái Nguyên)" in footer
    assert "Chịu trách nhiệm nội dung" in footer
    assert "Tổng Biên tập" in footer
    assert 'href="mailto:portal@thainguyen.gov.vn"' in footer
    assert 'href="tel:02083600000"' in footer
    assert 'href="/co-so-phap-ly/"' in footer
    assert "demo data" not in html
    assert "platform default" not in html
    # the executive site the regulation connects (Art. 8(1)) is linked
    assert 'href="https://ethainguyen.gov.vn/"' in footer


def test_a_component_site_footer_links_to_its_portal(province_schema):
    site, _staff = province_schema("thainguyen")
    html = page_text(host_client(site.dev_host).get("/"))
    footer = html[html.index('<footer class="site-footer">') :]
    assert "Trang thông tin điện tử thành phần của" in footer
    assert 'href="http://thainguyen.localhost/"' in footer
    assert "Chịu trách nhiệm nội dung" not in footer


def test_the_portal_offers_the_catalogue_for_a_procedure_entered_on_a_component_site(
    province_schema,
):
    """The portal's catalogue lists every procedure of the province (ADR 0019): one an agency
    entered on its own component site fills the portal's "procedures" section too."""
    from tests.factories.catalog import procedure_published

    site, staff = province_schema("thainguyen")
    assert not any("/thu-tuc/" in url for url, _ in menu(page_text(host_client(PORTAL).get("/"))))
    procedure_published(staff, site=site, code="1.000777", title="Cấp phép khai thác nước mặt")
    html = page_text(host_client(PORTAL).get("/"))
    assert any("/thu-tuc/" in url for url, _ in menu(html))
