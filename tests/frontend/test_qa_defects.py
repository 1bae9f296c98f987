"""Two defects citizens met on Hỏi – Đáp: a search for "đất đai" or "dat dai" found nothing although
the answered question is in the "Đất đai" topic; and the form spoke the maintainers' language
("platform default", "Art. 14(4)(a)") or claimed a regulation set a deadline it does not."""

from __future__ import annotations

import pytest

from qa.selectors import question_public_list
from qa.services import topic_ensure
from tests.conftest import host_client
from tests.factories.pages import page_text
from tests.factories.qa import answered, submitted

SEEDS = ("backan", "dongnai", "hagiang", "thainguyen", "thuathienhue")


@pytest.fixture
def land_question(province_schema):
    """Thái Nguyên: an answered question filed under "Đất đai" whose words never say so, and
    one under "Giáo dục"."""
    site, staff = province_schema("thainguyen")
    head = staff.holding("agency_head", agency=site.agency)
    land = topic_ensure(name="Đất đai", agency=site.agency)
    school = topic_ensure(name="Giáo dục", agency=site.agency)
    in_land = submitted(
        land, title="Cấp sổ đỏ cho hộ gia đình", text="Hồ sơ gồm những gì?", email="a@example.vn"
    )
    answered(in_land, by=head, text="Nộp tại bộ phận một cửa.")
    in_school = submitted(school, title="Học phí năm học mới", text="Mức thu?", email="b@x.vn")
    answered(in_school, by=head, text="Theo nghị quyết của tỉnh.")
    return in_land


@pytest.mark.parametrize("query", ["đất đai", "dat dai", "ĐẤT ĐAI", "Dat", "đai"])
def test_the_q_and_a_search_finds_a_question_by_its_topics_name(land_question, query):
    # when
    html = page_text(host_client("thainguyen.localhost").get("/hoi-dap/", {"q": query}))
    # then
    assert "Cấp sổ đỏ cho hộ gia đình" in html
    assert "Học phí năm học mới" not in html
    assert "Tìm thấy 1 câu hỏi" in html


def test_words_may_be_split_between_the_topic_and_the_question(land_question):
    found = question_public_list(query="so do dat")
    assert [question.pk for question in found] == [land_question.pk]


def test_a_word_in_neither_the_topic_nor_the_question_finds_nothing(land_question):
    assert not question_public_list(query="dat xay dung").exists()
    html = page_text(host_client("thainguyen.localhost").get("/hoi-dap/", {"q": "xay dung"}))
    assert "Không có câu hỏi nào khớp với điều kiện tìm kiếm." in html


def test_a_renamed_topic_is_found_by_its_new_name(land_question):
    topic = land_question.topic
    topic.name = "Tài nguyên – Môi trường"
    topic.save(update_fields=["name"])
    assert question_public_list(query="moi truong").filter(pk=land_question.pk).exists()
    assert not question_public_list(query="dat dai").exists()


def test_a_long_query_is_bounded_and_answered(land_question):
    response = host_client("thainguyen.localhost").get("/hoi-dap/", {"q": "đất " * 500})
    assert response.status_code == 200


@pytest.mark.parametrize("slug", SEEDS)
def test_the_form_states_the_deadline_in_plain_vietnamese(province_schema, slug):
    # given
    site, _staff = province_schema(slug)
    topic_ensure(name="Đất đai", agency=site.agency)
    # when
    text = page_text(host_client(f"{slug}.localhost").get("/hoi-dap/gui/"))
    # then: the rule in words, never the profile's notes, nor a regulation it does not cite
    assert "Thời hạn trả lời – " in text
    for word in ("platform default", "Art.", "Decree", "kept", "(ADR"):
        assert word not in text, (slug, word)


def test_thai_nguyen_cites_its_article_in_vietnamese(province_schema):
    site, _staff = province_schema("thainguyen")
    topic_ensure(name="Đất đai", agency=site.agency)
    text = page_text(host_client("thainguyen.localhost").get("/hoi-dap/gui/"))
    assert "Quyết định số 40/2012/QĐ-UBND" in text
    assert "Điều 14 khoản 4" in text
