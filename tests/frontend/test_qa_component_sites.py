"""Hỏi – Đáp on a component site: the agency's own published answers, a form that sends the
question to that agency, tracking of its questions; another agency's questions, another site's
and another province's never show there."""

from __future__ import annotations

import pytest

from organization.models import Agency
from qa.models import Question
from qa.services import topic_ensure
from tests.conftest import host_client
from tests.factories.pages import options, page_text
from tests.factories.qa import answered, submitted

ASKER = {"name": "Trần Văn Dân", "email": "dan@example.vn", "phone": ""}


@pytest.fixture
def thainguyen(province_schema):
    """Thái Nguyên: a department's site, another agency, a topic each, and answered questions
    of both."""
    site, staff = province_schema("thainguyen")
    other = Agency.objects.exclude(pk=site.agency.pk).order_by("pk").first()
    own_topic = topic_ensure(name="Đầu tư công", agency=site.agency)
    other_topic = topic_ensure(name="Giáo dục", agency=other)
    own = submitted(own_topic, title="Thủ tục cấp giấy chứng nhận đầu tư")
    answered(own, by=staff.holding("agency_head", agency=site.agency))
    elsewhere = submitted(other_topic, title="Học phí năm học mới")
    answered(elsewhere, by=staff.holding("agency_head", agency=other))
    return {
        "site": site,
        "host": site.dev_host,
        "agency": site.agency,
        "other": other,
        "own_topic": own_topic,
        "other_topic": other_topic,
        "own": own,
        "elsewhere": elsewhere,
    }


def _form(topic, **overrides):
    return {
        **ASKER,
        "topic": topic.slug,
        "title": "Hỏi về dự án đầu tư",
        "text": "Xin hỏi hồ sơ gồm những gì?",
        "consent": "on",
        "website": "",
        **overrides,
    }


# --- the list ---------------------------------------------------------------------------------


def test_a_component_site_lists_the_published_answers_of_its_own_agency(thainguyen):
    # when
    response = host_client(thainguyen["host"]).get("/hoi-dap/")
    # then
    html = page_text(response)
    assert response.status_code == 200
    assert "Thủ tục cấp giấy chứng nhận đầu tư" in html
    assert "Học phí năm học mới" not in html
    # only its own topics to filter by, and no choice of agency
    assert options(html, "linh_vuc") == ["", thainguyen["own_topic"].slug]
    assert 'name="co_quan"' not in html
    # the way to the province's whole archive
    assert 'href="http://thainguyen.localhost/hoi-dap/"' in html


def test_the_component_site_ignores_a_request_for_another_agencys_answers(thainguyen):
    client = host_client(thainguyen["host"])
    html = page_text(client.get("/hoi-dap/", {"co_quan": thainguyen["other"].pk}))
    assert "Học phí năm học mới" not in html
    html = page_text(client.get("/hoi-dap/", {"linh_vuc": thainguyen["other_topic"].slug}))
    assert "Học phí năm học mới" not in html


def test_the_portal_still_lists_every_agencys_answers(thainguyen):
    html = page_text(host_client("thainguyen.localhost").get("/hoi-dap/"))
    assert "Thủ tục cấp giấy chứng nhận đầu tư" in html
    assert "Học phí năm học mới" in html


def test_the_component_sites_list_costs_few_queries(thainguyen, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = host_client(thainguyen["host"]).get("/hoi-dap/?q=dau+tu")
    assert response.status_code == 200
    assert "Thủ tục cấp giấy chứng nhận đầu tư" in page_text(response)


# --- asking a question --------------------------------------------------------------------------


def test_a_question_asked_on_a_component_site_goes_to_its_agency(thainguyen):
    # given: the agency's only topic is already chosen on its form
    client = host_client(thainguyen["host"])
    form = page_text(client.get("/hoi-dap/gui/"))
    assert options(form, "topic") == ["", thainguyen["own_topic"].slug]
    assert f'<option value="{thainguyen["own_topic"].slug}" selected>' in form
    assert thainguyen["agency"].name in form
    # when
    response = client.post("/hoi-dap/gui/", _form(thainguyen["own_topic"]))
    # then: received, routed to the agency, and its receipt shown on the site
    assert response.status_code == 302
    question = Question.objects.get(title="Hỏi về dự án đầu tư")
    assert question.agency == thainguyen["agency"]
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert question.tracking_code in page_text(receipt)


def test_another_agencys_topic_is_refused_on_a_component_site(thainguyen):
    before = Question.objects.count()
    response = host_client(thainguyen["host"]).post(
        "/hoi-dap/gui/", _form(thainguyen["other_topic"])
    )
    assert response.status_code == 400
    assert "Lĩnh vực không tồn tại; hãy chọn trong danh sách." in page_text(response)
    assert Question.objects.count() == before


def test_an_agency_without_topics_sends_citizens_to_the_portals_form(province_schema):
    site, _staff = province_schema("hagiang")
    other = Agency.objects.exclude(pk=site.agency.pk).order_by("pk").first()
    topic_ensure(name="Giáo dục", agency=other)
    html = page_text(host_client(site.dev_host).get("/hoi-dap/gui/"))
    assert "chưa mở nhận câu hỏi trực tuyến trên trang này" in html
    assert 'href="http://hagiang.localhost/hoi-dap/gui/"' in html
    assert 'name="topic"' not in html


# --- tracking ----------------------------------------------------------------------------------


def test_tracking_works_on_the_component_site_for_its_questions(thainguyen):
    code = thainguyen["own"].tracking_code
    response = host_client(thainguyen["host"]).get("/hoi-dap/tra-cuu/", {"ma": code})
    assert response.status_code == 200
    assert "Thủ tục cấp giấy chứng nhận đầu tư" in page_text(response)


def test_another_agencys_code_is_tracked_on_the_portal_not_on_the_site(thainguyen):
    code = thainguyen["elsewhere"].tracking_code
    client = host_client(thainguyen["host"])
    tracked = client.get("/hoi-dap/tra-cuu/", {"ma": code})
    assert tracked.status_code == 302
    assert tracked["Location"] == f"http://thainguyen.localhost/hoi-dap/tra-cuu/?ma={code}"
    receipt = client.get(f"/hoi-dap/da-gui/{code}/")
    assert receipt.status_code == 302
    assert receipt["Location"].startswith("http://thainguyen.localhost/hoi-dap/da-gui/")


def test_the_askers_data_are_on_the_portal(thainguyen):
    response = host_client(thainguyen["host"]).get("/hoi-dap/du-lieu-cua-toi/")
    assert response.status_code == 302
    assert response["Location"] == "http://thainguyen.localhost/hoi-dap/du-lieu-cua-toi/"


def test_a_code_of_another_province_is_unknown_here(thainguyen, province_schema):
    code = thainguyen["own"].tracking_code
    site, _staff = province_schema("hagiang")
    response = host_client(site.dev_host).get("/hoi-dap/tra-cuu/", {"ma": code})
    assert response.status_code == 404
    assert "Thủ tục cấp giấy chứng nhận đầu tư" not in page_text(response)


def test_citizens_never_read_maintainers_words_on_a_component_sites_q_and_a(thainguyen):
    client = host_client(thainguyen["host"])
    for path in ("/hoi-dap/", "/hoi-dap/gui/", "/hoi-dap/tra-cuu/"):
        text = page_text(client.get(path))
        for word in ("platform default", "Art.", "Decree", "kept:"):
            assert word not in text, (path, word)
