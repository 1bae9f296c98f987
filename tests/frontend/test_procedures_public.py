"""Thủ tục hành chính (`/thu-tuc/`): a citizen finds any procedure of the province (or of one
agency, on its component site) by words — with or without diacritics, with a one-letter typo —
and by field, agency, level and online service; opens its page with everything needed to do it
(steps and who handles each, dossier and forms to download, time, fees, legal basis, the national
portal where it can be done online, its versions) and prints it. Bad input is a 400, an unknown
procedure a 404, one no longer published a 410; a profile that does not publish the catalogue
takes it away."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import TestCase

from catalog.selectors import procedures_listed
from editorial.services import item_unpublish, item_withdraw
from frontend import profiles as frontend_profiles
from frontend import sections as frontend_sections
from organization.models import Agency
from tests.conftest import host_client
from tests.factories.catalog import PDF, procedure_entered, procedure_published
from tests.factories.editorial import Desk
from tests.factories.pages import options, page_text

TN = "thainguyen.localhost"
HUE = "thuathienhue.localhost"


@pytest.fixture
def thainguyen(province_schema):
    """Thái Nguyên's first component site, a Staff maker, and another agency of the province."""
    site, staff = province_schema("thainguyen")
    other = Agency.objects.exclude(pk=site.agency_id).order_by("pk").first()
    return site, staff, other


def listed(html: str) -> list[str]:
    """The procedures' names in the results table, in order."""
    table = re.search(r'<table class="table procedures">.*?</table>', html, re.DOTALL)
    if table is None:
        return []
    return re.findall(r'<td><a href="/thu-tuc/[^"]+/">([^<]+)</a>', table.group(0))


def option_labels(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.DOTALL)
    assert select, f"no <select name={name}>"
    return re.findall(r"<option [^>]*>([^<]*)</option>", select.group(0))


# --- the list ---------------------------------------------------------------------------------


def test_the_catalogue_lists_the_provinces_procedures_with_their_facts_and_facets(thainguyen):
    # given procedures of two agencies, one online, one at commune level, and one not published
    site, staff, other = thainguyen
    procedure_published(
        staff, code="1.009994", title="Cấp giấy phép xây dựng", online_level="level4"
    )
    procedure_published(
        staff,
        code="2.000123",
        title="Đăng ký khai sinh",
        agency=other,
        field="Hộ tịch",
        level="commune",
    )
    procedure_entered(staff, code="9.9", title="Thủ tục chưa công bố")
    # when
    response = host_client(TN).get("/thu-tuc/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert listed(html) == ["Cấp giấy phép xây dựng", "Đăng ký khai sinh"]
    assert "Tìm thấy 2 thủ tục" in html
    assert "Thủ tục chưa công bố" not in html
    for fact in ("1.009994", site.agency.name, other.name, "Cấp tỉnh", "Cấp xã", "Mức độ 4"):
        assert fact in html
    # each facet in words, with its count; never a code
    assert option_labels(html, "cap") == ["Tất cả", "Cấp tỉnh (1 thủ tục)", "Cấp xã (1 thủ tục)"]
    assert options(html, "cap") == ["", "tinh", "xa"]
    assert "Mức độ 4 (1 thủ tục)" in option_labels(html, "truc-tuyen")
    assert "Không có dịch vụ công trực tuyến (1 thủ tục)" in option_labels(html, "truc-tuyen")
    assert sorted(options(html, "co-quan")) == sorted(["", str(site.agency_id), str(other.pk)])
    assert "level4" not in html
    assert ">province<" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("linh-vuc=Hộ+tịch", ["Đăng ký khai sinh"]),
        ("cap=xa", ["Đăng ký khai sinh"]),
        ("cap=tinh", ["Cấp giấy phép xây dựng", "Cấp giấy phép khai thác"]),
        ("truc-tuyen=muc-do-4", ["Cấp giấy phép khai thác"]),
        ("truc-tuyen=co", ["Cấp giấy phép xây dựng", "Cấp giấy phép khai thác"]),
        ("truc-tuyen=khong", ["Đăng ký khai sinh"]),
        ("q=cap+giay+phep+xay+dung", ["Cấp giấy phép xây dựng"]),
        ("q=Cấp+giấy+phép+xây+dựng", ["Cấp giấy phép xây dựng"]),
        ("q=giay+phep+xay+dunh", ["Cấp giấy phép xây dựng"]),
        ("q=khai+sinh&cap=tinh", []),
        ("q=khongcogica", []),  # words no procedure has, not even by a typo
    ],
)
def test_each_filter_and_the_words_narrow_the_list(province_schema, query, expected):
    # given three procedures (Thái Nguyên's online levels are 1–4, Art. 2(6))
    _site, staff = province_schema("thainguyen")
    procedure_published(
        staff, code="1.1", title="Cấp giấy phép xây dựng", online_level="level3", fees="Không"
    )
    procedure_published(
        staff,
        code="1.2",
        title="Cấp giấy phép khai thác",
        online_level="level4",
        field="Tài nguyên nước",
        legal_basis="Luật Tài nguyên nước",
        result="Giấy phép khai thác",
    )
    procedure_published(
        staff,
        code="1.3",
        title="Đăng ký khai sinh",
        field="Hộ tịch",
        level="commune",
        legal_basis="Luật Hộ tịch",
        result="Giấy khai sinh",
    )
    # when
    html = page_text(host_client(TN).get(f"/thu-tuc/?{query}"))
    # then
    assert sorted(listed(html)) == sorted(expected)


