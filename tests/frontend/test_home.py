"""The home pages: every province's portal reads as an official portal's front page (news,
announcements, direction and administration, the leaders' schedule, entries to the pages
citizens come for, the component sites), and every component site has its own."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse

from editorial.selectors import site_categories
from organization.models import Agency, ComponentSite
from provinces.loader import resolve_profile
from tests.conftest import SEED_SLUGS, host_client
from tests.factories.editorial import draft_fields, front_page, published, schedule_fields
from tests.factories.organization import Staff
from tests.factories.pages import page_text

# What a citizen must never read (STYLE.md 18): kind codes, the profile's own notation.
INTERNAL_WORDS = (
    "news",
    "event",
    "announcement",
    "legal_document",
    "draft_document",
    "spokesperson_statement",
    "leader_schedule",
    "department",
    "district",
    "platform default",
    "Art.",
)


class _Text(HTMLParser):
    """The text a reader sees: no tags, attributes, styles or scripts."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def item_links(html: str) -> set[str]:
    return set(re.findall(r'href="(/bai-viet/[^"/]+/)"', html))


def route(name: str) -> str | None:
    try:
        return reverse(f"frontend:{name}")
    except NoReverseMatch:
        return None


# --- the province portal ---------------------------------------------------------------------


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_every_portal_home_shows_its_blocks_and_links_the_published_articles(province_schema, slug):
    # given a portal with content of every kind of its home page
    _, staff = province_schema(slug)
    items = front_page(staff)
    # when a citizen opens the portal
    response = host_client(f"{slug}.localhost").get("/")
    # then each block shows, with its items
    html = page_text(response)
    assert response.status_code == 200
    for heading in (
        "Tin nổi bật",
        "Tin tức – Sự kiện",
        "Thông báo",
        "Chỉ đạo – điều hành",
        "Lịch công tác của lãnh đạo",
    ):
        assert f">{heading}</h2>" in html, heading
    links = item_links(html)
    articles = [items[f"news{number}"] for number in range(1, 6)]
    assert {f"/bai-viet/{item.slug}/" for item in articles} <= links
    assert len(links) >= 5
    assert "Cây cầu nối hai bờ sông Lô" in html  # the lead story's summary
    assert "Thông báo tuyển dụng công chức" in html
    assert "Phát ngôn về giá đất" in html
    assert "Họp giao ban đầu tuần" in html
    # and the entries to the pages citizens come for, where the platform has them
    for name, label in (("qa_list", "Hỏi – Đáp"), ("contacts", "Liên hệ")):
        if route(name):
            assert f'<a href="{route(name)}">{label}</a>' in html
    if route("documents"):
        assert "12/2026/QĐ-UBND: Quy định về quản lý đất đai" in html
    if route("drafts"):
        assert "Dự thảo quy định phí đỗ xe" in html
        assert "Hạn góp ý:" in html


def test_portal_home_hides_the_blocks_that_have_nothing_to_show(tenant_db):
    # given a portal where nothing is published yet
    html = page_text(host_client("dongnai.localhost").get("/"))
    # then no empty block, no placeholder
    for heading in (
        "Tin nổi bật",
        "Tin tức – Sự kiện",
        "Thông báo",
        "Chỉ đạo – điều hành",
        "Lịch công tác của lãnh đạo",
    ):
        assert f">{heading}</h2>" not in html, heading
    assert "Văn bản quy phạm pháp luật</a></h3>" not in html
    assert "Dự thảo lấy ý kiến</a></h3>" not in html
    assert "Chưa có" not in html
    # but the component sites are there, grouped under their kind's label
    assert "Sở, ban, ngành</h3>" in html


def test_the_newest_featured_item_leads_and_an_older_one_follows(province_schema):
    _, staff = province_schema("hagiang")
    older = published(staff, site=None, title="Tin nổi bật cũ", featured=True)
    newer = published(
        staff, site=None, title="Tin nổi bật mới", summary="Tóm tắt tin mới.", featured=True
    )
    html = page_text(host_client("hagiang.localhost").get("/"))
    lead = re.search(r'<article class="lead-story">(.*?)</article>', html, re.DOTALL).group(1)
    assert f'href="/bai-viet/{newer.slug}/"' in lead
    assert "Tóm tắt tin mới." in lead
    assert f'href="/bai-viet/{older.slug}/"' not in lead
    assert f'href="/bai-viet/{older.slug}/"' in html
    # a featured item is not repeated among the latest news
    assert html.count(f'href="/bai-viet/{newer.slug}/"') == 1


