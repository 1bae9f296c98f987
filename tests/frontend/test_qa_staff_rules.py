"""The Q&A staff pages and API under the profile's rules (ADR 0011): no stored date breaks a
page, appointments carry their reason, and who publishes an answer follows the profile."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import unescape

import pytest
from django.utils import timezone

from provinces.calendar import TZ
from qa.models import Question
from qa.services import question_answer, topic_ensure
from tests.conftest import host_client
from tests.factories.pages import signed_in
from tests.factories.qa import submitted

EXTREMES = [
    datetime(9999, 12, 31, 10, 0, tzinfo=TZ),  # a date no form lets through any more
    datetime(1900, 1, 1, 8, 0, tzinfo=TZ),
]


@pytest.mark.parametrize("stored", EXTREMES, ids=["year-9999", "year-1900"])
@pytest.mark.parametrize("field", ["progress_due_at", "appointment_at", "due_at"])
def test_an_extreme_stored_date_never_breaks_the_inbox(province_schema, field, stored):
    # given: a date written before dates were bounded, straight into the table
    site, staff = province_schema("thuathienhue")
    topic = topic_ensure(name="Xây dựng", agency=site.agency)
    question = submitted(topic)
    Question.objects.filter(pk=question.pk).update(**{field: stored})
    member = staff.holding("board_member", agency=site.agency)
    client = signed_in("thuathienhue.localhost", member)
    # when / then: the inbox, the item, who is late and the API all answer
    for url in (
        "/staff/hoi-dap/",
        "/staff/hoi-dap/?qua_han=1",
        "/staff/hoi-dap/?qua_han=0",
        f"/staff/hoi-dap/{question.pk}/",
        "/api/v1/qa/inbox/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert question.tracking_code in unescape(client.get("/staff/hoi-dap/").content.decode())


def test_the_appointment_form_asks_for_the_reason(province_schema):
    site, staff = province_schema("thainguyen")
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    question = submitted(topic)
    client = signed_in("thainguyen.localhost", staff.holding("updater"))
    day = timezone.now().astimezone(TZ).date()
    response = client.post(
        f"/staff/hoi-dap/{question.pk}/hen-tra-loi/",
        {"appointment-day": day.isoformat(), "appointment-reason": ""},
    )
    assert response.status_code == 400
    assert "Hẹn ngày trả lời phải nêu lý do." in unescape(response.content.decode())
    question.refresh_from_db()
    assert question.appointment_at is None


def test_in_hue_each_units_board_head_sees_its_own_late_questions(province_schema):
    # Huế Art. 19: each unit's board head publishes, so each oversees its own unit
    from organization.models import Agency

    site, staff = province_schema("thuathienhue")
    other = Agency.objects.exclude(pk=site.agency_id).order_by("pk").first()
    month_ago = timezone.now() - timedelta(days=40)
    mine = submitted(topic_ensure(name="Xây dựng", agency=site.agency), received_at=month_ago)
    theirs = submitted(topic_ensure(name="Giáo dục", agency=other), received_at=month_ago)
    head = signed_in("thuathienhue.localhost", staff.holding("head"))
    assert "/staff/hoi-dap/tre-han/" in head.get("/staff/hoi-dap/").content.decode()
    response = head.get("/staff/hoi-dap/tre-han/")
    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert mine.tracking_code in html
    assert theirs.tracking_code not in html
    clerk = signed_in("thuathienhue.localhost", staff.holding("board_member"))
    assert clerk.get("/staff/hoi-dap/tre-han/").status_code == 403


def test_the_item_page_keeps_a_missed_deadline_after_reclassification(province_schema):
    from qa.services import question_set_kind

    site, staff = province_schema("thainguyen")
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    question = submitted(topic, received_at=timezone.now() - timedelta(days=14))  # 5 days: late
    updater = staff.holding("updater")
    question_set_kind(question=question, actor=updater, kind="special", reason="Nghiên cứu")
    html = unescape(
        signed_in("thainguyen.localhost", updater)
        .get(f"/staff/hoi-dap/{question.pk}/")
        .content.decode()
    )
    assert "Hạn ban đầu" in html
    assert "đã qua khi chưa trả lời" in html


# --- who publishes answers (item 8) --------------------------------------------------------


def _answer_on_the_page(client, question):
    return client.post(
        f"/staff/hoi-dap/{question.pk}/gui-tra-loi/",
        {
            "answer-text": "Hồ sơ gồm đơn đề nghị; nộp tại bộ phận một cửa.",
            "answer-channel": "portal",
            "answer-publish": "on",
        },
    )


def test_in_ha_giang_the_board_publishes_the_agencys_answer(province_schema):
    # given: Hà Giang Art. 9(2), the agency answers and provides it to the board
    site, staff = province_schema("hagiang")
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    question = submitted(topic)
    head = signed_in("hagiang.localhost", staff.holding("agency_head"))
    board_user = staff.holding("board_head")
    board = signed_in("hagiang.localhost", board_user)
    # when: the head answers and asks for publication
    assert _answer_on_the_page(head, question).status_code == 302
    # then: not public yet; the board sees it waiting and decides
    public = host_client("hagiang.localhost")
    assert question.title not in unescape(public.get("/hoi-dap/").content.decode())
    head_page = unescape(head.get(f"/staff/hoi-dap/{question.pk}/").content.decode())
    assert "Chờ Ban biên tập đăng công khai." in head_page
    assert "dang-tra-loi" not in head_page
    inbox = unescape(board.get("/staff/hoi-dap/").content.decode())
    assert "Câu trả lời chờ Ban biên tập đăng" in inbox
    assert question.tracking_code in inbox
    response = board.post(
        f"/staff/hoi-dap/{question.pk}/dang-tra-loi/", {"publish-decision": "publish"}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.is_public, question.published_by) == (True, board_user)
    assert question.title in unescape(public.get("/hoi-dap/").content.decode())


def test_the_head_cannot_publish_in_ha_giang(province_schema):
    site, staff = province_schema("hagiang")
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    question = submitted(topic)
    head = signed_in("hagiang.localhost", staff.holding("agency_head"))
    _answer_on_the_page(head, question)
    response = head.post(
        f"/staff/hoi-dap/{question.pk}/dang-tra-loi/", {"publish-decision": "publish"}
    )
    assert response.status_code == 403
    question.refresh_from_db()
    assert not question.is_public


def test_in_thai_nguyen_the_head_publishes_at_once(province_schema):
    # Thái Nguyên Art. 14(2)-(3)
    site, staff = province_schema("thainguyen")
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    question = submitted(topic)
    head = signed_in("thainguyen.localhost", staff.holding("agency_head"))
    assert _answer_on_the_page(head, question).status_code == 302
    question.refresh_from_db()
    assert (question.is_public, question.publication_pending) == (True, False)
    board = signed_in("thainguyen.localhost", staff.holding("editor_in_chief"))
    page = unescape(board.get(f"/staff/hoi-dap/{question.pk}/").content.decode())
    assert "dang-tra-loi" not in page


def test_the_api_follows_who_publishes(province_schema):
    site, staff = province_schema("dongnai")
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    question = question_answer(
        question=submitted(topic),
        actor=staff.holding("agency_head"),
        text="Trả lời: nộp hồ sơ.",
        channel="portal",
        publish=True,
    )
    url = f"/api/v1/qa/questions/{question.pk}/publish/"
    # the agency head is refused; Đồng Nai's support team (Art. 8(2)(d)) publishes
    head = signed_in("dongnai.localhost", staff.holding("agency_head"))
    assert head.post(url, {"publish": True}, content_type="application/json").status_code == 403
    support = signed_in("dongnai.localhost", staff.holding("support_editor"))
    declined = support.post(url, {"publish": False}, content_type="application/json")
    assert declined.status_code == 400
    assert declined.json()["error"]["fields"] == {"reason": ["Không đăng phải nêu lý do."]}
    response = support.post(url, {"publish": True}, content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["is_public"], response.json()["publication_pending"]) == (True, False)
