"""Categories file a site's items: each site (the portal, each component site) has its own, and
an item only ever takes a category of its own site — in the services and through the API."""

from __future__ import annotations

import pytest

from accounts.models import User
from editorial.models import Category, Item
from editorial.services import (
    EditorialError,
    category_create,
    category_delete,
    category_update,
    item_create,
    item_update,
)
from organization.models import ComponentSite
from tests.factories.api import NEWS, Newsroom, error_of, patch_json, post_json
from tests.factories.editorial import item_author


@pytest.fixture
def bac_kan(province_schema):
    site, staff = province_schema("backan")
    return site, staff, User.objects.get(is_superuser=True)  # the province's administrator


# --- the categories themselves ------------------------------------------------------------


def test_each_site_has_its_own_categories_with_their_own_slugs(bac_kan):
    site, _staff, admin = bac_kan
    # when the same name is used on the portal and on a component site
    portal = category_create(name="Kinh tế", actor=admin, existing_ok=False)
    local = category_create(name="Kinh tế", site=site, actor=admin, existing_ok=False)
    # then both exist, each with the slug of its name on its own site
    assert (portal.site_id, portal.slug) == (None, "kinh-te")
    assert (local.site_id, local.slug) == (site.pk, "kinh-te")


def test_a_name_the_site_already_has_is_refused_or_returned_when_seeding(bac_kan):
    site, _staff, admin = bac_kan
    first = category_create(name="Văn hoá", site=site, actor=admin)
    # seeding twice returns the same category
    assert category_create(name="văn hoá", site=site) == first
    # the administrator's page refuses it, naming the category it clashes with
    with pytest.raises(EditorialError) as refused:
        category_create(name="VĂN HOÁ", site=site, actor=admin, existing_ok=False)
    assert (refused.value.code, refused.value.field) == ("category_exists", "name")
    assert "Văn hoá" in refused.value.message
    assert Category.objects.filter(site=site).count() == 1


@pytest.mark.parametrize(
    ("name", "code"),
    [("   ", "name_required"), ("x" * 201, "name_too_long"), ("!!! ---", "invalid_name")],
)
def test_a_name_without_letters_or_too_long_is_refused(bac_kan, name, code):
    site, _staff, admin = bac_kan
    with pytest.raises(EditorialError) as refused:
        category_create(name=name, site=site, actor=admin, existing_ok=False)
    assert (refused.value.code, refused.value.field) == (code, "name")
    assert not Category.objects.filter(site=site).exists()


def test_without_a_position_a_new_category_goes_last_on_its_site(bac_kan):
    site, _staff, admin = bac_kan
    category_create(name="Thời sự", site=site, position=7, actor=admin)
    category_create(name="Cổng khác", position=50, actor=admin)  # the portal's: not counted
    last = category_create(name="Thể thao", site=site, position=None, actor=admin)
    assert last.position == 8


def test_renaming_keeps_the_slug_and_a_new_category_of_the_old_name_gets_a_numbered_one(bac_kan):
    site, _staff, admin = bac_kan
    category = category_create(name="Kinh tế", site=site, actor=admin)
    # when renamed and reordered
    renamed = category_update(category=category, name="Kinh tế – Xã hội", position=3, actor=admin)
    # then its address stays; a new "Kinh tế" takes the next free slug
    assert (renamed.name, renamed.slug, renamed.position) == ("Kinh tế – Xã hội", "kinh-te", 3)
    again = category_create(name="Kinh tế", site=site, actor=admin, existing_ok=False)
    assert again.slug == "kinh-te-2"


def test_a_rename_to_another_categorys_name_or_a_negative_position_is_refused(bac_kan):
    site, _staff, admin = bac_kan
    category_create(name="Giáo dục", site=site, actor=admin)
    health = category_create(name="Y tế", site=site, actor=admin)
    with pytest.raises(EditorialError) as clash:
        category_update(category=health, name="giáo dục", actor=admin)
    with pytest.raises(EditorialError) as negative:
        category_update(category=health, position=-1, actor=admin)
    assert clash.value.code == "category_exists"
    assert (negative.value.code, negative.value.field) == ("invalid_position", "position")
    health.refresh_from_db()
    assert (health.name, health.position) == ("Y tế", 0)


def test_only_a_category_without_items_can_be_deleted(bac_kan):
    site, staff, admin = bac_kan
    used = category_create(name="Tin địa phương", site=site, actor=admin)
    unused = category_create(name="Chưa dùng", site=site, actor=admin)
    item_create(
        actor=item_author(staff, on_portal=site is None),
        kind="news",
        title="Tin",
        site=site,
        category=used,
    )
    with pytest.raises(EditorialError) as refused:
        category_delete(category=used, actor=admin)
    category_delete(category=unused, actor=admin)
    assert refused.value.code == "category_in_use"
    assert "1 bài viết" in refused.value.message
    assert list(Category.objects.filter(site=site).values_list("name", flat=True)) == [
        "Tin địa phương"
    ]