def test_words_no_procedure_has_say_so_with_empty_facets(thainguyen):
    # given a published procedure
    _site, staff, _other = thainguyen
    procedure_published(staff, code="1.009994", title="Cấp giấy phép xây dựng")
    # when a citizen looks for words no procedure has (nothing for the typo fallback either)
    response = host_client(TN).get("/thu-tuc/?q=zzzqqxw+kkjjvv")
    # then the page says nothing was found: no facet counts, no error
    assert response.status_code == 200
    html = page_text(response)
    assert "Không có thủ tục nào khớp với điều kiện tra cứu." in html
    assert listed(html) == []


def test_the_list_is_paginated_and_a_page_past_the_last_is_not_found(thainguyen):
    # given 21 procedures (a page holds 20)
    _site, staff, _other = thainguyen
    for number in range(21):
        procedure_published(staff, code=f"P.{number:02d}", title=f"Thủ tục số {number:02d}")
    client = host_client(TN)
    # when
    first = page_text(client.get("/thu-tuc/"))
    second = page_text(client.get("/thu-tuc/?trang=2"))
    # then
    assert len(listed(first)) == 20
    assert listed(second) == ["Thủ tục số 20"]
    assert 'href="?trang=2"' in first
    assert client.get("/thu-tuc/?trang=3").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "cap=huyen",
        "truc-tuyen=muc-do-9",
        "co-quan=abc",
        "co-quan=0",
        f"linh-vuc={'x' * 201}",
        f"q={'x' * 201}",
        "q=%21%21%21",
        "trang=abc",
        "trang=0",
        "trang=100000",
    ],
)
def test_a_filter_that_cannot_be_read_is_refused_with_its_message(thainguyen, query):
    response = host_client(TN).get(f"/thu-tuc/?{query}")
    html = page_text(response)
    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_a_nul_character_in_a_filter_is_refused(thainguyen):
    assert host_client(TN).get("/thu-tuc/?linh-vuc=H%00").status_code == 400


def test_the_list_reads_a_bounded_number_of_queries(thainguyen, django_assert_max_num_queries):
    # given many procedures
    _site, staff, other = thainguyen
    for number in range(12):
        procedure_published(
            staff,
            code=f"Q.{number}",
            title=f"Thủ tục {number}",
            agency=other if number % 2 else None,
        )
    # when / then: whatever their number, the same few queries (host, site, the words' ids,
    # facets and total, agencies' names, the page, the menu) — 9 when measured
    with django_assert_max_num_queries(10):
        response = host_client(TN).get("/thu-tuc/?q=thu+tuc")
    assert response.status_code == 200
    assert len(listed(page_text(response))) == 12


def test_a_component_site_lists_its_agencys_procedures_and_links_them(thainguyen):
    # given a procedure of the site's agency (entered on the portal) and one of another agency
    site, staff, other = thainguyen
    procedure_published(staff, code="S.1", title="Thủ tục của sở", agency=site.agency)
    procedure_published(staff, code="O.1", title="Thủ tục cơ quan khác", agency=other)
    client = host_client(site.dev_host)
    # when
    html = page_text(client.get("/thu-tuc/"))
    home = page_text(client.get("/"))
    # then only its own, no agency filter, and its menu and home lead there
    assert listed(html) == ["Thủ tục của sở"]
    assert 'name="co-quan"' not in html
    assert client.get("/thu-tuc/O.1/").status_code == 404
    assert client.get("/thu-tuc/S.1/").status_code == 200
    assert 'href="/thu-tuc/"' in home
    assert procedures_listed(site=site)


def test_a_component_site_without_procedures_does_not_offer_the_catalogue(thainguyen):
    site, _staff, _other = thainguyen
    home = page_text(host_client(site.dev_host).get("/"))
    assert 'href="/thu-tuc/"' not in home


