"""search.selectors.search: full text with or without diacritics, trigram fallback for typos,
ranking, highlighted snippets, filters, pages and bounded input, within one province."""

from __future__ import annotations

from datetime import date

import pytest
from django_tenants.utils import schema_context

from search.marking import Terms
from search.selectors import (
    MAX_PAGE,
    MAX_QUERY,
    MAX_WORDS,
    PAGE_SIZE,
    Query,
    ResultPage,
    kinds_present,
    search,
)
from search.services import SearchError, document_remove
from tests.factories.provinces import vn
from tests.search.conftest import pushed


def urls(page) -> list[str]:
    return [hit.url for hit in page.hits]


@pytest.mark.parametrize("typed", ["đất đai", "dat dai", "ĐẤT ĐAI", "Đất Đai", "  dat   DAI "])
def test_with_or_without_diacritics_the_same_documents_are_found(hagiang, typed):
    # given documents that say "đất đai" in their title, topic or text, and one that does not
    in_title = pushed("Thu hồi đất đai ở Đồng Văn")["url"]
    in_topic = pushed("Cấp giấy chứng nhận", topic="Đất đai")["url"]
    in_text = pushed("Thông báo", text="Hướng dẫn về ĐẤT ĐAI năm 2026")["url"]
    pushed("Đạt giải thưởng")
    # when a visitor searches, however it is typed
    page = search(query=typed)
    # then the same three are found, the title match first
    assert page.total == 3
    assert urls(page)[0] == in_title
    assert set(urls(page)) == {in_title, in_topic, in_text}
    assert not page.approximate


@pytest.mark.parametrize("typo", ["dat daii", "đất đaj", "luat dat dao"])
def test_a_one_letter_typo_finds_the_closest_titles(hagiang, typo):
    wanted = pushed("Luật Đất đai năm 2024")["url"]
    pushed("Lịch công tác của lãnh đạo tỉnh")
    page = search(query=typo)
    assert page.approximate
    assert urls(page) == [wanted]


def test_the_last_word_is_also_a_prefix_while_it_is_typed(hagiang):
    wanted = pushed("Cải cách hành chính")["url"]
    assert urls(search(query="hanh chi")) == [wanted]
    assert urls(search(query="hành chín")) == [wanted]


def test_a_document_number_is_found_by_its_parts(hagiang):
    wanted = pushed("Quy định bồi thường", text="Quyết định số 19/2015/QĐ-UBND")["url"]
    for typed in ("19/2015/QĐ-UBND", "19/2015", "qd-ubnd 19"):
        assert urls(search(query=typed)) == [wanted], typed


def test_a_title_match_ranks_above_a_topic_match_above_a_text_match(hagiang):
    # given the same words in the text of the newest, the topic of another, the title of the
    # oldest
    in_text = pushed("Tin tức", text="đất đai", published_at=vn(2026, 3, 1))["url"]
    in_topic = pushed("Tin khác", topic="Đất đai", published_at=vn(2026, 2, 1))["url"]
    in_title = pushed("Đất đai", published_at=vn(2025, 1, 1))["url"]
    # then the title comes first, then the topic, then the text
    assert urls(search(query="dat dai")) == [in_title, in_topic, in_text]


def test_between_equals_the_most_recent_comes_first(hagiang):
    old = pushed("Đất đai", published_at=vn(2025, 1, 1))["url"]
    new = pushed("Đất đai", published_at=vn(2026, 1, 1))["url"]
    assert urls(search(query="đất đai")) == [new, old]


def test_snippets_mark_the_original_accented_words_and_escape_the_rest(hagiang):
    pushed(
        "Thông báo <b>quan trọng</b>",
        text="Mở đầu. " * 80 + "Người dân hỏi về <i>đất đai</i> & thủ tục. " + "Kết. " * 80,
    )
    hit = search(query="dat dai").hits[0]
    assert hit.snippet.marked_words == ["đất", "đai"]
    assert "&lt;i&gt;<mark>đất</mark> <mark>đai</mark>&lt;/i&gt; &amp; thủ tục" in (
        hit.snippet.__html__()
    )
    assert hit.title.__html__() == "Thông báo &lt;b&gt;quan trọng&lt;/b&gt;"