# --- an item's category -------------------------------------------------------------------


def test_an_item_is_created_only_with_a_category_of_its_own_site(bac_kan):
    site, staff, admin = bac_kan
    portal_category = category_create(name="Chỉ đạo điều hành", actor=admin)
    with pytest.raises(EditorialError) as refused:
        item_create(
            actor=item_author(staff, on_portal=site is None),
            kind="news",
            title="Tin",
            site=site,
            category=portal_category,
        )
    assert (refused.value.code, refused.value.field) == ("wrong_category", "category")
    assert not Item.objects.exists()


def test_an_edit_moves_the_item_to_another_category_of_its_site_or_removes_it(bac_kan):
    site, staff, admin = bac_kan
    author = item_author(staff, on_portal=site is None)
    first = category_create(name="Nông nghiệp", site=site, actor=admin)
    second = category_create(name="Công nghiệp", site=site, actor=admin)
    item = item_create(actor=author, kind="news", title="Tin", site=site, category=first)
    # when
    item = item_update(item=item, actor=author, category=second)
    # then
    assert Item.objects.get(pk=item.pk).category == second
    # an edit that does not mention the category keeps it
    item = item_update(item=item, actor=author, title="Tin mới")
    assert Item.objects.get(pk=item.pk).category == second
    # None removes it
    item_update(item=item, actor=author, category=None)
    assert Item.objects.get(pk=item.pk).category is None


def test_an_edit_with_another_sites_category_is_refused_and_nothing_is_written(bac_kan):
    site, staff, admin = bac_kan
    author = item_author(staff, on_portal=site is None)
    mine = category_create(name="Của trang", site=site, actor=admin)
    other_site = ComponentSite.objects.exclude(pk=site.pk).order_by("pk").first()
    theirs = category_create(name="Của trang khác", site=other_site, actor=admin)
    item = item_create(actor=author, kind="news", title="Tin", site=site, category=mine)
    with pytest.raises(EditorialError) as refused:
        item_update(item=item, actor=author, title="Không lưu", category=theirs)
    assert (refused.value.code, refused.value.field) == ("wrong_category", "category")
    item.refresh_from_db()
    assert (item.category, item.current_revision.title, item.revisions.count()) == (
        mine,
        "Tin",
        1,
    )


# --- through the API ----------------------------------------------------------------------


@pytest.fixture
def thai_nguyen(tenant_db):
    newsroom = Newsroom(tenant_db["thainguyen"])
    with newsroom.inside():
        site = ComponentSite.objects.order_by("pk").first()
        other = ComponentSite.objects.exclude(pk=site.pk).order_by("pk").first()
        newsroom.mine = category_create(name="Chuyển đổi số", site=site).pk
        newsroom.portal = category_create(name="Chuyển đổi số").pk
        newsroom.theirs = category_create(name="Chuyển đổi số", site=other).pk
    return newsroom


def _category_of(newsroom, pk: int) -> int | None:
    with newsroom.inside():
        return Item.objects.get(pk=pk).category_id


def test_a_patch_moves_an_item_to_a_category_of_its_site_or_removes_it(thai_nguyen):
    updater = thai_nguyen.client(thai_nguyen.key("updater"))
    pk = post_json(updater, "/api/v1/items/", NEWS).json()["id"]
    path = f"/api/v1/items/{pk}/"

    moved = patch_json(updater, path, {"category": thai_nguyen.mine})
    assert moved.status_code == 200, moved.content
    assert moved.json()["category"] == thai_nguyen.mine
    assert _category_of(thai_nguyen, pk) == thai_nguyen.mine

    removed = patch_json(updater, path, {"category": None})
    assert removed.status_code == 200
    assert _category_of(thai_nguyen, pk) is None


@pytest.mark.parametrize("which", ["portal", "theirs"])
def test_a_patch_with_another_sites_category_is_a_400_and_nothing_is_written(thai_nguyen, which):
    updater = thai_nguyen.client(thai_nguyen.key("updater"))
    created = post_json(updater, "/api/v1/items/", {**NEWS, "category": thai_nguyen.mine}).json()
    path = f"/api/v1/items/{created['id']}/"

    response = patch_json(updater, path, {"category": getattr(thai_nguyen, which), "title": "Mới"})

    assert response.status_code == 400
    error = error_of(response)
    assert (error["code"], list(error["fields"])) == ("wrong_category", ["category"])
    assert _category_of(thai_nguyen, created["id"]) == thai_nguyen.mine
    assert updater.get(path + "?view=staff").json()["revision"] == 1


def test_a_patch_with_an_unknown_category_id_is_a_400(thai_nguyen):
    updater = thai_nguyen.client(thai_nguyen.key("updater"))
    path = f"/api/v1/items/{post_json(updater, '/api/v1/items/', NEWS).json()['id']}/"
    response = patch_json(updater, path, {"category": 999_999})
    assert response.status_code == 400
    assert "category" in error_of(response)["fields"]