def test_the_profiles_initial_services_are_offered_on_hues_catalogue_only(
    province_schema, in_province
):
    # Huế Art. 12, 13: procedure information, legal lookup, complaints, project dossiers
    hue = page_text(host_client(HUE).get("/thu-tuc/"))
    assert "Dịch vụ công trên Cổng" in hue
    services = re.search(r'<section class="home-block procedure-services".*?</section>', hue, re.S)
    assert services is not None
    block = services.group(0)
    assert '<a href="/thu-tuc/">Thông tin về thủ tục hành chính</a>' in block
    assert '<a href="/van-ban/">Tra cứu văn bản quy phạm pháp luật</a>' in block
    assert "Tiếp nhận khiếu nại, tố cáo" in block
    # a service the platform does not provide yet is said so, not hidden
    assert "Tiếp nhận hồ sơ dự án: <em>Cổng chưa cung cấp dịch vụ này.</em>" in block
    # Thái Nguyên's profile names none
    assert "Dịch vụ công trên Cổng" not in page_text(host_client(TN).get("/thu-tuc/"))


def test_a_profile_that_does_not_publish_the_catalogue_hides_it(thainguyen, monkeypatch):
    # given a published procedure: the portal's menu and home lead to the catalogue
    _site, staff, _other = thainguyen
    procedure_published(staff, code="H.1", title="Thủ tục ẩn")
    client = host_client(TN)
    assert 'href="/thu-tuc/"' in page_text(client.get("/"))
    # when the profile says the catalogue is not published
    shipped = frontend_profiles.current_profile

    def unpublished(on=None):
        profile = shipped(on)
        services = profile.public_services.model_copy(update={"catalogue_published": False})
        return profile.model_copy(update={"public_services": services})

    monkeypatch.setattr(frontend_profiles, "current_profile", unpublished)
    monkeypatch.setattr(frontend_sections, "current_profile", unpublished)
    cache.clear()
    # then both pages are not found, and nothing leads there
    assert client.get("/thu-tuc/").status_code == 404
    assert client.get("/thu-tuc/H.1/").status_code == 404
    assert 'href="/thu-tuc/"' not in page_text(client.get("/"))
    assert "/thu-tuc/" not in client.get("/sitemap.xml").content.decode()


# --- a procedure's page -----------------------------------------------------------------------


