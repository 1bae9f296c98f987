"""The contacts page (/lien-he/) as citizens read it, and the administrator's pages that keep it:
every agency with its address, phone, e-mail, website and leaders on the portal, one agency on
its component site, the published contact directories as tables; changes through forms that say
what is wrong at the field."""

from __future__ import annotations

import pytest

from accounts.models import AuditEntry
from organization.models import Agency, Leader
from organization.services import agency_contacts_update, leader_add, leader_update
from tests.conftest import host_client
from tests.factories.accounts import administrator
from tests.factories.editorial import published
from tests.factories.pages import page_text, signed_in

PORTAL = "thainguyen.localhost"


@pytest.fixture
def thainguyen(province_schema):
    """Thái Nguyên with its first department's contact and leaders filled in (command line)."""
    site, staff = province_schema("thainguyen")
    agency = site.agency
    agency_contacts_update(
        agency=agency,
        acting_user=None,
        address="Số 18 đường Nha Trang, thành phố Thái Nguyên",
        phone="0208 3855 123",
        email="sokhdt@thainguyen.gov.vn",
        website="https://sokhdt.thainguyen.gov.vn",
        english_name="Department of Planning and Investment",
    )
    leader_add(agency=agency, name="Nguyễn Văn An", title="Giám đốc", phone="0912 345 678")
    hidden = leader_add(agency=agency, name="Lê Văn Ẩn", title="Phó Giám đốc")
    leader_update(leader=hidden, acting_user=None, is_active=False)
    return {"site": site, "agency": agency, "staff": staff}


# --- /lien-he/ on the portal ----------------------------------------------------------------


