"""News categories as people meet them: the province administrator names and orders each site's
categories, editors file an item under one of its own site's, and citizens filter a site's
news by category and follow an item's category to that list."""

from __future__ import annotations

import pytest

from editorial.models import Category, Item
from editorial.services import category_create, item_create
from organization.models import ComponentSite
from tests.conftest import host_client
from tests.factories.editorial import Desk
from tests.factories.pages import options, page_text
from tests.frontend.test_administration import Hue as HueAdministration

ADMIN = "/staff/quan-tri/chuyen-muc/"


@pytest.fixture
def hue(province_schema):
    site, staff = province_schema("thuathienhue")
    administration = HueAdministration(site, staff)
    administration.site = site
    administration.other_site = ComponentSite.objects.exclude(pk=site.pk).order_by("pk").first()
    return administration


# --- the administrator's page ---------------------------------------------------------------


def test_admin_sees_the_categories_of_the_portal_and_of_each_component_site(hue):
    category_create(name="Chỉ đạo điều hành")
    category_create(name="Hoạt động sở", site=hue.site)
    html = page_text(hue.client().get(ADMIN))
    assert "Chỉ đạo điều hành" in html
    assert "Hoạt động sở" in html
    assert hue.site.agency.name in html
    assert hue.other_site.agency.name in html
    choices = options(html, "site")
    assert choices[0] == "portal"
    assert {str(hue.site.pk), str(hue.other_site.pk)} <= set(choices[1:])


def test_admin_creates_renames_and_reorders_a_component_sites_category(hue):
    admin = hue.client()
    # when: created for the first component site
    created = admin.post(ADMIN, {"site": hue.site.pk, "name": "Văn hoá – Du lịch", "position": ""})
    assert created.status_code == 302
    category = Category.objects.get(site=hue.site)
    assert (category.site, category.slug, category.position) == (hue.site, "van-hoa-du-lich", 0)
    # when: renamed and moved
    edited = admin.post(f"{ADMIN}{category.pk}/", {"name": "Du lịch", "position": "5"})
    # then: the address stays
    assert edited.status_code == 302
    category.refresh_from_db()
    assert (category.name, category.slug, category.position) == ("Du lịch", "van-hoa-du-lich", 5)
    assert "Du lịch" in page_text(admin.get(ADMIN))


def test_a_name_the_site_already_has_is_refused_with_the_form_again(hue):
    category_create(name="Thời sự", site=hue.site)
    response = hue.client().post(ADMIN, {"site": hue.site.pk, "name": "thời sự", "position": "1"})
    html = page_text(response)
    assert response.status_code == 400
    assert 'class="error-summary" role="alert"' in html
    assert 'id="id_name_error"' in html
    assert 'aria-invalid="true"' in html
    assert "Thời sự" in html
    assert Category.objects.filter(site=hue.site).count() == 1
    # the same name on another site is fine
    other = hue.client().post(ADMIN, {"site": hue.other_site.pk, "name": "Thời sự"})
    assert other.status_code == 302


def test_a_negative_position_and_an_unknown_site_are_refused(hue):
    admin = hue.client()
    negative = admin.post(ADMIN, {"site": "portal", "name": "A", "position": "-1"})
    unknown = admin.post(ADMIN, {"site": "999999", "name": "B"})
    assert (negative.status_code, unknown.status_code) == (400, 400)
    assert "Thứ tự phải là số không âm." in page_text(negative)
    # (the portal's categories of the required sections exist from onboarding, ADR 0016)
    assert not Category.objects.filter(name__in=["A", "B"]).exists()


def test_a_category_in_use_is_not_deleted_an_unused_one_is(hue):
    used = category_create(name="Đang dùng", site=hue.site)
    unused = category_create(name="Bỏ đi", site=hue.site)
    item_create(
        actor=hue.staff.holding("board_member"),
        kind="news",
        title="Tin",
        site=hue.site,
        category=used,
    )
    admin = hue.client()
    refused = admin.post(f"{ADMIN}{used.pk}/xoa/")
    deleted = admin.post(f"{ADMIN}{unused.pk}/xoa/")
    assert refused.status_code == 400
    assert "đang có 1 bài viết" in page_text(refused)
    assert deleted.status_code == 302
    assert list(Category.objects.filter(site=hue.site).values_list("name", flat=True)) == [
        "Đang dùng"
    ]


def test_nobody_but_the_administrator_opens_the_category_pages(hue):
    category = category_create(name="Riêng", site=hue.site)
    client = hue.client(hue.staff.holding("head"))
    for url in (ADMIN, f"{ADMIN}{category.pk}/", f"{ADMIN}{category.pk}/xoa/"):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "Đổi", "position": "1"}).status_code == 403, url
    category.refresh_from_db()
    assert category.name == "Riêng"


# --- the back office forms -----------------------------------------------------------------