def test_the_procedure_page_shows_everything_needed_to_do_it(thainguyen):
    # given a procedure of the site's agency, entered on the portal, with a form to download
    site, staff, _other = thainguyen
    procedure_published(
        staff,
        code="1.009994",
        title="Cấp giấy phép xây dựng",
        agency=site.agency,
        forms={"mau-01.pdf": "Mẫu số 01"},
        methods=["in_person", "online"],
        processing_days=15,
        processing_from="kể từ ngày nhận đủ hồ sơ hợp lệ",
        fees="Lệ phí 150.000 đồng/giấy phép",
        legal_basis="Luật Xây dựng năm 2014\nNghị định 15/2021/NĐ-CP",
        online_level="level4",
        dossier_sets=2,
    )
    # when
    response = host_client(TN).get("/thu-tuc/1.009994/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert '<h1 id="procedure-title" lang="vi">Cấp giấy phép xây dựng</h1>' in html
    for fact in (
        "1.009994",
        "Hoạt động xây dựng",
        "Cấp tỉnh",
        "Trực tiếp, Trực tuyến",
        "Tổ chức, cá nhân",
        "15 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ",
        "Lệ phí 150.000 đồng/giấy phép",
        "<li>Luật Xây dựng năm 2014</li><li>Nghị định 15/2021/NĐ-CP</li>",
        "Giấy phép",
        "Mức độ 4",
        "01/03/2026",
        "Quyết định số 123/QĐ-UBND ngày 20/02/2026",
        "Số lượng hồ sơ: 2 bộ.",
        "Thẩm định hồ sơ, trình ký.",
        "Đơn vị, người chịu trách nhiệm:</span> Phòng Quản lý xây dựng",
        "Có hiệu lực từ ngày 01/03/2026",
    ):
        assert fact in html, fact
    # the agency links to its component site
    assert f'<a href="http://{site.dev_host}/">{site.agency.name}</a>' in html
    # the national portal, for this code
    assert (
        'href="https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh.html?keyword=1.009994"'
        in html
    )
    # the form downloads from this host
    link = re.search(r'<a href="(/tep/\d+/)" download>Tải Mẫu số 01</a>', html)
    assert link is not None
    download = host_client(TN).get(link.group(1))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    # a print button (shown by the script) and the print stylesheet for every page
    assert "data-print" in html
    assert "level4" not in html
    assert "in_person" not in html


def test_the_national_portal_is_linked_only_when_the_procedure_is_online(thainguyen):
    _site, staff, _other = thainguyen
    procedure_published(staff, code="N.1", title="Thủ tục không trực tuyến", online_level="")
    html = page_text(host_client(TN).get("/thu-tuc/N.1/"))
    assert "dichvucong.gov.vn" not in html
    assert "Không có dịch vụ công trực tuyến" in html


def test_on_a_component_site_a_form_of_a_portal_procedure_downloads_from_the_portal(thainguyen):
    # given the site agency's procedure entered on the portal, with a form
    site, staff, _other = thainguyen
    procedure_published(
        staff,
        code="F.1",
        title="Thủ tục có mẫu",
        agency=site.agency,
        forms={"to-khai.pdf": "Tờ khai"},
    )
    # when
    html = page_text(host_client(site.dev_host).get("/thu-tuc/F.1/"))
    # then the link goes to the portal's host, where the file is served
    link = re.search(r'<a href="http://thainguyen\.localhost(/tep/\d+/)" download>', html)
    assert link is not None
    assert host_client(TN).get(link.group(1)).status_code == 200


def test_an_unknown_procedure_is_not_found_and_one_taken_down_is_gone(thainguyen):
    # given one procedure abolished (unpublished with a reason), one withdrawn, one never published
    site, staff, _other = thainguyen
    publisher = Desk(staff, site).publisher()
    with TestCase.captureOnCommitCallbacks(execute=True):
        abolished = procedure_published(staff, code="X.1", title="Thủ tục đã bãi bỏ")
        item_unpublish(item=abolished, actor=publisher, reason="Bãi bỏ theo Quyết định 99/QĐ-UBND")
        withdrawn = procedure_published(staff, code="X.2", title="Thủ tục đăng nhầm")
        item_withdraw(item=withdrawn, actor=publisher, reason="Đăng nhầm thủ tục")
    procedure_entered(staff, code="X.3", title="Thủ tục chưa công bố")
    client = host_client(TN)
    # then
    gone = client.get("/thu-tuc/X.1/")
    assert gone.status_code == 410
    assert "Bãi bỏ theo Quyết định 99/QĐ-UBND" in page_text(gone)
    assert "Thủ tục đã bãi bỏ" in page_text(gone)
    assert "Đăng nhầm thủ tục" in page_text(client.get("/thu-tuc/X.2/"))
    assert client.get("/thu-tuc/X.2/").status_code == 410
    assert client.get("/thu-tuc/X.3/").status_code == 404
    assert client.get("/thu-tuc/KHONG-CO/").status_code == 404
    assert client.get("/thu-tuc/co%20dau%20cach/").status_code == 404
    assert client.get(f"/thu-tuc/{'1' * 61}/").status_code == 404
    assert listed(page_text(client.get("/thu-tuc/"))) == []


def test_the_item_address_of_a_procedure_leads_to_its_catalogue_page(thainguyen):
    _site, staff, _other = thainguyen
    item = procedure_published(staff, code="1.2.3", title="Thủ tục chuyển hướng")
    response = host_client(TN).get(f"/bai-viet/{item.slug}/")
    assert response.status_code == 301
    assert response["Location"] == "/thu-tuc/1.2.3/"


def test_site_search_finds_a_procedure_as_a_procedure_at_its_catalogue_address(thainguyen):
    _site, staff, _other = thainguyen
    procedure_published(staff, code="1.009994", title="Cấp giấy phép xây dựng")
    html = page_text(host_client(TN).get("/tim-kiem/?q=cap+giay+phep+xay+dung"))
    assert 'href="/thu-tuc/1.009994/"' in html
    assert "Thủ tục hành chính" in html


def test_the_sitemap_lists_the_catalogue_and_each_procedure_at_its_own_address(thainguyen):
    _site, staff, _other = thainguyen
    item = procedure_published(staff, code="1.009994", title="Cấp giấy phép xây dựng")
    xml = host_client(TN).get("/sitemap.xml").content.decode()
    assert "<loc>http://thainguyen.localhost/thu-tuc/</loc>" in xml
    assert "<loc>http://thainguyen.localhost/thu-tuc/1.009994/</loc>" in xml
    assert f"/bai-viet/{item.slug}/" not in xml


def test_the_procedure_page_reads_a_bounded_number_of_queries(
    thainguyen, django_assert_max_num_queries
):
    # given a procedure with three forms
    _site, staff, _other = thainguyen
    forms = {f"mau-0{n}.pdf": f"Mẫu số 0{n}" for n in range(1, 4)}
    procedure_published(staff, code="B.1", title="Thủ tục nhiều mẫu", forms=forms)
    client = host_client(TN)
    cache.clear()
    # when / then: cold, the same few queries whatever the forms (host, site, the
    # procedure, its attachments, its versions, the menu) — 8 when measured
    with django_assert_max_num_queries(9):
        response = client.get("/thu-tuc/B.1/")
    assert response.status_code == 200
    assert page_text(response).count("download>Tải Mẫu số 0") == 3
