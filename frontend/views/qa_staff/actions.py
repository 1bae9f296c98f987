"""The actions on one staff Q&A item. Every action goes through qa.services; a refusal there
re-renders the page with its message and the status of its kind (400, 403, 409), never a 500."""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from frontend.errors import add_service_error, http_status
from frontend.views.qa_staff.common import calendar_of, int_or_none, visible_question
from frontend.views.qa_staff.detail import Page, page_of, render_detail
from frontend.views.qa_staff.forms import (
    AnswerForm,
    AppointmentForm,
    ApproveForm,
    DraftForm,
    KindForm,
    ModerationForm,
    ProgressForm,
    PublishForm,
    ReassignForm,
    ResultForm,
    ReturnDraftForm,
    ReturnForm,
)
from organization.models import Agency
from organization.selectors import (
    agency_list,
)
from provinces.calendar import TZ
from qa import selectors
from qa.services import (
    QaError,
    answer_draft,
    answer_return,
    complaint_record_result,
    question_answer,
    question_moderate,
    question_progress_notice,
    question_publish,
    question_reassign,
    question_return,
    question_set_appointment,
    question_set_kind,
)

# Service error fields → the form's field names.
FIELD_OF = {"appointment_at": "day", "deadline_kind": "kind"}


def _end_of_day(page: Page, day: date) -> datetime:
    return calendar_of(page.profile).office_end(day)


def _do_reassign(page, form):
    agency = Agency.objects.filter(pk=form.cleaned_data["agency"], is_active=True).first()
    if agency is None:
        raise QaError("unknown_agency", _("Cơ quan không tồn tại."), "agency")
    question_reassign(
        question=page.question,
        actor=page.request.user,
        agency=agency,
        reason=form.cleaned_data["reason"],
    )
    return _("Đã chuyển câu hỏi sang %(agency)s.") % {"agency": agency.name}


def _do_kind(page, form):
    question = question_set_kind(
        question=page.question,
        actor=page.request.user,
        kind=form.cleaned_data["kind"],
        reason=form.cleaned_data["reason"],
    )
    return _("Đã phân loại lại; hạn trả lời mới: %(due)s.") % {
        "due": f"{question.due_at.astimezone(TZ):%d/%m/%Y %H:%M}"
    }


def _do_appointment(page, form):
    question_set_appointment(
        question=page.question,
        actor=page.request.user,
        at=_end_of_day(page, form.cleaned_data["day"]),
        reason=form.cleaned_data["reason"],
    )
    return _("Đã hẹn ngày trả lời và báo cho người hỏi.")


def _do_progress(page, form):
    question_progress_notice(
        question=page.question,
        actor=page.request.user,
        new_due=_end_of_day(page, form.cleaned_data["new_due"]),
        text=form.cleaned_data["text"],
    )
    return _("Đã gửi thông báo tiến độ cho người hỏi.")


def _do_publish(page, form):
    publish = form.cleaned_data["decision"] == "publish"
    question_publish(
        question=page.question,
        actor=page.request.user,
        publish=publish,
        reason=form.cleaned_data["reason"],
    )
    return _("Đã đăng câu trả lời trên Cổng.") if publish else _("Đã quyết định không đăng.")


def _do_return(page, form):
    question_return(
        question=page.question, actor=page.request.user, reason=form.cleaned_data["reason"]
    )
    return _("Đã trả lại câu hỏi và báo lý do cho người hỏi.")


def _do_moderate(page, form):
    accept = form.cleaned_data["decision"] == "accept"
    question_moderate(
        question=page.question,
        actor=page.request.user,
        accept=accept,
        reason=form.cleaned_data["reason"],
    )
    return _("Đã tiếp nhận câu hỏi.") if accept else _("Đã không tiếp nhận câu hỏi.")


def _do_draft(page, form):
    answer_draft(question=page.question, author=page.request.user, text=form.cleaned_data["text"])
    return _("Đã gửi bản trả lời để thủ trưởng duyệt.")


def _do_answer(page, form):
    question_answer(
        question=page.question,
        actor=page.request.user,
        text=form.cleaned_data["text"],
        channel=form.cleaned_data["channel"],
        publish=form.cleaned_data["publish"],
    )
    return _("Đã gửi câu trả lời.")


