"""The English pages (/en/, /en/organisation/, /en/contacts/): where the profile's
`language.english` is true (Thái Nguyên, Hà Giang) they exist and render in English whatever the
visitor's language cookie; where it is false (Bắc Kạn, Đồng Nai, Huế) there are none."""

from __future__ import annotations

import pytest

from organization.models import Agency
from organization.services import agency_contacts_update, leader_add
from tests.conftest import host_client
from tests.factories.editorial import published
from tests.factories.pages import page_text

ENGLISH_PAGES = ("/en/", "/en/organisation/", "/en/contacts/")


def _in_english(staff, *, site, title: str):
    """A published Vietnamese item and its published English version (an English item is
    always the translation of an original)."""
    original = published(staff, site=site, title=f"Bản gốc: {title}")
    return published(staff, site=site, title=title, language="en", translation_of=original)


@pytest.mark.parametrize("slug", ["backan", "dongnai", "thuathienhue"])
@pytest.mark.parametrize("path", ENGLISH_PAGES)
def test_a_portal_without_an_english_version_has_no_english_pages(province_schema, slug, path):
    # given: a province whose profile says language.english = false
    site, _staff = province_schema(slug)
    # when
    on_portal = host_client(f"{slug}.localhost").get(path)
    on_site = host_client(site.dev_host).get(path)
    # then
    assert on_portal.status_code == 404
    assert on_site.status_code == 404


@pytest.mark.parametrize("slug", ["thainguyen", "hagiang"])
@pytest.mark.parametrize("path", ENGLISH_PAGES)
def test_a_portal_with_an_english_version_serves_them_in_english(province_schema, slug, path):
    # given
    province_schema(slug)
    # when: a visitor whose language is Vietnamese (no cookie)
    response = host_client(f"{slug}.localhost").get(path)
    # then: the page, its language and its chrome are English
    html = page_text(response)
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert response["Content-Language"] == "en"
    assert "Skip to main content" in html
    assert "Bỏ qua, đến nội dung chính" not in html


def test_the_english_home_names_the_province_in_english_and_lists_english_items(
    province_schema,
):
    # given: one item in English and one in Vietnamese on the portal
    _site, staff = province_schema("thainguyen")
    _in_english(staff, site=None, title="Thai Nguyen welcomes investors")
    published(staff, site=None, title="Tin tiếng Việt")
    # when
    html = page_text(host_client("thainguyen.localhost").get("/en/"))
    # then
    assert "Thai Nguyen" in html  # the province's name without diacritics
    assert '<p class="lede" lang="vi">Cổng Thông tin điện tử tỉnh Thái Nguyên</p>' in html
    assert "Thai Nguyen welcomes investors" in html
    assert 'href="/en/article/' in html
    assert "Tin tiếng Việt" not in html
    assert 'href="/en/organisation/"' in html
    assert 'href="/en/contacts/"' in html


def test_the_organisation_uses_english_names_and_marks_vietnamese_ones(province_schema):
    # given: one agency with an English name, the others without
    site, _staff = province_schema("thainguyen")
    agency_contacts_update(
        agency=site.agency,
        acting_user=None,
        english_name="Department of Planning and Investment",
    )
    leader_add(agency=site.agency, name="Nguyễn Văn An", title="Giám đốc")
    other = Agency.objects.exclude(pk=site.agency.pk).order_by("pk").first()
    # when
    html = page_text(host_client("thainguyen.localhost").get("/en/organisation/"))
    # then
    assert f'id="agency-{site.agency.pk}">Department of Planning and Investment</h3>' in html
    assert f'<p class="note" lang="vi">{site.agency.name}</p>' in html
    assert f'id="agency-{other.pk}" lang="vi">{other.name}</h3>' in html
    assert '<span lang="vi">Nguyễn Văn An</span> – <span lang="vi">Giám đốc</span>' in html


def test_the_english_contacts_give_each_agencys_contact(province_schema):
    site, _staff = province_schema("hagiang")
    agency_contacts_update(
        agency=site.agency,
        acting_user=None,
        phone="0219 3860 000",
        email="stttt@hagiang.gov.vn",
        english_name="Department of Information and Communications",
    )
    html = page_text(host_client("hagiang.localhost").get("/en/contacts/"))
    assert "Department of Information and Communications" in html
    assert '<a href="mailto:stttt@hagiang.gov.vn">' in html
    assert '<a href="tel:02193860000">0219 3860 000</a>' in html


def test_a_component_site_has_its_own_english_pages(province_schema):
    # given
    site, staff = province_schema("thainguyen")
    agency_contacts_update(
        agency=site.agency, acting_user=None, english_name="Department of Planning and Investment"
    )
    _in_english(staff, site=site, title="Investment guide")
    _in_english(staff, site=None, title="Portal news in English")
    other = Agency.objects.exclude(pk=site.agency.pk).order_by("pk").first()
    client = host_client(site.dev_host)
    # when
    home = page_text(client.get("/en/"))
    contacts = page_text(client.get("/en/contacts/"))
    # then
    assert "Department of Planning and Investment" in home
    assert "Investment guide" in home
    assert "Portal news in English" not in home
    assert "Department of Planning and Investment" in contacts
    assert other.name not in contacts
    assert 'href="http://thainguyen.localhost/en/contacts/"' in contacts


def test_the_english_pages_cost_at_most_ten_queries(province_schema, django_assert_max_num_queries):
    _site, staff = province_schema("thainguyen")
    for agency in Agency.objects.all():
        leader_add(agency=agency, name="Nguyễn Văn An", title="Giám đốc")
    _in_english(staff, site=None, title="Thai Nguyen welcomes investors")
    for path in ENGLISH_PAGES:
        with django_assert_max_num_queries(10):
            assert host_client("thainguyen.localhost").get(path).status_code == 200


def test_english_page_numbers_out_of_range_fall_back_to_the_first(province_schema):
    province_schema("thainguyen")
    client = host_client("thainguyen.localhost")
    for page in ("0", "-1", "abc", "99999999999999999999"):
        assert client.get("/en/", {"page": page}).status_code == 200


def test_a_vietnamese_page_after_an_english_one_stays_vietnamese(province_schema):
    province_schema("thainguyen")
    client = host_client("thainguyen.localhost")
    client.get("/en/")
    html = page_text(client.get("/lien-he/"))
    assert '<html lang="vi">' in html
    assert "Bỏ qua, đến nội dung chính" in html


def test_the_english_pages_have_an_english_menu_with_the_way_back_to_vietnamese(province_schema):
    # given: a portal whose profile names its sections in Vietnamese
    province_schema("thainguyen")
    # when
    html = page_text(host_client("thainguyen.localhost").get("/en/organisation/"))
    # then: the menu is the English pages', the current one marked, Vietnamese marked as such
    nav = html.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/en/organisation/" aria-current="page">Organisation<' in nav
    assert ">Home<" in nav
    assert ">Contacts<" in nav
    assert 'href="/" lang="vi" hreflang="vi">Tiếng Việt<' in nav
    assert "Chỉ đạo, điều hành" not in nav