def test_filters_by_kind_and_by_date_in_vietnam_time(hagiang):
    news = pushed("Đất đai tin", kind="news", published_at=vn(2026, 2, 1, 0, 30))["url"]
    notice = pushed("Đất đai thông báo", kind="announcement", published_at=vn(2026, 1, 31, 23))
    assert urls(search(query="dat dai", kinds=["news"])) == [news]
    assert urls(search(query="dat dai", kinds=["announcement"])) == [notice["url"]]
    # 00:30 on 1 February in Vietnam is still 31 January in UTC: it counts as 1 February
    assert urls(search(query="dat dai", date_from=date(2026, 2, 1))) == [news]
    assert urls(search(query="dat dai", date_to=date(2026, 1, 31))) == [notice["url"]]
    assert search(query="dat dai", date_from=date(2026, 3, 1)).total == 0


def test_pages_of_ten_with_the_total(hagiang):
    for day in range(1, 26):
        pushed(f"Đất đai số {day}", published_at=vn(2026, 1, day))
    first, third = search(query="dat dai"), search(query="dat dai", page=3)
    assert (first.total, first.pages, len(first.hits)) == (25, 3, PAGE_SIZE)
    assert [str(hit.title) for hit in third.hits] == [f"Đất đai số {n}" for n in range(5, 0, -1)]
    assert (third.has_previous, third.has_next) == (True, False)
    assert first.page_numbers() == [1, 2, 3]
    # a page past the last is empty, and still says how many there are
    past = search(query="dat dai", page=7)
    assert (past.hits, past.total) == ([], 25)


def test_page_numbers_skip_the_far_pages():
    page = ResultPage(Query("x", "x", "", Terms(frozenset({"x"}))), [], total=200, number=10)
    assert page.page_numbers() == [1, None, 8, 9, 10, 11, 12, None, 20]


@pytest.mark.parametrize(
    ("arguments", "code", "field"),
    [
        ({"query": "đ" * 201}, "query_too_long", "q"),
        ({"query": " ".join(["đất"] * 11)}, "too_many_words", "q"),
        ({"query": "?!… --"}, "no_words", "q"),
        ({"query": "-dat"}, "no_words", "q"),
        ({"query": "dat", "page": 0}, "page_out_of_range", "trang"),
        ({"query": "dat", "page": MAX_PAGE + 1}, "page_out_of_range", "trang"),
        ({"query": "dat", "kinds": ["legal_document", "nonsense"]}, "unknown_kind", "loai"),
        ({"query": "dat", "date_from": date(1899, 12, 31)}, "date_out_of_range", "tu_ngay"),
        ({"query": "dat", "date_to": date(2101, 1, 1)}, "date_out_of_range", "den_ngay"),
        (
            {"query": "dat", "date_from": date(2026, 2, 1), "date_to": date(2026, 1, 1)},
            "dates_reversed",
            "tu_ngay",
        ),
    ],
)
def test_bad_input_is_refused_with_a_code_and_the_field(hagiang, arguments, code, field):
    with pytest.raises(SearchError) as caught:
        search(**arguments)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_the_longest_query_allowed_runs(hagiang):
    pushed("Đất đai")
    assert search(query="đất " * (MAX_WORDS - 1) + "đai").total == 1
    assert search(query="a" * MAX_QUERY).total == 0


