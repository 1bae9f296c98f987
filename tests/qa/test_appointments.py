"""Appointments and progress notices: bounded, refused once late, and lateness kept (ADR 0011).

Thái Nguyên Art. 14(4)(c): a special case gets an appointment of at most 15 working days from
receipt. Decree 43/2011 Art. 17 (Hà Giang Art. 11): answer, or send a progress notice with a new
date, within 15 working days; the profile bounds the new date
(qa.progress_notice_max_working_days)."""

from __future__ import annotations

from datetime import datetime

import pytest

from provinces.calendar import TZ
from qa import clocks
from qa.models import Event, Question
from qa.services import (
    QaError,
    question_progress_notice,
    question_set_appointment,
    question_set_kind,
)
from tests.factories.qa import submitted

# Wed 4 Mar 2026 10:00: the clock starts Thu 5 Mar 08:00 (Thái Nguyên Art. 14(4)(c)).
RECEIVED = datetime(2026, 3, 4, 10, 0, tzinfo=TZ)
COMPETENCE_DUE = datetime(2026, 3, 11, 17, 0, tzinfo=TZ)  # 5 working days, Art. 14(4)(a)
SPECIAL_MAX = datetime(2026, 3, 25, 17, 0, tzinfo=TZ)  # 15 working days, Art. 14(4)(c)
NATIONAL_DUE = SPECIAL_MAX  # 15 working days under Decree 43/2011 Art. 17, same clock
PROGRESS_MAX = datetime(2026, 4, 15, 17, 0, tzinfo=TZ)  # 15 working days after 25 Mar


def _at(day: int, month: int = 3, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=TZ)


# --- appointments ------------------------------------------------------------------------------


def test_an_appointment_reclassifies_to_the_special_kind_with_its_reason(qa_province):
    # given
    _site, staff, topic = qa_province("thainguyen")
    question = submitted(topic, received_at=RECEIVED)
    clerk = staff.holding("updater")
    # when
    question = question_set_appointment(
        question=question,
        actor=clerk,
        at=_at(20, hour=17),
        reason="Cần lấy ý kiến Sở Tài nguyên và Môi trường",
        now=_at(9),
    )
    # then
    question.refresh_from_db()
    assert question.deadline_kind == "special"
    assert question.deadline_source == "QĐ 40/2012 Art. 14(4)(c)"
    assert question.due_at == SPECIAL_MAX
    assert question.appointment_at == _at(20, hour=17)
    assert question.effective_due_at == _at(20, hour=17)
    assert question.first_due_at == COMPETENCE_DUE  # the first deadline stays on the record
    event = Event.objects.get(question=question, action="appointment")
    assert event.comment == "Cần lấy ý kiến Sở Tài nguyên và Môi trường"
    assert event.data["kind"] == "special"


def test_an_appointment_is_refused_once_the_deadline_has_passed(qa_province):
    # given: the 5-day deadline ran out on Wed 11 Mar at 17:00
    _site, staff, topic = qa_province("thainguyen")
    question = submitted(topic, received_at=RECEIVED)
    # when
    with pytest.raises(QaError) as caught:
        question_set_appointment(
            question=question,
            actor=staff.holding("updater"),
            at=_at(20, hour=17),
            reason="Cần nghiên cứu thêm",
            now=_at(12),
        )
    # then
    assert caught.value.code == "deadline_passed"
    question.refresh_from_db()
    assert (question.deadline_kind, question.appointment_at) == ("competence", None)


def test_an_appointment_never_exceeds_the_kinds_maximum_from_receipt(qa_province):
    _site, staff, topic = qa_province("thainguyen")
    question = submitted(topic, received_at=RECEIVED)
    clerk = staff.holding("updater")
    with pytest.raises(QaError) as caught:
        question_set_appointment(
            question=question,
            actor=clerk,
            at=_at(26, hour=17),
            reason="Cần nghiên cứu thêm",
            now=_at(9),
        )
    assert (caught.value.code, caught.value.field) == ("appointment_too_late", "appointment_at")
    # the last day allowed is accepted
    question = question_set_appointment(
        question=question, actor=clerk, at=SPECIAL_MAX, reason="Cần nghiên cứu thêm", now=_at(9)
    )
    assert question.appointment_at == SPECIAL_MAX


