"""qa.selectors.question_actions: what a user may do with one question, and why (ADR 0011).
The staff page and the API show the same actions; the services still refuse the others."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.errors import ErrorKind
from core.profiles import current_profile
from organization.models import Agency
from organization.services import agency_ensure
from qa.selectors import question_actions
from qa.services import QaError, question_answer, question_publish
from tests.conftest import host_client
from tests.factories.accounts import verified_login
from tests.factories.qa import answered, submitted

HANDLER = {"reassign", "kind", "progress", "return", "draft"}


def _actions(question, user):
    return question_actions(
        question=question, user=user, profile=current_profile(), now=timezone.now()
    )


@pytest.fixture
def hagiang(qa_province):
    site, staff, topic = qa_province("hagiang")
    agency_ensure(
        name="Sở Xây dựng tỉnh Hà Giang", short_name="SXD", kind="department", source="test"
    )
    other = Agency.objects.get(name="Sở Xây dựng tỉnh Hà Giang")
    return site, staff, topic, other


def test_in_ha_giang_the_agency_head_handles_and_answers_an_open_question(hagiang):
    _site, staff, topic, _other = hagiang
    head = staff.holding("agency_head")
    actions = _actions(submitted(topic), head)
    assert set(actions.codes) == HANDLER | {"answer", "approve"}
    assert (actions.board, actions.can_answer, actions.on_behalf_of) == (False, True, None)
    answer = next(a for a in actions.allowed if a.code == "answer")
    assert answer.reason == "Thủ trưởng cơ quan xử lý hoặc người được uỷ quyền trả lời."
    assert answer.source  # the profile's source of qa.answer_role


def test_in_ha_giang_the_board_handles_but_does_not_answer_an_open_question(hagiang):
    _site, staff, topic, _other = hagiang
    board = staff.holding("board_head")
    actions = _actions(submitted(topic), board)
    assert set(actions.codes) == HANDLER
    assert (actions.board, actions.can_answer) == (True, False)
    # and the service agrees: the board is refused the answer
    with pytest.raises(QaError) as caught:
        question_answer(
            question=submitted(topic), actor=board, text="Trả lời", channel="portal", publish=False
        )
    assert caught.value.kind is ErrorKind.FORBIDDEN


def test_another_agencys_staff_may_do_nothing_with_the_question(hagiang):
    _site, staff, topic, other = hagiang
    outsider = staff.holding("agency_head", agency=other)
    actions = _actions(submitted(topic), outsider)
    assert actions.allowed == ()
    assert (actions.board, actions.can_answer) == (False, False)


def test_in_ha_giang_only_the_board_decides_on_publishing_an_answer(hagiang):
    # Hà Giang QĐ 19/2015 Art. 9(2): qa.answer_publisher = "board"
    _site, staff, topic, _other = hagiang
    head = staff.holding("agency_head")
    question = answered(submitted(topic), by=head)
    assert question.publication_pending
    board = staff.holding("board_head")
    publish = _actions(question, board)
    assert publish.codes == ("publish",)
    assert publish.allowed[0].source == "QĐ 19/2015 Art. 9(2)"
    assert publish.allowed[0].reason == "Ban biên tập quyết định đăng câu trả lời trên Cổng."
    assert _actions(question, head).codes == ()  # answered: nothing left for the agency
    # a board editor is on the portal but is not the board that decides
    assert _actions(question, staff.holding("board_editor")).codes == ()
    with pytest.raises(QaError):
        question_publish(question=question, actor=head, publish=True)


def test_a_complaint_is_closed_with_a_result_not_an_answer(qa_province):
    # Huế Art. 13(1): a complaint's head records the result of its handling
    _site, staff, topic = qa_province("thuathienhue")
    question = submitted(topic, intake="complaint")
    codes = set(_actions(question, staff.holding("agency_head")).codes)
    assert {"result", "approve"} <= codes
    assert "answer" not in codes


def test_the_api_and_the_page_offer_the_same_actions(hagiang):
    _site, staff, topic, _other = hagiang
    question = submitted(topic)
    board = staff.holding("board_head")
    client = host_client("hagiang.localhost")
    verified_login(client, board)
    body = client.get(f"/api/v1/qa/questions/{question.pk}/").json()
    assert {a["code"] for a in body["actions"]} == HANDLER
    assert all(a["reason"] for a in body["actions"])
    page = client.get(f"/staff/hoi-dap/{question.pk}/").content.decode()
    assert 'name="reassign-reason"' in page
    assert 'name="answer-text"' not in page
