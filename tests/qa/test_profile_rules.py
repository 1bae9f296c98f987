"""Q&A profile fields change behaviour (ADR 0011): who publishes answers
(qa.answer_publisher), receipt at all hours (qa.receipt_all_hours), returning out-of-scope
questions at once (qa.out_of_scope_return_immediately)."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest
from django.core import mail

from core.errors import ErrorKind
from provinces import loader
from provinces.calendar import TZ
from qa.models import Event, Question
from qa.selectors import question_public_list
from qa.services import (
    QaError,
    question_publish,
    question_return,
)
from tests.conftest import host_client
from tests.factories.qa import answered, submitted


@pytest.fixture
def profile_edited(tmp_path, monkeypatch):
    """The shipped profiles copied aside with one province's [qa] line replaced, and the
    platform reading them from there for the test."""

    def edit(slug: str, *replacements: tuple[str, str]) -> None:
        base = tmp_path / "profiles"
        shutil.copytree(loader.PROFILES_DIR, base)
        (path,) = (base / slug).glob("*.toml")
        text = path.read_text(encoding="utf-8")
        for old, new in replacements:
            assert text.count(old) == 1
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
        monkeypatch.setattr(loader, "PROFILES_DIR", base)

    return edit


# --- who publishes answers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "board_role"), [("hagiang", "board_head"), ("dongnai", "support_editor")]
)
def test_where_the_board_publishes_the_agencys_answer_waits_for_it(qa_province, slug, board_role):
    # given: Hà Giang Art. 9(2), Đồng Nai Art. 8(2)(d)
    _site, staff, topic = qa_province(slug)
    question = submitted(topic)
    head = staff.holding("agency_head")
    # when: the head answers and asks for publication
    question = answered(question, by=head)
    # then: the asker has the answer, the public archive does not yet
    assert question.status == Question.Status.ANSWERED
    assert (question.is_public, question.publication_pending) == (False, True)
    assert question not in question_public_list()
    # the head cannot publish it; the board can
    with pytest.raises(QaError) as caught:
        question_publish(question=question, actor=head, publish=True)
    assert caught.value.kind is ErrorKind.FORBIDDEN
    board = staff.holding(board_role)
    question = question_publish(question=question, actor=board, publish=True)
    assert question.is_public
    assert question.published_by == board
    assert question in question_public_list()
    assert Event.objects.filter(question=question, action="published", actor=board).exists()


def test_the_board_declines_publication_only_with_a_reason(qa_province):
    _site, staff, topic = qa_province("hagiang")
    question = answered(submitted(topic), by=staff.holding("agency_head"))
    board = staff.holding("board_head")
    with pytest.raises(QaError) as caught:
        question_publish(question=question, actor=board, publish=False)
    assert caught.value.field == "reason"
    question = question_publish(
        question=question, actor=board, publish=False, reason="Nội dung riêng của người hỏi"
    )
    assert (question.is_public, question.publication_pending) == (False, False)


def test_where_the_agency_head_publishes_the_answer_is_public_at_once(qa_province):
    # Thái Nguyên Art. 14(2)-(3): the head answers on the portal and publishes
    _site, staff, topic = qa_province("thainguyen")
    head = staff.holding("agency_head")
    question = answered(submitted(topic), by=head)
    assert (question.is_public, question.publication_pending) == (True, False)
    assert question.published_by == head
    with pytest.raises(QaError) as caught:
        question_publish(question=question, actor=staff.holding("editor_in_chief"), publish=True)
    assert caught.value.code == "published_by_the_agency"


# --- receipt at all hours ----------------------------------------------------------------


def test_receipt_at_all_hours_counts_from_arrival(qa_province):
    # Thái Nguyên Art. 14(1): "24h/24h vào tất cả các ngày"
    _site, _staff, topic = qa_province("thainguyen")
    saturday = datetime(2026, 3, 7, 21, 0, tzinfo=TZ)
    question = submitted(topic, received_at=saturday)
    assert question.received_at == saturday
    assert "counted_from" not in Event.objects.get(question=question, action="received").data


def test_receipt_in_office_hours_only_counts_from_the_next_opening(
    qa_province, profile_edited, django_capture_on_commit_callbacks
):
    # given: a province whose text does not receive at all hours
    profile_edited("thainguyen", ("receipt_all_hours = true", "receipt_all_hours = false"))
    _site, _staff, topic = qa_province("thainguyen")
    # when: a question arrives on Saturday evening
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        question = submitted(topic, received_at=datetime(2026, 3, 7, 21, 0, tzinfo=TZ))
    assert "được tính là tiếp nhận lúc 07:30 ngày 09/03/2026" in mail.outbox[-1].body
    # then: it counts as received on Monday when the office opens (07:30 in Thái Nguyên), and
    # is due 5 working days on
    event = Event.objects.get(question=question, action="received")
    assert event.data["counted_from"] == "2026-03-09T07:30:00+07:00"
    assert question.clock_start_at == datetime(2026, 3, 9, 8, 0, tzinfo=TZ)
    assert question.due_at == datetime(2026, 3, 13, 17, 0, tzinfo=TZ)
    # and one arriving in office hours counts from its arrival
    in_hours = submitted(topic, received_at=datetime(2026, 3, 9, 10, 0, tzinfo=TZ))
    assert "counted_from" not in Event.objects.get(question=in_hours, action="received").data
    # and one arriving in the lunch break counts from the afternoon's opening (ADR 0008)
    at_lunch = submitted(topic, received_at=datetime(2026, 3, 9, 12, 0, tzinfo=TZ))
    counted = Event.objects.get(question=at_lunch, action="received").data["counted_from"]
    assert counted == "2026-03-09T13:30:00+07:00"


@pytest.mark.parametrize(
    ("all_hours", "due"),
    [
        ("true", datetime(2026, 3, 13, 17, 0, tzinfo=TZ)),  # counted from Sat: Mon is day 1
        ("false", datetime(2026, 3, 16, 17, 0, tzinfo=TZ)),  # counted from Mon: Tue is day 1
    ],
)
def test_with_the_next_working_day_clock_receipt_hours_move_the_deadline(
    qa_province, profile_edited, all_hours, due
):
    # Civil Code 2015 Art. 147: the day of receipt is not counted; when the portal receives
    # only in office hours, a Saturday question is received on Monday
    profile_edited(
        "thainguyen",
        ("receipt_all_hours = true", f"receipt_all_hours = {all_hours}"),
        ('clock_start = "office_start"', 'clock_start = "next_working_day"'),
    )
    _site, _staff, topic = qa_province("thainguyen")
    question = submitted(topic, received_at=datetime(2026, 3, 7, 21, 0, tzinfo=TZ))
    assert question.due_at == due


@pytest.mark.parametrize(
    ("clock", "says", "does_not_say"),
    [
        ("office_start", "gửi sau 08:00 hoặc vào ngày nghỉ", "ngày nhận câu hỏi không tính"),
        ("next_working_day", "ngày nhận câu hỏi không tính", "gửi sau 08:00"),
    ],
)
def test_the_question_form_tells_the_asker_when_the_clock_starts(
    tenant_db, profile_edited, clock, says, does_not_say
):
    # given: Thái Nguyên's profile read with either clock-start rule (ADR 0008)
    profile_edited("thainguyen", ('clock_start = "office_start"', f'clock_start = "{clock}"'))
    # when: a citizen opens the question form
    page = host_client("thainguyen.localhost").get("/hoi-dap/gui/")
    # then: the notice describes the rule the deadline will really be counted under
    text = page.content.decode()
    assert page.status_code == 200
    assert says in text
    assert does_not_say not in text


# --- out-of-scope questions returned at once -----------------------------------------------


def test_out_of_scope_is_returned_at_once_by_any_staff_with_the_reason_mailed(
    qa_province, django_capture_on_commit_callbacks
):
    # Decree 43/2011 Art. 17 (Thái Nguyên's profile): no need to wait for the head
    _site, staff, topic = qa_province("thainguyen")
    question = submitted(topic)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        question = question_return(
            question=question, actor=staff.holding("updater"), reason="Thuộc thẩm quyền Toà án"
        )
    assert question.status == Question.Status.RETURNED
    assert mail.outbox[-1].to == ["c@example.vn"]
    assert "Thuộc thẩm quyền Toà án" in mail.outbox[-1].body


def test_without_immediate_return_only_the_answer_role_returns(qa_province, profile_edited):
    profile_edited(
        "thainguyen",
        ('out_of_scope_return_immediately = "national", ', ""),
        (
            "receipt_all_hours = true\n",
            "receipt_all_hours = true\nout_of_scope_return_immediately = false\n",
        ),
    )
    _site, staff, topic = qa_province("thainguyen")
    question = submitted(topic)
    with pytest.raises(QaError) as caught:
        question_return(question=question, actor=staff.holding("updater"), reason="Ngoài phạm vi")
    assert caught.value.kind is ErrorKind.FORBIDDEN
    question = question_return(
        question=question, actor=staff.holding("agency_head"), reason="Ngoài phạm vi"
    )
    assert question.status == Question.Status.RETURNED