def test_direction_block_gathers_statements_and_the_direction_sections_category(
    province_schema,
):
    # given Thái Nguyên, whose "direction" section files items in a portal category
    _, staff = province_schema("thainguyen")
    section = next(
        s for s in resolve_profile("thainguyen").required_sections if s.code == "direction"
    )
    category = next(c for c in site_categories(site=None) if c.slug == section.content.category)
    filed = published(staff, site=None, title="Ý kiến chỉ đạo về phòng chống lũ", category=category)
    statement = published(
        staff,
        site=None,
        kind="spokesperson_statement",
        title="Phát ngôn về cháy rừng",
        fields={"spokesperson": "Chánh Văn phòng"},
    )
    plain = published(staff, site=None, title="Tin văn hoá")
    schedule = published(
        staff,
        site=None,
        kind="leader_schedule",
        title="Lịch công tác của Chủ tịch",
        category=category,
        fields=schedule_fields(leader="Chủ tịch UBND tỉnh", activity="Làm việc với Sở Xây dựng"),
    )
    # when
    html = page_text(host_client("thainguyen.localhost").get("/"))
    # then the direction block lists the two, and links to the section's page
    block = re.search(r'id="direction-heading">.*?</section>', html, re.DOTALL).group(0)
    assert f"/bai-viet/{filed.slug}/" in block
    assert f"/bai-viet/{statement.slug}/" in block
    assert f"/bai-viet/{plain.slug}/" not in block
    # the schedule keeps its own block, though the section files it too
    assert f"/bai-viet/{schedule.slug}/" not in block
    assert "Làm việc với Sở Xây dựng" in html
    section_url = reverse("frontend:section", kwargs={"slug": section.slug})
    assert f'href="{section_url}"' in block


def test_a_draft_leaves_the_home_page_when_its_comment_period_closes(province_schema):
    if route("drafts") is None:
        pytest.skip("the drafts page is not part of this platform")
    _, staff = province_schema("dongnai")
    published(
        staff,
        site=None,
        kind="draft_document",
        title="Dự thảo đang lấy ý kiến",
        fields=draft_fields(closes_in_days=3),
    )
    published(
        staff,
        site=None,
        kind="draft_document",
        title="Dự thảo đã hết hạn góp ý",
        fields=draft_fields(closes_in_days=-1),
    )
    html = page_text(host_client("dongnai.localhost").get("/"))
    assert "Dự thảo đang lấy ý kiến" in html
    assert "Dự thảo đã hết hạn góp ý" not in html


def test_home_pages_never_show_internal_codes_or_citations(province_schema):
    site, staff = province_schema("thainguyen")
    front_page(staff)
    front_page(staff, site=site, prefix="Sở: ")
    for host in ("thainguyen.localhost", site.dev_host):
        text = visible_text(page_text(host_client(host).get("/")))
        for word in INTERNAL_WORDS:
            assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text), (host, word)
        assert "Điều " not in text  # citations belong on the legal-basis page


def test_portal_home_links_the_profiles_connected_systems(tenant_db):
    # Thái Nguyên's profile connects its executive site (QĐ 40/2012 Art. 8(1))
    html = page_text(host_client("thainguyen.localhost").get("/"))
    assert ">Liên kết</h2>" in html
    assert (
        '<a href="https://ethainguyen.gov.vn/">Website chỉ đạo, điều hành của Ủy ban nhân dân '
        "tỉnh</a>" in html
    )
    # and the EMC monitoring system is not a link
    assert "(EMC)" not in page_text(host_client("backan.localhost").get("/"))