def _do_approve(page, form, answer):
    question_answer(
        question=page.question,
        actor=page.request.user,
        text=answer.text,
        channel=form.cleaned_data["channel"],
        publish=form.cleaned_data["publish"],
        answer=answer,
    )
    return _("Đã duyệt và gửi câu trả lời.")


def _do_return_draft(page, form, answer):
    answer_return(answer=answer, actor=page.request.user, comment=form.cleaned_data["comment"])
    return _("Đã trả lại bản trả lời cho người soạn.")


def _do_result(page, form):
    complaint_record_result(
        question=page.question, actor=page.request.user, result=form.cleaned_data["result"]
    )
    return _("Đã ghi kết quả giải quyết khiếu nại và gửi cho người khiếu nại.")


# URL slug → (form key, handler). Decisions on a draft name it in the POST field `answer`.
ACTIONS = {
    "chuyen-co-quan": ("reassign", _do_reassign),
    "phan-loai": ("kind", _do_kind),
    "hen-tra-loi": ("appointment", _do_appointment),
    "thong-bao-tien-do": ("progress", _do_progress),
    "tra-lai": ("return", _do_return),
    "kiem-duyet": ("moderate", _do_moderate),
    "soan-tra-loi": ("draft", _do_draft),
    "gui-tra-loi": ("answer", _do_answer),
    "duyet-ban-nhap": ("approve", _do_approve),
    "tra-lai-ban-nhap": ("return_draft", _do_return_draft),
    "ket-qua-khieu-nai": ("result", _do_result),
    "dang-tra-loi": ("publish", _do_publish),
}
DRAFT_ACTIONS = {"approve", "return_draft"}


def _bind(page: Page, key: str, data) -> forms.Form:
    """The form of `key` bound to the POST, built whatever the item's state: a refused action
    must still show its own message."""
    question = page.question
    agencies = [a for a in agency_list() if a.pk != question.agency_id]
    kinds = [(code, rule.label) for code, rule in page.kinds.items()]
    base, _sep, _pk = key.partition("-")
    factories = {
        "reassign": lambda: ReassignForm(data, prefix=key, agencies=agencies),
        "kind": lambda: KindForm(data, prefix=key, kinds=kinds),
        "appointment": lambda: AppointmentForm(data, prefix=key),
        "progress": lambda: ProgressForm(data, prefix=key),
        "return": lambda: ReturnForm(data, prefix=key),
        "moderate": lambda: ModerationForm(data, prefix=key),
        "draft": lambda: DraftForm(data, prefix=key),
        "answer": lambda: AnswerForm(
            data, prefix=key, channels=page.channels, by_board=page.by_board
        ),
        "approve": lambda: ApproveForm(
            data, prefix=key, channels=page.channels, by_board=page.by_board
        ),
        "publish": lambda: PublishForm(data, prefix=key),
        "return_draft": lambda: ReturnDraftForm(data, prefix=key),
        "result": lambda: ResultForm(data, prefix=key),
    }
    return factories[base]()


@csrf_protect
@login_required
@require_POST
def question_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    question = visible_question(request, pk)
    page = page_of(request, question)
    key, handler = ACTIONS[action]
    args = ()
    if key in DRAFT_ACTIONS:
        answer = question.answers.filter(pk=int_or_none(request.POST.get("answer"))).first()
        if answer is None:
            raise Http404
        key, args = f"{key}-{answer.pk}", (answer,)
    form = _bind(page, key, request.POST)
    if not form.is_valid():
        return render_detail(request, page, bound={key: form}, failed=key, status=400)
    try:
        message = handler(page, form, *args)
    except QaError as error:
        add_service_error(form, error, field_map=FIELD_OF)
        # The item may have changed under the refused action: show it as it is now.
        page = page_of(request, selectors.question_for_staff(pk=question.pk) or question)
        status = http_status(error)
        return render_detail(request, page, bound={key: form}, failed=key, status=status)
    messages.success(request, message)
    refreshed = selectors.question_for_staff(pk=question.pk)
    if refreshed is not None and selectors.may_see_contact(user=request.user, question=refreshed):
        return redirect("frontend:staff_qa_detail", pk=question.pk)
    return redirect("frontend:staff_qa_inbox")
