"""A question keeps the rules of the province that received it (ADR 0032): merged into Thái
Nguyên, a question Bắc Kạn received is decided under Bắc Kạn's profile of its day, not under
Thái Nguyên's. The two differ where it shows: Bắc Kạn takes the national baseline's one kind
(answer or give a progress notice within 15 working days, answers on the portal only), Thái
Nguyên has its own kinds (competence, inter-agency, special cases with an appointment) and
answers by e-mail too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from qa.models import Question
from qa.selectors import question_actions, question_profile
from qa.services import QaError, question_answer, question_progress_notice, question_set_appointment
from tests.factories.pages import page_text, signed_in
from tests.factories.qa import submitted


def _received_by_backan(question: Question) -> Question:
    """`question` as the merge leaves a question Bắc Kạn received: in Thái Nguyên's schema,
    with the kind Bắc Kạn's rules gave it and the name of the province whose rules those are."""
    Question.objects.filter(pk=question.pk).update(
        profile_province="backan", deadline_kind="national"
    )
    question.refresh_from_db()
    return question


@pytest.fixture
def merged(qa_province):
    _site, staff, topic = qa_province("thainguyen")
    head = staff.holding("agency_head")
    return topic, head


def test_the_rules_are_the_receiving_province_s(merged):
    # given
    topic, _head = merged
    native = submitted(topic)
    moved = _received_by_backan(submitted(topic))
    # when / then
    assert native.profile_province == ""  # a new question: this province's rules
    assert question_profile(native).province.slug == "thainguyen"
    assert question_profile(moved).province.slug == "backan"
    assert question_profile(moved).effective_from <= moved.received_at.date()


def test_a_progress_notice_follows_the_receiving_province_s_kind(merged):
    # given: under Bắc Kạn's rules the question's kind allows a progress notice (Decree
    # 43/2011 Art. 17); Thái Nguyên has no such kind
    topic, head = merged
    moved = _received_by_backan(submitted(topic))
    new_due = moved.due_at + timedelta(days=3)
    # when
    noticed = question_progress_notice(
        question=moved, actor=head, new_due=new_due, text="Đang lấy ý kiến Sở Tài nguyên."
    )
    # then
    assert noticed.progress_due_at == new_due
    assert noticed.status == Question.Status.IN_PROGRESS


def test_the_same_question_under_this_province_s_rules_gets_no_progress_notice(merged):
    # the control: what the previous test would meet had the rules been Thái Nguyên's
    topic, head = merged
    question = submitted(topic)
    Question.objects.filter(pk=question.pk).update(deadline_kind="national")
    question.refresh_from_db()
    with pytest.raises(QaError) as caught:
        question_progress_notice(
            question=question,
            actor=head,
            new_due=question.due_at + timedelta(days=3),
            text="Đang lấy ý kiến.",
        )
    assert caught.value.code == "no_progress_notice"


def test_no_appointment_where_the_receiving_province_has_none(merged):
    # given: Thái Nguyên's special cases get an appointment (Art. 14(4)(c)); Bắc Kạn's rules
    # have no such case
    topic, head = merged
    moved = _received_by_backan(submitted(topic))
    # when / then
    with pytest.raises(QaError) as caught:
        question_set_appointment(
            question=moved,
            actor=head,
            at=timezone.now() + timedelta(days=7),
            reason="Cần nghiên cứu thêm",
        )
    assert caught.value.code == "no_appointments"
    moved.refresh_from_db()
    assert moved.appointment_at is None


def test_the_answer_goes_by_the_receiving_province_s_channels(merged):
    # given: Bắc Kạn answers on the portal only; Thái Nguyên by e-mail too (Art. 14(2))
    topic, head = merged
    moved = _received_by_backan(submitted(topic))
    native = submitted(topic)
    # when / then
    with pytest.raises(QaError) as caught:
        question_answer(question=moved, actor=head, text="Trả lời.", channel="email", publish=False)
    assert caught.value.code == "channel_not_offered"
    answered = question_answer(
        question=native, actor=head, text="Trả lời.", channel="email", publish=False
    )
    assert answered.answer_channel == "email"


def test_what_staff_may_do_follows_the_receiving_province_s_rules(merged):
    topic, head = merged
    now = timezone.now()
    moved = question_actions(
        question=_received_by_backan(submitted(topic)), user=head, now=now
    ).codes
    native = question_actions(question=submitted(topic), user=head, now=now).codes
    assert ("progress" in moved, "appointment" in moved) == (True, False)
    assert ("progress" in native, "appointment" in native) == (False, True)


def test_the_staff_page_says_whose_rules_the_question_was_received_under(merged):
    # given
    topic, head = merged
    moved = _received_by_backan(submitted(topic))
    native = submitted(topic)
    client = signed_in("thainguyen.localhost", head)
    # when
    moved_page = page_text(client.get(f"/staff/hoi-dap/{moved.pk}/"))
    native_page = page_text(client.get(f"/staff/hoi-dap/{native.pk}/"))
    # then
    assert "Tiếp nhận theo quy chế của Bắc Kạn" in moved_page
    assert "Trả lời hoặc thông báo tiến độ trong 15 ngày làm việc" in moved_page  # its kind
    assert "backan" not in moved_page
    assert "Tiếp nhận theo quy chế của" not in native_page
