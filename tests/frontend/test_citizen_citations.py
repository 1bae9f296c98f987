"""Citizens read the legal basis of their deadline in Vietnamese: never a profile's source as
its maintainers write it ("Art.", "Decree", "platform default", "kept: …")."""

from __future__ import annotations

import pytest

from qa.models import Question
from qa.services import topic_ensure
from tests.conftest import host_client
from tests.factories.pages import page_text

MAINTAINERS_WORDS = ("Art.", "Decree", "platform default", "kept", "→", "national")


@pytest.mark.parametrize("slug", ["hagiang", "thainguyen", "thuathienhue", "backan", "dongnai"])
def test_the_question_form_receipt_and_tracking_page_cite_the_law_in_vietnamese(
    province_schema, slug
):
    # given: a province's portal with a topic
    site, _staff = province_schema(slug)
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    client = host_client(f"{slug}.localhost")
    # when: a citizen reads the form, asks, reads the receipt and tracks the question
    form = client.get("/hoi-dap/gui/")
    sent = client.post(
        "/hoi-dap/gui/",
        {
            "name": "Trần Văn Dân",
            "email": "dan@example.vn",
            "topic": topic.slug,
            "title": "Hỏi về cấp đổi giấy chứng nhận",
            "text": "Xin hỏi hồ sơ gồm những gì?",
            "consent": "on",
            "website": "",
        },
    )
    receipt = client.get(sent["Location"])
    question = Question.objects.get(title="Hỏi về cấp đổi giấy chứng nhận")
    tracked = client.get("/hoi-dap/tra-cuu/", {"ma": question.tracking_code})
    # then: every page is there and none shows the maintainers' words
    assert question.tracking_code in page_text(tracked)
    for response in (form, receipt, tracked):
        assert response.status_code == 200
        text = page_text(response)
        for word in MAINTAINERS_WORDS:
            assert word not in text, (slug, response.request["PATH_INFO"], word)


def test_hagiang_cites_its_article_and_the_decree_it_defers_to(province_schema):
    site, _staff = province_schema("hagiang")
    topic_ensure(name="Đất đai", agency=site.agency)
    text = page_text(host_client("hagiang.localhost").get("/hoi-dap/gui/"))
    assert "Điều 11 Quyết định số 19/2015/QĐ-UBND; Điều 17 Nghị định số 43/2011/NĐ-CP" in text