def test_an_appointment_needs_its_reason(qa_province):
    _site, staff, topic = qa_province("thainguyen")
    question = submitted(topic, received_at=RECEIVED)
    with pytest.raises(QaError) as caught:
        question_set_appointment(
            question=question, actor=staff.holding("updater"), at=_at(20), reason=" ", now=_at(9)
        )
    assert (caught.value.code, caught.value.field) == ("reason_required", "reason")


def test_a_second_appointment_cannot_move_past_the_first_once_it_has_passed(qa_province):
    _site, staff, topic = qa_province("thainguyen")
    question = submitted(topic, received_at=RECEIVED)
    clerk = staff.holding("updater")
    question_set_appointment(
        question=question, actor=clerk, at=_at(13, hour=17), reason="Nghiên cứu", now=_at(9)
    )
    with pytest.raises(QaError) as caught:
        question_set_appointment(
            question=question, actor=clerk, at=_at(20, hour=17), reason="Thêm", now=_at(16)
        )
    assert caught.value.code == "deadline_passed"


def test_a_province_without_an_appointment_kind_refuses_appointments(qa_province):
    _site, staff, topic = qa_province("hagiang")
    question = submitted(topic, received_at=RECEIVED)
    with pytest.raises(QaError) as caught:
        question_set_appointment(
            question=question,
            actor=staff.holding("focal_point"),
            at=_at(20),
            reason="Nghiên cứu",
            now=_at(9),
        )
    assert caught.value.code == "no_appointments"


# --- progress notices ------------------------------------------------------------------------


def test_a_progress_notice_date_is_bounded_by_the_profile(qa_province):
    # given: Hà Giang answers under Decree 43/2011 Art. 17, due Wed 25 Mar 17:00
    _site, staff, topic = qa_province("hagiang")
    question = submitted(topic, received_at=RECEIVED)
    focal = staff.holding("focal_point")
    assert question.due_at == NATIONAL_DUE
    for too_late in (datetime(9999, 12, 31, 17, 0, tzinfo=TZ), _at(16, 4, 17)):
        with pytest.raises(QaError) as caught:
            question_progress_notice(
                question=question, actor=focal, new_due=too_late, text="Đang xử lý", now=_at(20)
            )
        assert (caught.value.code, caught.value.field) == ("progress_too_late", "new_due")
    # when: the last day the profile allows (15 working days after the deadline)
    question = question_progress_notice(
        question=question, actor=focal, new_due=PROGRESS_MAX, text="Đang xử lý", now=_at(20)
    )
    # then
    assert question.progress_due_at == PROGRESS_MAX
    assert question.due_at == NATIONAL_DUE


def test_a_progress_notice_is_refused_once_the_deadline_has_passed(qa_province):
    _site, staff, topic = qa_province("hagiang")
    question = submitted(topic, received_at=RECEIVED)
    with pytest.raises(QaError) as caught:
        question_progress_notice(
            question=question,
            actor=staff.holding("focal_point"),
            new_due=_at(10, 4, 17),
            text="Đang xử lý",
            now=_at(26),
        )
    assert caught.value.code == "deadline_passed"
    question.refresh_from_db()
    assert question.progress_due_at is None


# --- lateness stays on the record ------------------------------------------------------------


def test_reclassifying_a_late_question_keeps_its_lateness(qa_province):
    # given: the 5-day deadline passed on Wed 11 Mar
    _site, staff, topic = qa_province("thainguyen")
    question = submitted(topic, received_at=RECEIVED)
    # when: it is reclassified as inter-agency (10 days, due Wed 18 Mar) on Thu 12 Mar
    question = question_set_kind(
        question=question,
        actor=staff.holding("updater"),
        kind="interagency",
        reason="Cần Sở Tài chính phối hợp",
        now=_at(12),
    )
    # then: the new deadline applies, and the missed one is kept and reported
    assert question.due_at == datetime(2026, 3, 18, 17, 0, tzinfo=TZ)
    assert question.missed_due_at == COMPETENCE_DUE
    assert question.first_due_at == COMPETENCE_DUE
    assert question.was_late
    assert question in clocks.overdue(now=_at(12, hour=10))
    assert question in clocks.late_on_record()


def test_reclassifying_in_time_records_no_lateness(qa_province):
    _site, staff, topic = qa_province("thainguyen")
    question = submitted(topic, received_at=RECEIVED)
    question = question_set_kind(
        question=question, actor=staff.holding("updater"), kind="interagency", now=_at(9)
    )
    assert question.missed_due_at is None
    assert question not in clocks.overdue(now=_at(12))
    assert Question.objects.filter(pk=question.pk, first_due_at=COMPETENCE_DUE).exists()
