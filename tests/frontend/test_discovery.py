"""How a site is found and kept: its RSS feeds, sitemap and robots.txt, the canonical address and
Open Graph description of its pages, and an article printed or saved as one file."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
import xmlschema
from django.template.loader import render_to_string
from django.test import RequestFactory

from editorial.services import category_create, item_unpublish, item_withdraw
from frontend.views import discovery
from tests.conftest import host_client
from tests.factories.editorial import Desk
from tests.factories.pages import page_text, signed_in

SCHEMAS = Path(__file__).parent / "schemas"
SITEMAP = xmlschema.XMLSchema(SCHEMAS / "sitemap.xsd")
SITEINDEX = xmlschema.XMLSchema(SCHEMAS / "siteindex.xsd")
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
PORTAL = "hagiang.localhost"
DEBUG_WORDS = ("Traceback", "URLconf")


@pytest.fixture
def newsroom(province_schema) -> Desk:
    site, staff = province_schema("hagiang")
    return Desk(staff, site)


def _feed(host: str, path: str = "/rss.xml"):
    response = host_client(host).get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/rss+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def _locations(xml: bytes, schema: xmlschema.XMLSchema) -> list[str]:
    schema.validate(xml)  # raises with the offending element when the file is invalid
    root = ElementTree.fromstring(xml)  # noqa: S314 - our own response
    return [loc.text for loc in root.iterfind(".//sm:loc", NS)]


# --- feeds -----------------------------------------------------------------------------------


def test_portal_feed_lists_its_published_items_with_links_on_its_host(newsroom, tenant_db):
    # given two items of the portal (one filed in a category) and one of a component site
    news = category_create(name="Tin tỉnh")
    first = newsroom.publish(on_portal=True, title="Khai mạc hội chợ", summary="Hội chợ mở cửa.")
    second = newsroom.publish(on_portal=True, title="Họp báo quý", category=news)
    newsroom.publish(title="Tin của sở")
    # when
    feed = _feed(PORTAL)
    # then: RSS 2.0, in Vietnamese, pointing at itself and at the portal
    assert feed.version == "rss20"
    assert feed.feed.title == tenant_db["hagiang"].portal_name
    assert feed.feed.language == "vi"
    assert feed.feed.link == f"http://{PORTAL}/"
    assert {"rel": "self", "href": f"http://{PORTAL}/rss.xml"}.items() <= next(
        link for link in feed.feed.links if link.rel == "self"
    ).items()
    # the newest first, only the portal's items
    assert [entry.title for entry in feed.entries] == ["Họp báo quý", "Khai mạc hội chợ"]
    newest, older = feed.entries
    assert newest.link == f"http://{PORTAL}/bai-viet/{second.slug}/"
    assert newest.id == newest.link
    assert [tag.term for tag in newest.tags] == ["Tin tỉnh"]
    assert older.link == f"http://{PORTAL}/bai-viet/{first.slug}/"
    assert older.summary == "Hội chợ mở cửa."
    assert older.published_parsed is not None


def test_component_site_feed_has_only_that_sites_items(newsroom):
    mine = newsroom.publish(title="Sở tổ chức tập huấn")
    newsroom.publish(on_portal=True, title="Tin của cổng tỉnh")
    host = newsroom.site.dev_host
    feed = _feed(host)
    assert feed.feed.title == newsroom.site.agency.name
    assert [entry.link for entry in feed.entries] == [f"http://{host}/bai-viet/{mine.slug}/"]


def test_feed_leaves_out_withdrawn_and_unpublished_items_and_keeps_markup_as_text(newsroom):
    kept = newsroom.publish(title='Giá <b>điện</b> & "nước"', summary="Tăng <5%")
    withdrawn = newsroom.publish(title="Bài bị thu hồi")
    hidden = newsroom.publish(title="Bài bị gỡ")
    publisher = newsroom.publisher(newsroom.site)
    item_withdraw(item=withdrawn, actor=publisher, reason="Sai thông tin")
    item_unpublish(item=hidden, actor=publisher)
    feed = _feed(newsroom.site.dev_host)
    assert [entry.title for entry in feed.entries] == ['Giá <b>điện</b> & "nước"']
    assert feed.entries[0].summary == "Tăng <5%"
    assert feed.entries[0].link.endswith(f"/bai-viet/{kept.slug}/")


def test_feed_holds_the_latest_items_only(newsroom, monkeypatch):
    monkeypatch.setattr(discovery, "FEED_SIZE", 2)
    for n in range(3):
        newsroom.publish(title=f"Tin số {n}")
    feed = _feed(newsroom.site.dev_host)
    assert [entry.title for entry in feed.entries] == ["Tin số 2", "Tin số 1"]


def test_category_feed_lists_that_category_only(newsroom):
    events = category_create(name="Sự kiện", site=newsroom.site)
    newsroom.publish(title="Lễ hội hoa tam giác mạch", category=events)
    newsroom.publish(title="Tin không thuộc chuyên mục")
    host = newsroom.site.dev_host
    feed = _feed(host, f"/rss/{events.slug}.xml")
    assert [entry.title for entry in feed.entries] == ["Lễ hội hoa tam giác mạch"]
    assert feed.feed.link == f"http://{host}/tin-tuc/?chuyen-muc={events.slug}"
    self_link = next(link for link in feed.feed.links if link.rel == "self")
    assert self_link.href == f"http://{host}/rss/{events.slug}.xml"


def test_category_feed_of_an_unknown_or_another_sites_category_is_not_found(newsroom):
    portal_category = category_create(name="Chỉ đạo điều hành")
    host = newsroom.site.dev_host
    for path in ("/rss/khong-co.xml", f"/rss/{portal_category.slug}.xml"):
        response = host_client(host).get(path)
        assert response.status_code == 404, path
        assert newsroom.site.agency.name in page_text(response)
    assert host_client(PORTAL).get(f"/rss/{portal_category.slug}.xml").status_code == 200


def test_feeds_and_sitemap_cost_a_bounded_number_of_queries(
    newsroom, django_assert_max_num_queries
):
    events = category_create(name="Sự kiện", site=newsroom.site)
    for n in range(5):
        newsroom.publish(title=f"Tin {n}", category=events if n % 2 else None)
    client = host_client(newsroom.site.dev_host)
    for path in ("/rss.xml", f"/rss/{events.slug}.xml", "/sitemap.xml", "/robots.txt"):
        with django_assert_max_num_queries(10):  # cold: nothing of the page is cached yet
            assert client.get(path).status_code == 200, path


# --- sitemap and robots.txt ------------------------------------------------------------------


def test_sitemap_lists_this_hosts_public_pages_and_validates(newsroom):
    # given: a portal category, a portal item with its English version, a component site's item
    news = category_create(name="Tin tỉnh")
    item = newsroom.publish(on_portal=True, title="Tin tỉnh Hà Giang", category=news)
    english = newsroom.publish(
        on_portal=True, title="Ha Giang news", language="en", translation_of=item
    )
    other = newsroom.publish(title="Tin của sở")
    # when
    response = host_client(PORTAL).get("/sitemap.xml")
    # then
    assert response.status_code == 200
    locations = _locations(response.content, SITEMAP)
    base = f"http://{PORTAL}"
    assert f"{base}/" in locations
    assert f"{base}/tin-tuc/" in locations
    assert f"{base}/tin-tuc/?chuyen-muc={news.slug}" in locations
    assert f"{base}/bai-viet/{item.slug}/" in locations
    assert f"{base}/en/article/{english.slug}/" in locations
    assert not any(other.slug in location for location in locations)
    assert all(location.startswith(f"{base}/") for location in locations)
    assert not any("/staff/" in location or "/api/" in location for location in locations)
    assert f"{base}/tim-kiem/" not in locations
    assert len(locations) == len(set(locations))
    assert b"<lastmod>" in response.content
    # and every address listed is a page a visitor can open
    client = host_client(PORTAL)
    for location in locations:
        assert client.get(location.removeprefix(base)).status_code == 200, location


def test_component_site_sitemap_names_only_its_own_host_and_items(newsroom):
    mine = newsroom.publish(title="Tin của sở")
    portal_item = newsroom.publish(on_portal=True, title="Tin của cổng")
    host = newsroom.site.dev_host
    locations = _locations(host_client(host).get("/sitemap.xml").content, SITEMAP)
    assert f"http://{host}/bai-viet/{mine.slug}/" in locations
    assert not any(portal_item.slug in location for location in locations)
    assert all(location.startswith(f"http://{host}/") for location in locations)
    client = host_client(host)
    for location in locations:
        assert client.get(location.removeprefix(f"http://{host}")).status_code == 200, location


def test_a_portal_without_english_lists_no_english_pages(province_schema):
    site, staff = province_schema("backan")  # language.english = false
    Desk(staff, site).publish(on_portal=True, title="Tin Bắc Kạn")
    locations = _locations(host_client("backan.localhost").get("/sitemap.xml").content, SITEMAP)
    assert not any("/en/" in location for location in locations)


def test_a_large_sitemap_becomes_an_index_of_pages(newsroom, monkeypatch):
    # given more items than one sitemap file holds (the limit lowered from 50,000 to 2)
    monkeypatch.setattr(discovery.ItemSitemap, "limit", 2)
    for n in range(3):
        newsroom.publish(title=f"Tin {n}")
    host = newsroom.site.dev_host
    client = host_client(host)
    # when
    index = client.get("/sitemap.xml")
    # then: an index of the parts, each page a valid sitemap
    parts = _locations(index.content, SITEINDEX)
    assert parts == [
        f"http://{host}/sitemap-trang.xml",
        f"http://{host}/sitemap-bai-viet.xml",
        f"http://{host}/sitemap-bai-viet.xml?p=2",
    ]
    items = []
    for part in parts:
        response = client.get(part.removeprefix(f"http://{host}"))
        assert response.status_code == 200, part
        locations = _locations(response.content, SITEMAP)
        if "bai-viet" in part:
            items += locations
    assert len(items) == 3
    # and pages or parts that do not exist are 404, never a 500
    for path in (
        "/sitemap-bai-viet.xml?p=3",
        "/sitemap-bai-viet.xml?p=abc",
        "/sitemap-bai-viet.xml?p=99999999999999999999",
        "/sitemap-khac.xml",
    ):
        assert client.get(path).status_code == 404, path


def test_robots_txt_names_this_hosts_sitemap_and_keeps_crawlers_out_of_the_back_office(
    newsroom,
):
    for host in (PORTAL, newsroom.site.dev_host):
        response = host_client(host).get("/robots.txt")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        lines = response.content.decode().splitlines()
        assert lines[0] == "User-agent: *"
        assert "Disallow: /staff/" in lines
        assert "Disallow: /api/" in lines
        assert f"Sitemap: http://{host}/sitemap.xml" in lines


# --- head of the pages -----------------------------------------------------------------------


def _property(html: str, name: str) -> str | None:
    match = re.search(rf'<meta property="{re.escape(name)}" content="([^"]*)">', html)
    return match.group(1) if match else None


def test_item_page_has_one_canonical_address_and_open_graph_tags(newsroom):
    item = newsroom.publish(title="Tuyển dụng viên chức", summary="Sở tuyển 12 viên chức.")
    host = newsroom.site.dev_host
    html = page_text(host_client(host).get(f"/bai-viet/{item.slug}/?utm_source=zalo"))
    url = f"http://{host}/bai-viet/{item.slug}/"
    assert re.findall(r'<link rel="canonical" href="([^"]*)">', html) == [url]
    assert _property(html, "og:url") == url
    assert _property(html, "og:type") == "article"
    assert _property(html, "og:title") == "Tuyển dụng viên chức"
    assert _property(html, "og:description") == "Sở tuyển 12 viên chức."
    assert _property(html, "og:site_name") == newsroom.site.agency.name
    assert _property(html, "og:locale") == "vi_VN"


def test_public_pages_drop_tracking_parameters_from_their_canonical_address(tenant_db):
    html = page_text(host_client(PORTAL).get("/tin-tuc/?loai=news&utm_campaign=x&fbclid=1"))
    canonical = re.search(r'<link rel="canonical" href="([^"]*)">', html).group(1)
    assert canonical == f"http://{PORTAL}/tin-tuc/?loai=news"
    assert _property(html, "og:type") == "website"
    assert _property(html, "og:site_name") == tenant_db["hagiang"].portal_name


def test_pages_advertise_their_feeds(newsroom):
    events = category_create(name="Sự kiện", site=newsroom.site)
    client = host_client(newsroom.site.dev_host)
    home = page_text(client.get("/"))
    assert '<link rel="alternate" type="application/rss+xml"' in home
    assert 'href="/rss.xml"' in home
    listing = page_text(client.get(f"/tin-tuc/?chuyen-muc={events.slug}"))
    assert f'href="/rss/{events.slug}.xml"' in listing


def test_head_reads_the_site_from_the_request_when_a_page_names_something_else_site(tenant_db):
    # given a view whose context has its own `site` (a filter's value), not the site's context
    request = RequestFactory().get("/tin-tuc/?utm_source=x", HTTP_HOST=PORTAL)
    request.tenant, request.component_site = tenant_db["hagiang"], None
    # when
    html = render_to_string("frontend/includes/head_meta.html", {"site": "7"}, request=request)
    # then
    assert f'<link rel="canonical" href="http://{PORTAL}/tin-tuc/">' in html
    assert _property(html, "og:site_name") == tenant_db["hagiang"].portal_name


def test_staff_pages_are_noindex_without_canonical_or_open_graph(newsroom):
    editor = signed_in(newsroom.site.dev_host, newsroom.author(newsroom.site))
    html = page_text(editor.get("/staff/items/"))
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert 'rel="canonical"' not in html
    assert "og:" not in html
    assert "application/rss+xml" not in html


# --- print and save ------------------------------------------------------------------------


def test_article_offers_print_and_save(newsroom):
    item = newsroom.publish(title="Lịch tiếp công dân")
    html = page_text(host_client(newsroom.site.dev_host).get(f"/bai-viet/{item.slug}/"))
    # print: a button the script shows (hidden without scripts), and the print stylesheet
    assert re.search(r"<button [^>]*data-print hidden>In", html)
    assert "/static/frontend/article.js" in html
    assert 'href="/static/frontend/print.css" media="print"' in html
    # save: a plain link
    assert f'href="/bai-viet/{item.slug}/luu/"' in html


def test_saved_article_is_one_escaped_html_file_named_after_it(newsroom):
    item = newsroom.publish(
        title="Thông báo <script>alert(1)</script>",
        summary="Tóm tắt",
        body="<p>Nội dung <strong>chính</strong></p>",
    )
    host = newsroom.site.dev_host
    response = host_client(host).get(f"/bai-viet/{item.slug}/luu/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{item.slug}.html"'
    html = response.content.decode()
    assert "Thông báo &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html
    assert "<p>Nội dung <strong>chính</strong></p>" in html
    assert f'<base href="http://{host}/bai-viet/{item.slug}/">' in html
    # self-contained: no stylesheet, script or image from anywhere
    assert not re.search(r'<link rel="stylesheet"|<script|src="', html)
    assert newsroom.site.agency.name in html


def test_save_name_is_safe_whatever_the_slug():
    assert discovery._file_name("Bao-Cao_2026") == "bao-cao-2026.html"
    assert discovery._file_name("---") == "bai-viet.html"
    assert discovery._file_name("a" * 200) == "a" * 80 + ".html"


def test_saving_a_withdrawn_article_says_why_it_is_gone_and_unknown_is_404(newsroom):
    item = newsroom.publish(title="Bài sẽ thu hồi", body="<p>Nội dung cũ</p>")
    item_withdraw(item=item, actor=newsroom.publisher(newsroom.site), reason="Đã hết hiệu lực")
    client = host_client(newsroom.site.dev_host)
    gone = client.get(f"/bai-viet/{item.slug}/luu/")
    html = page_text(gone)
    assert gone.status_code == 410
    assert "Content-Disposition" not in gone
    assert "Đã hết hiệu lực" in html
    assert "Nội dung cũ" not in html
    assert newsroom.site.agency.name in html
    assert client.get("/bai-viet/khong-co/luu/").status_code == 404
    assert not any(word in html for word in DEBUG_WORDS)


def test_an_english_article_is_saved_from_its_english_address(newsroom):
    original = newsroom.publish(title="Tin tiếng Việt")
    english = newsroom.publish(title="English news", language="en", translation_of=original)
    client = host_client(newsroom.site.dev_host)
    page = page_text(client.get(f"/en/article/{english.slug}/"))
    assert f'href="/en/article/{english.slug}/save/"' in page
    response = client.get(f"/en/article/{english.slug}/save/")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
