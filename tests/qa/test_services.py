"""The citizens' pipeline: submission, routing, answering by the head or a delegate."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.errors import ErrorKind
from organization.models import Agency
from qa.models import Answer, Question
from qa.services import (
    QaError,
    answer_draft,
    question_answer,
    question_moderate,
    question_reassign,
    question_return,
    question_set_appointment,
    question_set_kind,
    questions_purge_expired,
)
from tests.factories.organization import delegated
from tests.factories.qa import submitted


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"consent": False}, "consent"),
        ({"email": "", "phone": ""}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"topic": "khong-co"}, "topic"),
        ({"intake": "complaint"}, "intake"),
    ],
)
def test_bad_submissions_are_refused_and_store_nothing(qa_province, overrides, field):
    _site, _staff, topic = qa_province("thainguyen")
    before = Question.objects.count()
    with pytest.raises(QaError) as caught:
        submitted(topic, **overrides)
    assert caught.value.field == field
    assert Question.objects.count() == before


def test_submission_gets_a_code_a_due_date_and_a_receipt_mail(
    qa_province, django_capture_on_commit_callbacks
):
    _site, _staff, topic = qa_province("hagiang")
    with django_capture_on_commit_callbacks(execute=True):
        question = submitted(topic)
    assert len(question.tracking_code) == 9
    assert question.agency == topic.agency
    assert mail.outbox[-1].to == ["c@example.vn"]
    assert question.tracking_code in mail.outbox[-1].subject


def test_script_tags_are_kept_as_plain_text(qa_province):
    _site, _staff, topic = qa_province("hagiang")
    question = submitted(topic, text="<script>alert(1)</script> Xin hỏi")
    assert question.text.startswith("<script>")  # stored as text; templates escape it


def test_suspect_text_goes_to_moderation_not_to_the_bin(qa_province):
    _site, staff, topic = qa_province("dongnai")
    question = submitted(topic, text="Mời chơi casino trực tuyến")
    assert question.status == Question.Status.MODERATION
    board = staff.holding("support_editor")
    question = question_moderate(question=question, actor=board, accept=True)
    assert question.status == Question.Status.RECEIVED


def test_only_the_head_or_a_delegate_sends_the_answer(qa_province):
    site, staff, topic = qa_province("thainguyen")
    question = submitted(topic)
    clerk = staff.holding("updater")
    head = staff.holding("agency_head")
    draft = answer_draft(question=question, author=clerk, text="Trả lời dự thảo")
    with pytest.raises(QaError) as caught:
        question_answer(question=question, actor=clerk, text="x", channel="portal", publish=True)
    assert caught.value.kind is ErrorKind.FORBIDDEN
    question = question_answer(
        question=question, actor=head, text=draft.text, channel="portal", publish=True, answer=draft
    )
    assert question.status == Question.Status.ANSWERED
    assert question.is_public
    draft.refresh_from_db()
    assert (draft.status, draft.decided_by) == (Answer.Status.SENT, head)
    # a delegate of the head may send, and the answer records whose delegate
    other = submitted(topic, title="Câu khác")
    deputy = staff.holding("updater")
    delegated(delegator=head, delegate=deputy, role_code="agency_head", agency=site.agency, days=3)
    other = question_answer(
        question=other, actor=deputy, text="Trả lời", channel="email", publish=False
    )
    assert (other.answered_by, other.answered_on_behalf_of) == (deputy, head)
    assert not other.is_public


def test_reassign_and_inter_agency_recompute_from_the_original_receipt(qa_province):
    site, staff, topic = qa_province("thainguyen")
    from datetime import datetime

    from provinces.calendar import TZ

    question = submitted(topic, received_at=datetime(2026, 3, 4, 10, 0, tzinfo=TZ))
    clerk = staff.holding("updater")
    other_agency = Agency.objects.exclude(pk=site.agency_id).first()
    with pytest.raises(QaError):
        question_reassign(question=question, actor=clerk, agency=other_agency, reason="")
    question = question_set_kind(
        question=question, actor=clerk, kind="interagency", reason="Cần Sở Tài chính phối hợp"
    )
    # Thái Nguyên Art. 14(4)(b): 10 working days from Thu 5 Mar → Wed 18 Mar 17:00
    assert question.due_at.astimezone(TZ).isoformat() == "2026-03-18T17:00:00+07:00"
    assert question.inter_agency
    question = question_reassign(
        question=question, actor=clerk, agency=other_agency, reason="Thuộc thẩm quyền cơ quan khác"
    )
    assert question.agency == other_agency
    assert question.events.filter(action="reassigned").exists()


def test_special_case_appointment_never_beyond_the_maximum(qa_province):
    _site, staff, topic = qa_province("thainguyen")
    question = submitted(topic)
    clerk = staff.holding("updater")
    too_late = question.received_at + timedelta(days=60)
    with pytest.raises(QaError) as caught:
        question_set_appointment(question=question, actor=clerk, at=too_late, reason="Nghiên cứu")
    assert caught.value.code == "appointment_too_late"
    question = question_set_appointment(
        question=question, actor=clerk, at=timezone.now() + timedelta(days=7), reason="Nghiên cứu"
    )
    assert question.appointment_at is not None


def test_out_of_scope_is_returned_at_once_with_the_reason(qa_province):
    _site, staff, topic = qa_province("hagiang")
    question = submitted(topic)
    question = question_return(
        question=question, actor=staff.holding("focal_point"), reason="Không thuộc phạm vi của Cổng"
    )
    assert question.status == Question.Status.RETURNED


def test_staff_of_another_agency_cannot_act(qa_province):
    site, staff, topic = qa_province("thainguyen")
    question = submitted(topic)
    other_agency = Agency.objects.exclude(pk=site.agency_id).first()
    outsider = staff.holding("updater", agency=other_agency)
    with pytest.raises(QaError) as caught:
        question_return(question=question, actor=outsider, reason="x")
    assert caught.value.kind is ErrorKind.FORBIDDEN


def test_personal_data_is_purged_after_retention(qa_province):
    _site, _staff, topic = qa_province("backan")
    question = submitted(topic)
    later = question.retention_until + timedelta(days=1)
    assert questions_purge_expired(today=later) == 1
    assert questions_purge_expired(today=later) == 0
    question.refresh_from_db()
    assert (question.name, question.email, question.phone) == ("", "", "")
    assert question.purged_at is not None


def test_a_complaint_is_tracked_to_its_result_on_the_channels_the_province_offers(qa_province):
    # Huế Art. 13(1): from receipt to result; Huế answers on the portal only
    _site, staff, topic = qa_province("thuathienhue")
    from qa.services import complaint_record_result

    complaint = submitted(topic, intake="complaint", title="Khiếu nại về thủ tục")
    head = staff.holding("agency_head")
    complaint = complaint_record_result(question=complaint, actor=head, result="Đã giải quyết")
    assert complaint.status == Question.Status.CLOSED
    assert (complaint.result, complaint.answer_channel) == ("Đã giải quyết", "portal")


def test_where_no_portal_board_exists_the_agency_head_moderates(qa_province):
    # Huế's text covers departments' sites only: no portal-wide role to moderate
    _site, staff, topic = qa_province("thuathienhue")
    question = submitted(topic, text="Quảng cáo casino")
    assert question.status == Question.Status.MODERATION
    with pytest.raises(QaError):
        question_moderate(question=question, actor=staff.holding("board_member"), accept=True)
    question = question_moderate(
        question=question, actor=staff.holding("agency_head"), accept=False, reason="Quảng cáo"
    )
    assert question.status == Question.Status.REJECTED


def test_the_heads_inbox_lists_the_items_waiting_for_their_moderation(qa_province):
    from django.utils import timezone as tz

    from qa.selectors import question_inbox

    _site, staff, topic = qa_province("thuathienhue")
    question = submitted(topic, text="Quảng cáo casino")
    head, member = staff.holding("agency_head"), staff.holding("board_member")
    assert question in question_inbox(user=head, now=tz.now())
    assert question not in question_inbox(user=member, now=tz.now())
