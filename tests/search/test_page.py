"""The page /tim-kiem/ on a province portal and on a component site: a labelled search form,
filters by kind and date, ranked results with marked words, pages, clear refusals."""

from __future__ import annotations

import re

import pytest

from tests.conftest import host_client
from tests.factories.pages import meta, page_text
from tests.factories.provinces import vn
from tests.search.conftest import pushed

PORTAL = "hagiang.localhost"


def links(html: str) -> list[str]:
    """The result links of a page, in order."""
    return re.findall(r'<h3 lang="vi"><a href="([^"]+)">', html)


@pytest.fixture
def documents(hagiang):
    """Two documents on the portal and one on the first component site, all about đất đai."""
    site, _staff = hagiang
    return {
        "portal": pushed("Thu hồi đất đai", text="Hộ gia đình được bồi thường.")["url"],
        "portal_old": pushed("Đất đai cũ", published_at=vn(2020, 5, 1))["url"],
        "site": pushed("Đất đai ở Sở", site_id=site.pk, kind="announcement")["url"],
        "site_host": site.dev_host,
        "site_name": site.agency.name,
    }


def test_the_empty_page_is_a_labelled_search_form_not_indexed(hagiang):
    response = host_client(PORTAL).get("/tim-kiem/")
    html = page_text(response)
    assert response.status_code == 200
    assert meta(html, "robots") == "noindex"
    assert '<label for="search-q">' in html
    assert '<input type="search" name="q" id="search-q"' in html
    assert 'role="search"' in html
    assert "kết quả" not in html


@pytest.mark.parametrize("typed", ["dat dai", "đất đai", "ĐẤT ĐAI"])
def test_the_portal_finds_its_own_documents_and_every_sites(documents, typed):
    response = host_client(PORTAL).get("/tim-kiem/", {"q": typed})
    html = page_text(response)
    assert response.status_code == 200
    assert meta(html, "robots") == "noindex"
    assert "3 kết quả cho" in html
    # a component site's result links to its own host
    assert set(links(html)) == {
        f"http://{documents['site_host']}{documents['site']}",
        documents["portal"],
        documents["portal_old"],
    }
    assert "<mark>Đất</mark> <mark>đai</mark> ở Sở" in html
    assert f"Thông báo · {documents['site_name']}" in html
    assert "Tin tức · " in html
    assert '<time datetime="2020-05-01' in html


def test_a_component_site_finds_only_its_own(documents):
    response = host_client(documents["site_host"]).get("/tim-kiem/", {"q": "dat dai"})
    html = page_text(response)
    assert response.status_code == 200
    assert links(html) == [documents["site"]]
    assert "1 kết quả cho" in html


def test_filters_by_kind_and_date_keep_the_query_and_show_the_kinds_present(documents):
    client = host_client(PORTAL)
    html = page_text(client.get("/tim-kiem/", {"q": "dat dai", "loai": "announcement"}))
    assert links(html) == [f"http://{documents['site_host']}{documents['site']}"]
    assert re.search(r'<input type="checkbox" name="loai" value="announcement"[^>]* checked>', html)
    assert '<label for="search-kind-1">Thông báo</label>' in html
    assert '<label for="search-kind-2">Tin tức</label>' in html
    html = page_text(client.get("/tim-kiem/", {"q": "dat dai", "den_ngay": "2021-01-01"}))
    assert links(html) == [documents["portal_old"]]
    assert 'value="2021-01-01"' in html


def test_results_are_paged_with_previous_next_and_numbers(hagiang):
    for day in range(1, 24):
        pushed(f"Đất đai số {day}", published_at=vn(2026, 1, day))
    html = page_text(host_client(PORTAL).get("/tim-kiem/", {"q": "dat dai", "trang": "2"}))
    assert "23 kết quả cho" in html
    assert len(links(html)) == 10
    assert '<ol class="item-list search-results" start="11">' in html
    assert '<a rel="prev" href="?q=dat+dai&trang=1">Trước</a>' in html
    assert '<a rel="next" href="?q=dat+dai&trang=3">Sau</a>' in html
    assert '<a href="?q=dat+dai&trang=3">Trang 3</a>' in html
    assert '<span aria-current="page">Trang 2</span>' in html
    # a page past the last says where the results end
    html = page_text(host_client(PORTAL).get("/tim-kiem/", {"q": "dat dai", "trang": "9"}))
    assert "các kết quả có đến trang 3" in html


def test_a_typo_shows_the_closest_titles_and_says_so(documents):
    html = page_text(host_client(PORTAL).get("/tim-kiem/", {"q": "thu hoi dat daii"}))
    assert links(html)[0] == documents["portal"]
    assert "có thể bạn gõ nhầm một chữ" in html


def test_nothing_found_says_so_with_suggestions(hagiang):
    html = page_text(host_client(PORTAL).get("/tim-kiem/", {"q": "xyzxyz", "loai": "news"}))
    assert "Không tìm thấy kết quả nào cho “xyzxyz”." in html
    assert "Kiểm tra lại chính tả" in html
    assert '<a href="?q=xyzxyz">' in html  # the same search without filters
    assert 'href="/hoi-dap/"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"q": "đ" * 201}, "Từ khoá dài quá 200 ký tự"),
        ({"q": " ".join(["dat"] * 11)}, "nhiều nhất 10 từ"),
        ({"q": "?!"}, "Hãy nhập từ cần tìm"),
        ({"q": "dat", "trang": "abc"}, "Số trang không hợp lệ"),
        ({"q": "dat", "trang": "501"}, "Số trang phải từ 1 đến 500"),
        ({"q": "dat", "trang": "9" * 40}, "Số trang không hợp lệ"),
        ({"q": "dat", "loai": "secret_kind"}, "Loại nội dung cần lọc không có"),
        ({"q": "dat", "tu_ngay": "2026-13-01"}, "Ngày không hợp lệ"),
        ({"q": "dat", "tu_ngay": "0001-01-01"}, "Ngày phải trong khoảng năm 1900–2100"),
        ({"q": "dat", "tu_ngay": "2026-02-01", "den_ngay": "2026-01-01"}, "Ngày bắt đầu"),
        ({"q": "x" * 5000}, "Từ khoá dài quá 200 ký tự"),
    ],
)
def test_bad_input_gets_a_400_page_that_says_what_to_fix(hagiang, query, message):
    response = host_client(PORTAL).get("/tim-kiem/", query)
    html = page_text(response)
    assert response.status_code == 400
    assert 'class="error-summary" role="alert"' in html
    assert message in html
    assert '<input type="search" name="q"' in html  # the form is there to correct it


def test_a_page_of_results_costs_at_most_ten_queries(documents, django_assert_max_num_queries):
    for number in range(12):
        pushed(f"Đất đai {number}")
    client = host_client(PORTAL)
    with django_assert_max_num_queries(10):
        response = client.get("/tim-kiem/", {"q": "dat dai", "loai": ["news", "announcement"]})
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/tim-kiem/", {"q": "dat daii"}).status_code == 200


def test_only_get_is_answered(hagiang):
    assert host_client(PORTAL).post("/tim-kiem/", {"q": "dat"}).status_code == 405


def test_markup_in_a_title_or_text_is_shown_as_text(hagiang):
    pushed("<script>alert(1)</script> Đất đai", text='<img src=x onerror="alert(2)"> đất đai')
    raw = host_client(PORTAL).get("/tim-kiem/", {"q": "dat dai"}).content.decode()
    assert "<script>alert(1)" not in raw
    assert "<img src=x" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Đất</mark> <mark>đai</mark>" in raw
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt; <mark>đất</mark>" in raw
