"""search.marking: titles and snippets are marked on the original text, with its diacritics,
for words typed with or without them; everything else is escaped."""

from __future__ import annotations

import pytest

from search.marking import Terms, fold_with_offsets, highlight, portal_fold, snippet

pytestmark = pytest.mark.without_services


def html(marked) -> str:
    return marked.__html__()


def test_folding_is_one_character_for_one_in_vietnamese():
    # given a title in Vietnamese with every kind of mark and đ
    text = "ĐẤT ĐAI, Nghị định 19/2015/QĐ-UBND: Ưu tiên hộ nghèo"
    # when it is folded
    folded, offsets = fold_with_offsets(text)
    # then each character has its plain, lower-case letter ("/" reads as a space)
    assert folded == "dat dai, nghi dinh 19 2015 qd-ubnd: uu tien ho ngheo"
    assert offsets is None  # the identity: Vietnamese never needs a map


def test_a_ligature_keeps_the_offsets_of_the_original():
    folded, offsets = fold_with_offsets("Æon đất")
    assert folded == "aeon dat"
    assert offsets == [0, 0, 1, 2, 3, 4, 5, 6, 7]
    assert html(highlight("Æon đất", Terms(frozenset({"aeon", "dat"})))) == (
        "<mark>Æon</mark> <mark>đất</mark>"
    )


@pytest.mark.parametrize("typed", ["dat dai", "đất đai", "ĐẤT ĐAI", "Đất Đai"])
def test_the_accented_words_are_marked_whatever_was_typed(typed):
    words = frozenset(portal_fold(typed).split())
    assert html(highlight("Thu hồi đất đai ở Đồng Văn", Terms(words))) == (
        "Thu hồi <mark>đất</mark> <mark>đai</mark> ở Đồng Văn"
    )


def test_only_whole_words_are_marked_except_the_last_word_typed_as_a_prefix():
    terms = Terms(frozenset({"dat"}), prefix="da")
    assert html(highlight("đất đai đạt datum cadat", terms)) == (
        "<mark>đất</mark> <mark>đai</mark> <mark>đạt</mark> <mark>datum</mark> cadat"
    )
    assert html(highlight("đất đai cadat", Terms(frozenset({"dat"})))) == (
        "<mark>đất</mark> đai cadat"
    )


def test_everything_but_the_marks_is_escaped():
    text = '<script>alert("đất")</script> & đất'
    marked = html(highlight(text, Terms(frozenset({"dat"}))))
    assert marked == (
        "&lt;script&gt;alert(&quot;<mark>đất</mark>&quot;)&lt;/script&gt; &amp; <mark>đất</mark>"
    )
    assert "<script>" not in marked


def test_the_snippet_is_cut_around_the_words_at_spaces():
    # given a long text whose only match is far from its start
    text = "Mở đầu văn bản. " * 60 + "Luật Đất đai năm 2024 có hiệu lực. " + "Phần sau. " * 60
    # when a snippet is cut for "dat dai"
    cut = snippet(text, Terms(frozenset({"dat", "dai"})))
    shown = str(cut)
    # then it shows the match, starts and ends at word boundaries, and says it was cut
    assert cut.marked_words == ["Đất", "đai"]
    assert shown.startswith("… ")
    assert shown.endswith(" …")
    assert len(shown) <= 240 + 4
    inner = shown[2:-2]
    assert text.find(inner) > 0
    assert text[text.find(inner) - 1] == " "


def test_the_snippet_prefers_the_window_with_the_most_different_words():
    text = "đất " + "x " * 200 + "đất đai cùng nhau " + "y " * 200
    cut = snippet(text, Terms(frozenset({"dat", "dai"})))
    assert cut.marked_words == ["đất", "đai"]


def test_a_text_without_the_words_shows_its_beginning():
    text = "Nội dung không liên quan. " * 30
    cut = snippet(text, Terms(frozenset({"dat"})))
    assert cut.marked_words == []
    assert str(cut).startswith("Nội dung")
    assert str(cut).endswith(" …")
    assert str(snippet("ngắn", Terms(frozenset({"dat"})))) == "ngắn"