def test_the_portal_lists_every_agency_by_kind_with_its_contact_and_leaders(thainguyen):
    # when
    response = host_client(PORTAL).get("/lien-he/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert "<h1>Liên hệ</h1>" in html
    # grouped under the kinds' labels, never their codes
    assert ">Sở, ban, ngành</h2>" in html
    assert ">UBND cấp huyện</h2>" in html
    assert ">department<" not in html
    for agency in Agency.objects.filter(is_active=True):
        assert agency.name in html
    # the agency's contact, reachable in one click
    assert "Số 18 đường Nha Trang, thành phố Thái Nguyên" in html
    assert '<a href="tel:02083855123">0208 3855 123</a>' in html
    assert '<a href="mailto:sokhdt@thainguyen.gov.vn">' in html
    assert 'href="https://sokhdt.thainguyen.gov.vn"' in html
    # its active leaders only
    assert "Nguyễn Văn An" in html
    assert "Lê Văn Ẩn" not in html
    # a link to each component site
    assert f'href="http://{thainguyen["site"].dev_host}/"' in html


def test_the_portal_shows_the_mailbox_for_content(thainguyen):
    html = page_text(host_client(PORTAL).get("/lien-he/"))
    assert '<a href="mailto:portal@thainguyen.gov.vn">portal@thainguyen.gov.vn</a>' in html


def test_an_agency_without_a_contact_says_so_in_words(thainguyen):
    html = page_text(host_client(PORTAL).get("/lien-he/"))
    assert "Cơ quan chưa công bố địa chỉ, điện thoại và thư điện tử trên Cổng." in html


def test_a_published_contact_directory_is_shown_as_a_table(thainguyen):
    # given: Hà Giang-style directory on the portal
    published(
        thainguyen["staff"],
        site=None,
        kind="contact_directory",
        title="Danh bạ thư điện tử công vụ",
        fields={
            "contacts": [
                {
                    "name": "Trần Thị Hoa",
                    "title": "Chánh Văn phòng",
                    "unit": "Văn phòng UBND tỉnh",
                    "phone": "0208 3851 234",
                    "email": "hoa@thainguyen.gov.vn",
                }
            ]
        },
    )
    # when
    html = page_text(host_client(PORTAL).get("/lien-he/"))
    # then
    assert "Danh bạ thư điện tử công vụ</caption>" in html
    assert '<th scope="row">Trần Thị Hoa</th>' in html
    assert "Văn phòng UBND tỉnh" in html
    assert '<a href="mailto:hoa@thainguyen.gov.vn">hoa@thainguyen.gov.vn</a>' in html


def test_the_contacts_page_costs_at_most_ten_queries(thainguyen, django_assert_max_num_queries):
    # given: leaders at every agency and a directory
    for agency in Agency.objects.all():
        leader_add(agency=agency, name="Phạm Văn Bình", title="Phó Giám đốc")
    published(
        thainguyen["staff"],
        site=None,
        kind="contact_directory",
        title="Danh bạ",
        fields={"contacts": [{"name": "Trần Thị Hoa"}]},
    )
    # when: an anonymous visitor, cold cache
    with django_assert_max_num_queries(10):
        response = host_client(PORTAL).get("/lien-he/")
    # then
    assert response.status_code == 200
    assert page_text(response).count("Phạm Văn Bình") == Agency.objects.count()


def test_english_contacts_are_linked_only_where_the_portal_has_an_english_version(
    province_schema,
):
    province_schema("thainguyen")
    assert 'href="/en/contacts/"' in page_text(host_client(PORTAL).get("/lien-he/"))
    province_schema("backan")
    html = page_text(host_client("backan.localhost").get("/lien-he/"))
    assert "/en/contacts/" not in html


# --- /lien-he/ on a component site ------------------------------------------------------------


def test_a_component_site_shows_its_own_agency_and_links_to_the_portal(thainguyen):
    # given
    other = Agency.objects.exclude(pk=thainguyen["agency"].pk).order_by("pk").first()
    leader_add(agency=other, name="Hoàng Văn Khác", title="Chủ tịch")
    # when
    response = host_client(thainguyen["site"].dev_host).get("/lien-he/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert "Nguyễn Văn An" in html
    assert "0208 3855 123" in html
    assert other.name not in html
    assert "Hoàng Văn Khác" not in html
    assert 'href="http://thainguyen.localhost/lien-he/"' in html
    # no mailbox of the portal's board on an agency's site
    assert "portal@thainguyen.gov.vn" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_component_site_shows_its_own_directories_not_the_portals(thainguyen):
    staff, site = thainguyen["staff"], thainguyen["site"]
    published(
        staff,
        site=site,
        kind="contact_directory",
        title="Danh bạ của Sở",
        fields={"contacts": [{"name": "Cán bộ Sở"}]},
    )
    published(
        staff,
        site=None,
        kind="contact_directory",
        title="Danh bạ của Cổng",
        fields={"contacts": [{"name": "Cán bộ Cổng"}]},
    )
    html = page_text(host_client(site.dev_host).get("/lien-he/"))
    assert "Cán bộ Sở" in html
    assert "Cán bộ Cổng" not in html


def test_the_contacts_of_one_province_never_show_on_another(thainguyen, in_province):
    html = page_text(host_client("hagiang.localhost").get("/lien-he/"))
    assert "Nguyễn Văn An" not in html
    assert "sokhdt@thainguyen.gov.vn" not in html


# --- the administrator's pages ----------------------------------------------------------------


def _admin():
    return administrator()


def test_the_administrator_edits_an_agencys_contact_with_a_form(thainguyen):
    # given
    agency = thainguyen["agency"]
    client = signed_in(PORTAL, _admin())
    page = client.get(f"/staff/quan-tri/co-quan/{agency.pk}/")
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page_text(page)
    assert 'for="id_english_name"' in page_text(page)
    # when
    response = client.post(
        f"/staff/quan-tri/co-quan/{agency.pk}/",
        {
            "address": "Số 20 đường Nha Trang",
            "phone": "0208 3855 999",
            "email": "kh@thainguyen.gov.vn",
            "website": "https://kh.thainguyen.gov.vn",
            "english_name": "Department of Planning and Investment",
        },
    )
    # then
    assert response.status_code == 302
    assert Agency.objects.get(pk=agency.pk).phone == "0208 3855 999"
    assert AuditEntry.objects.filter(action__startswith="contacts_updated").exists()
    audit = page_text(client.get("/staff/quan-tri/nhat-ky/"))
    assert "Sửa thông tin liên hệ của cơ quan" in audit


def test_a_bad_website_is_shown_at_its_field_and_nothing_is_stored(thainguyen):
    agency = thainguyen["agency"]
    client = signed_in(PORTAL, _admin())
    response = client.post(
        f"/staff/quan-tri/co-quan/{agency.pk}/",
        {"address": "Địa chỉ mới", "website": "javascript:alert(1)"},
    )
    html = page_text(response)
    assert response.status_code == 400
    assert 'id="id_website_error"' in html
    assert "phải bắt đầu bằng http:// hoặc https://" in html
    assert Agency.objects.get(pk=agency.pk).address != "Địa chỉ mới"


def test_the_administrator_adds_edits_and_removes_a_leader(thainguyen):
    agency = thainguyen["agency"]
    client = signed_in(PORTAL, _admin())
    # when: added
    response = client.post(
        f"/staff/quan-tri/co-quan/{agency.pk}/lanh-dao/them/",
        {"leader-name": "Đỗ Thị Mai", "leader-title": "Phó Giám đốc", "leader-phone": ""},
    )
    # then
    assert response.status_code == 302
    leader = Leader.objects.get(name="Đỗ Thị Mai")
    assert "Đỗ Thị Mai" in page_text(host_client(PORTAL).get("/lien-he/"))
    # when: a refused edit, then a good one
    url = f"/staff/quan-tri/co-quan/{agency.pk}/lanh-dao/{leader.pk}/"
    refused = client.post(url, {"name": "Đỗ Thị Mai", "title": "", "position": "1"})
    assert refused.status_code == 400
    assert 'id="id_title_error"' in page_text(refused)
    assert "Hãy nhập chức vụ." in page_text(refused)
    edited = client.post(
        url, {"name": "Đỗ Thị Mai", "title": "Giám đốc", "position": "0", "is_active": "on"}
    )
    assert edited.status_code == 302
    assert Leader.objects.get(pk=leader.pk).title == "Giám đốc"
    # when: removed
    removed = client.post(f"{url}go/")
    assert removed.status_code == 302
    assert not Leader.objects.filter(pk=leader.pk).exists()


def test_a_leader_of_another_agency_is_out_of_reach(thainguyen):
    agency = thainguyen["agency"]
    other = Agency.objects.exclude(pk=agency.pk).order_by("pk").first()
    stranger = leader_add(agency=other, name="Hoàng Văn Khác", title="Chủ tịch")
    client = signed_in(PORTAL, _admin())
    url = f"/staff/quan-tri/co-quan/{agency.pk}/lanh-dao/{stranger.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(f"{url}go/").status_code == 404
    assert Leader.objects.filter(pk=stranger.pk).exists()


def test_only_the_administrator_opens_the_contacts_pages(thainguyen):
    head = thainguyen["staff"].holding("agency_head")
    client = signed_in(PORTAL, head)
    assert client.get("/staff/quan-tri/co-quan/").status_code == 403
    response = client.post(
        f"/staff/quan-tri/co-quan/{thainguyen['agency'].pk}/", {"phone": "0208 1"}
    )
    assert response.status_code == 403


def test_the_agency_list_says_which_agencies_have_a_contact(thainguyen):
    html = page_text(signed_in(PORTAL, _admin()).get("/staff/quan-tri/co-quan/"))
    assert thainguyen["agency"].name in html
    assert "Đã có" in html
    assert "Chưa có" in html
