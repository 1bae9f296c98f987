"""The Q&A staff pages and API under the profile's rules (ADR 0011): no stored date breaks a
page, appointments carry their reason, and who publishes an answer follows the profile."""

from __future__ import annotations

from datetime import datetime
from html import unescape

import pytest
from django.utils import timezone

from provinces.calendar import TZ
from qa.models import Question
from qa.services import question_answer, question_submit, topic_ensure
from tests.conftest import host_client

EXTREMES = [
    datetime(9999, 12, 31, 10, 0, tzinfo=TZ),  # a date no form lets through any more
    datetime(1900, 1, 1, 8, 0, tzinfo=TZ),
]


def _ask(topic, **overrides):
    values = {
        "name": "Nguyễn Thị Bình",
        "email": "binh@example.vn",
        "topic": topic.slug,
        "title": "Hỏi về cấp giấy chứng nhận",
        "text": "Xin hỏi hồ sơ gồm những gì?",
        "consent": True,
    }
    return question_submit(**(values | overrides))


def _client(slug, user):
    client = host_client(f"{slug}.localhost")
    client.force_login(user)
    return client


@pytest.mark.parametrize("stored", EXTREMES, ids=["year-9999", "year-1900"])
@pytest.mark.parametrize("field", ["progress_due_at", "appointment_at", "due_at"])
def test_an_extreme_stored_date_never_breaks_the_inbox(province_schema, field, stored):
    # given: a date written before dates were bounded, straight into the table
    site, staff = province_schema("thuathienhue")
    topic = topic_ensure(name="Xây dựng", agency=site.agency)
    question = _ask(topic)
    Question.objects.filter(pk=question.pk).update(**{field: stored})
    member = staff.holding("board_member", agency=site.agency)
    client = _client("thuathienhue", member)
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
    question = _ask(topic)
    client = _client("thainguyen", staff.holding("updater"))
    day = timezone.now().astimezone(TZ).date()
    response = client.post(
        f"/staff/hoi-dap/{question.pk}/hen-tra-loi/",
        {"appointment-day": day.isoformat(), "appointment-reason": ""},
    )
    assert response.status_code == 400
    assert "Hẹn ngày trả lời phải nêu lý do." in unescape(response.content.decode())
    question.refresh_from_db()
    assert question.appointment_at is None


# --- who publishes answers (item 8) --------------------------------------------------------


def _answered(province_schema, slug, *, publish=True):
    site, staff = province_schema(slug)
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    question = _ask(topic)
    head = staff.holding("agency_head")
    question = question_answer(
        question=question, actor=head, text="Trả lời: nộp hồ sơ.", channel="portal", publish=True
    )
    return site, staff, question