def test_the_new_item_form_offers_only_the_categories_of_its_site(hue):
    mine = category_create(name="Của sở", site=hue.site)
    theirs = category_create(name="Của trang khác", site=hue.other_site)
    portal = category_create(name="Của Cổng")
    member = hue.staff.holding("board_member")
    client = hue.client(member)
    url = f"/staff/items/new/?kind=news&site={hue.site.label}"
    assert options(page_text(client.get(url)), "category") == ["", str(mine.pk)]
    # another site's category posted anyway: refused on the field, nothing created
    for foreign in (theirs, portal):
        refused = client.post(url, {"title": "Tin", "category": foreign.pk})
        assert refused.status_code == 400
        assert "Chuyên mục không thuộc trang của bài viết." in page_text(refused)
    assert not Item.objects.exists()
    created = client.post(url, {"title": "Tin có chuyên mục", "category": mine.pk})
    assert created.status_code == 302
    assert Item.objects.get().category == mine


def test_the_editor_changes_or_removes_an_items_category(hue):
    first = category_create(name="Một", site=hue.site)
    second = category_create(name="Hai", site=hue.site, position=1)
    member = hue.staff.holding("board_member")
    item = item_create(actor=member, kind="news", title="Tin", site=hue.site, category=first)
    client = hue.client(member)
    page = page_text(client.get(f"/staff/items/{item.pk}/"))
    assert options(page, "category") == ["", str(first.pk), str(second.pk)]
    assert f'<option value="{first.pk}" selected>' in page
    moved = client.post(f"/staff/items/{item.pk}/", {"title": "Tin", "category": second.pk})
    assert moved.status_code == 302
    item.refresh_from_db()
    assert item.category == second
    client.post(f"/staff/items/{item.pk}/", {"title": "Tin", "category": ""})
    item.refresh_from_db()
    assert item.category is None


# --- the public pages ------------------------------------------------------------------------


@pytest.fixture
def newsroom(province_schema):
    site, staff = province_schema("backan")
    return Desk(staff, site)


def test_the_news_list_filters_by_a_category_of_this_site_and_links_each_one(newsroom):
    economy = category_create(name="Kinh tế", site=newsroom.site)
    culture = category_create(name="Văn hoá", site=newsroom.site, position=1)
    newsroom.publish(title="Tin kinh tế", category=economy)
    newsroom.publish(title="Tin văn hoá", category=culture)
    newsroom.publish(title="Tin chưa xếp")
    client = host_client(newsroom.site.dev_host)
    # the whole list links each category of the site
    listing = page_text(client.get("/tin-tuc/"))
    assert 'href="/tin-tuc/?chuyen-muc=kinh-te"' in listing
    assert 'href="/tin-tuc/?chuyen-muc=van-hoa"' in listing
    assert all(title in listing for title in ("Tin kinh tế", "Tin văn hoá", "Tin chưa xếp"))
    # when filtered
    response = client.get("/tin-tuc/?chuyen-muc=kinh-te")
    html = page_text(response)
    assert response.status_code == 200
    assert "<h1>Kinh tế</h1>" in html
    assert 'href="/tin-tuc/?chuyen-muc=kinh-te" aria-current="page"' in html
    assert "Tin kinh tế" in html
    assert "Tin văn hoá" not in html
    assert "Tin chưa xếp" not in html


def test_another_sites_or_an_unknown_category_is_not_found(newsroom):
    category_create(name="Của Cổng")  # the portal's, slug cua-cong
    newsroom.publish(title="Tin")
    client = host_client(newsroom.site.dev_host)
    assert client.get("/tin-tuc/?chuyen-muc=cua-cong").status_code == 404
    assert client.get("/tin-tuc/?chuyen-muc=khong-co").status_code == 404
    assert host_client("backan.localhost").get("/tin-tuc/?chuyen-muc=cua-cong").status_code == 200


def test_an_items_page_links_its_category_to_the_filtered_list(newsroom):
    category = category_create(name="Nông nghiệp", site=newsroom.site)
    item = newsroom.publish(title="Mùa lúa mới", category=category)
    html = page_text(host_client(newsroom.site.dev_host).get(f"/bai-viet/{item.slug}/"))
    assert '<a href="/tin-tuc/?chuyen-muc=nong-nghiep">Nông nghiệp</a>' in html


def test_the_filtered_list_pages_keep_the_category(newsroom):
    category = category_create(name="Thời sự", site=newsroom.site)
    for number in range(21):  # one more than a page
        newsroom.publish(title=f"Tin {number}", category=category)
    response = host_client(newsroom.site.dev_host).get("/tin-tuc/?chuyen-muc=thoi-su")
    assert 'rel="next" href="?chuyen-muc=thoi-su&amp;trang=2"' in response.content.decode()


def test_the_filtered_list_costs_a_bounded_number_of_queries(
    newsroom, django_assert_max_num_queries
):
    for number in range(4):
        category = category_create(name=f"Chuyên mục {number}", site=None)
        newsroom.publish(title=f"Tin {number}", on_portal=True, category=category)
    client = host_client("backan.localhost")
    client.get("/")  # warm the host caches
    # categories, count, page (+ search_path): the categories in one query
    with django_assert_max_num_queries(4):
        assert client.get("/tin-tuc/?chuyen-muc=chuyen-muc-1").status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get("/tin-tuc/?trang=1").status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get("/tin-tuc/?chuyen-muc=chuyen-muc-1").status_code == 200