def test_portal_home_costs_at_most_ten_queries_on_a_cold_cache(
    province_schema, django_assert_max_num_queries
):
    # given a portal with every block filled
    _, staff = province_schema("hagiang")
    front_page(staff)
    client = host_client("hagiang.localhost")
    cache.clear()
    # when the first visitor comes
    with django_assert_max_num_queries(10):
        response = client.get("/")
    # then
    assert response.status_code == 200
    assert "Lịch công tác của lãnh đạo" in page_text(response)


def test_a_publication_shows_on_the_home_page_at_once(
    province_schema, django_capture_on_commit_callbacks
):
    # given a home page in the cache
    _, staff = province_schema("backan")
    client = host_client("backan.localhost")
    client.get("/")
    # when an item is published (the services drop cached pages once it is committed)
    with django_capture_on_commit_callbacks(execute=True):
        item = published(staff, site=None, title="Tin vừa đăng")
    # then the next visitor reads it
    assert f"/bai-viet/{item.slug}/" in page_text(client.get("/"))


# --- a component site ---------------------------------------------------------------------------


def test_component_site_home_shows_its_own_items_only(province_schema):
    # given items on the portal, on this component site and on another one
    site, staff = province_schema("hagiang")
    other = ComponentSite.objects.exclude(pk=site.pk).order_by("pk").first()
    own = front_page(staff, site=site, prefix="Sở: ")
    portal_item = published(staff, site=None, title="Tin của Cổng tỉnh")
    other_item = published(Staff(other.agency), site=other, title="Tin của trang thành phần khác")
    # when
    html = page_text(host_client(site.dev_host).get("/"))
    # then
    assert f"<h1>{site.agency.name}</h1>" in html
    links = item_links(html)
    assert {f"/bai-viet/{own[f'news{n}'].slug}/" for n in range(1, 6)} <= links
    assert "Sở: Thông báo tuyển dụng công chức" in html
    assert "Sở: Lịch công tác tuần này" in html
    assert "Tin của Cổng tỉnh" not in html
    assert f"/bai-viet/{portal_item.slug}/" not in links
    assert "Tin của trang thành phần khác" not in html
    assert f"/bai-viet/{other_item.slug}/" not in links


def test_component_site_home_names_no_kind_and_no_id(tenant_db, in_province):
    with in_province("hagiang"):
        site = ComponentSite.objects.select_related("agency").get(label="stttt")
        kind_label = str(Agency.Kind(site.agency.kind).label)
    text = visible_text(page_text(host_client(site.dev_host).get("/")))
    assert kind_label not in text
    assert site.agency.kind not in text
    assert "Loại cơ quan" not in text
    assert not re.search(r"\b(ID|id|Mã)\s*[:#]?\s*\d", text)


def test_component_site_home_shows_its_contacts_its_qa_and_the_way_back(province_schema):
    from organization.services import agency_contacts_update, leader_add

    # given an agency with its public contact and a leader
    site, _ = province_schema("hagiang")
    agency_contacts_update(
        agency=site.agency,
        acting_user=None,
        address="Số 1 đường Nguyễn Trãi, thành phố Hà Giang",
        phone="0219 3860 000",
        email="stttt@hagiang.gov.vn",
    )
    leader_add(agency=site.agency, name="Trần Văn B", title="Giám đốc", phone="0219 3860 001")
    # when
    html = page_text(host_client(site.dev_host).get("/"))
    # then
    assert ">Liên hệ</h2>" in html
    assert "Số 1 đường Nguyễn Trãi, thành phố Hà Giang" in html
    assert '<a href="mailto:stttt@hagiang.gov.vn">' in html
    assert '<a href="tel:02193860000">0219 3860 000</a>' in html
    assert "<strong>Trần Văn B</strong>, Giám đốc" in html
    if route("qa_list"):
        assert f'<a href="{route("qa_list")}">Hỏi – Đáp</a>' in html
    assert 'href="http://hagiang.localhost/"' in html


def test_component_site_home_costs_at_most_ten_queries_on_a_cold_cache(
    province_schema, django_assert_max_num_queries
):
    site, staff = province_schema("thuathienhue")
    front_page(staff, site=site)
    client = host_client(site.dev_host)
    cache.clear()
    with django_assert_max_num_queries(10):
        response = client.get("/")
    assert response.status_code == 200
    assert "Lịch công tác của lãnh đạo" in page_text(response)