def test_a_component_site_searches_its_own_documents_the_portal_every_site(hagiang):
    site, _staff = hagiang
    on_portal = pushed("Đất đai cổng")["url"]
    on_site = pushed("Đất đai trang", site_id=site.pk)["url"]
    on_other = pushed("Đất đai khác", site_id=site.pk + 1000)["url"]
    assert set(urls(search(query="dat dai"))) == {on_portal, on_site, on_other}
    assert urls(search(query="dat dai", site_id=site.pk)) == [on_site]


def test_a_province_never_finds_another_provinces_documents(tenant_db, in_province):
    with in_province("hagiang"):
        pushed("Đất đai Hà Giang")
    with in_province("thainguyen"):
        pushed("Đất đai Thái Nguyên")
        assert [str(hit.title) for hit in search(query="dat dai").hits] == ["Đất đai Thái Nguyên"]
    with in_province("hagiang"):
        assert [str(hit.title) for hit in search(query="dat dai").hits] == ["Đất đai Hà Giang"]


def test_a_removed_document_is_not_found(hagiang):
    document = pushed("Đất đai")
    document_remove(source=document["source"], source_id=document["source_id"])
    assert search(query="dat dai").total == 0


def test_a_document_pushed_again_is_replaced_not_duplicated(hagiang):
    document = pushed("Đất đai")
    pushed("Tài nguyên nước", source_id=document["source_id"])
    assert search(query="dat dai").total == 0
    assert search(query="tai nguyen nuoc").total == 1


def test_the_kinds_to_filter_by_are_those_present(hagiang):
    site, _staff = hagiang
    pushed("Một", kind="news")
    pushed("Hai", kind="legal_document", kind_label="Văn bản quy phạm pháp luật")
    pushed("Ba", kind="announcement", site_id=site.pk)
    # by their name as read: Thông báo, Tin tức, Văn bản…
    assert [code for code, _ in kinds_present()] == ["announcement", "news", "legal_document"]
    assert kinds_present(site_id=site.pk) == [("announcement", "Thông báo")]


def test_one_query_for_a_page_two_when_nothing_matches_every_word(
    hagiang, django_assert_num_queries
):
    pushed("Đất đai")
    with django_assert_num_queries(1):
        search(query="dat dai")
    with django_assert_num_queries(2):
        search(query="dat daii")


def test_in_another_schema_the_documents_of_a_province_are_not_reachable(tenant_db, provinces):
    with schema_context(provinces["backan"].schema_name):
        pushed("Đất đai Bắc Kạn")
    with schema_context(provinces["dongnai"].schema_name):
        assert search(query="dat dai").total == 0


def test_quotes_exclusions_and_or_work_as_on_a_web_search_engine(hagiang):
    together = pushed("Luật Đất đai sửa đổi")["url"]
    apart = pushed("Đai an toàn trên đất liền")["url"]
    water = pushed("Tài nguyên nước")["url"]
    assert urls(search(query='"đất đai"')) == [together]
    assert set(urls(search(query="dat dai"))) == {together, apart}
    assert urls(search(query="dat dai -luat")) == [apart]
    assert set(urls(search(query="luat or nuoc"))) == {together, water}


def test_ranking_is_bounded_yet_an_old_title_match_comes_first_and_every_page_is_full(
    hagiang, monkeypatch
):
    # given a ranking bounded to the 3 most recent matches (and title matches), 25 recent
    # documents that mention the words in their text, and an old one about them in its title
    from search import selectors

    monkeypatch.setattr(selectors, "CANDIDATES", 3)
    old_title = pushed("Đất đai", published_at=vn(2020, 1, 1))["url"]
    for day in range(1, 26):
        pushed(f"Tin số {day}", text="về đất đai", published_at=vn(2026, 1, day))
    # then the old title match still leads, the total counts every match, every page is full
    first = search(query="dat dai")
    assert urls(first)[0] == old_title
    assert (first.total, len(first.hits)) == (26, PAGE_SIZE)
    third = search(query="dat dai", page=3)
    assert [str(hit.title) for hit in third.hits] == [f"Tin số {n}" for n in range(6, 0, -1)]
