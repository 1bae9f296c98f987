"""search.services: what a module pushes is checked, cleaned and stored once; pushes queued on
commit land in the province they were made in."""

from __future__ import annotations

from functools import partial

import pytest

from search.models import Document
from search.selectors import search
from search.services import MAX_TEXT, SearchError, after_commit, document_upsert
from tests.search.conftest import pushed


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("url", "https://elsewhere.example/x", "invalid_url"),
        ("url", "//elsewhere.example/x", "invalid_url"),
        ("url", "bai-viet/x/", "invalid_url"),
        ("kind", "Tin tức", "invalid_kind"),
        ("source", "editorial", "invalid_source"),
        ("language", "vietnamese", "invalid_language"),
    ],
)
def test_a_document_no_page_could_link_is_refused(hagiang, field, value, code):
    with pytest.raises(SearchError) as caught:
        pushed("Đất đai", **{field: value})
    assert (caught.value.code, caught.value.field) == (code, field)
    assert not Document.objects.exists()


def test_text_is_stored_precomposed_bounded_and_without_control_characters(hagiang):
    # given a title typed in decomposed Unicode, control characters and an over-long text
    decomposed = "Đa\u0302\u0301t đai"  # "Đất" as a base letter and two combining marks
    pushed(decomposed, text="a\x00b\x07c " + "x" * (MAX_TEXT + 10))
    document = Document.objects.get()
    assert document.title == "Đất đai"
    assert document.text.startswith("a b c ")
    assert len(document.text) == MAX_TEXT
    assert search(query="đất đai").total == 1


def test_the_kind_label_is_the_registered_vietnamese_name_whatever_the_language(hagiang):
    from django.utils import translation

    with translation.override("en"):
        pushed("Đất đai", kind="legal_document")
    assert Document.objects.get().kind_label == "Văn bản quy phạm pháp luật"


def test_a_push_queued_in_a_province_lands_there_when_the_commit_comes_later(
    tenant_db, in_province, django_capture_on_commit_callbacks
):
    # given a push queued inside Hà Giang's schema, committed after the code left it
    with django_capture_on_commit_callbacks(execute=True), in_province("hagiang"):
        after_commit(
            partial(
                document_upsert,
                source="tests.page",
                source_id=1,
                kind="news",
                title="Đất đai Hà Giang",
                text="",
                url="/bai-viet/x/",
                site_id=None,
                language="vi",
                published_at=None,
            )
        )
    # then the document is in Hà Giang, not in the schema active at commit
    with in_province("hagiang"):
        assert search(query="dat dai").total == 1


def test_a_failing_push_never_fails_the_commit(
    tenant_db, in_province, django_capture_on_commit_callbacks, caplog
):
    def broken() -> None:
        raise RuntimeError("search is down")

    with django_capture_on_commit_callbacks(execute=True), in_province("hagiang"):
        after_commit(broken)
    assert "search is down" in caplog.text
