"""Mail to askers: receipt with code and due date, and later updates. Vietnamese, plain text.
Only the asker's own address is used; nothing of the asker goes to anyone else."""

from __future__ import annotations

import logging
from datetime import datetime
from smtplib import SMTPException

from django.core.mail import send_mail

from provinces.calendar import TZ
from qa.models import Question

FROM = None  # DEFAULT_FROM_EMAIL
logger = logging.getLogger(__name__)


def _send(question: Question, subject: str, body: str) -> None:
    """Mail the asker. A mail server that is down must not undo or hide a stored submission:
    the failure is logged (without the address) and the item keeps its code and due date."""
    if not question.email:
        return
    try:
        send_mail(subject, body, FROM, [question.email], fail_silently=False)
    except (OSError, SMTPException):
        logger.warning("mail to the asker of %s not sent", question.tracking_code, exc_info=True)


def asker_received(question_pk: int) -> None:
    question = Question.objects.filter(pk=question_pk).first()
    if question is None:
        return
    due = question.due_at.astimezone(TZ)
    received = question.events.filter(action="received").values_list("data", flat=True).first()
    counted = (received or {}).get("counted_from")
    # qa.receipt_all_hours = false: what arrives outside office hours is received at the next
    # office opening, and the asker is told so (ADR 0011).
    outside = (
        f"Câu hỏi gửi ngoài giờ hành chính được tính là tiếp nhận lúc "
        f"{datetime.fromisoformat(counted).astimezone(TZ):%H:%M ngày %d/%m/%Y}.\n"
        if counted
        else ""
    )
    _send(
        question,
        f"Đã tiếp nhận: {question.tracking_code}",
        f"Câu hỏi “{question.title}” đã được tiếp nhận.\n"
        f"Mã tra cứu: {question.tracking_code}\n"
        f"{outside}"
        f"Hạn trả lời: {due:%H:%M ngày %d/%m/%Y} ({question.deadline_rule}).\n",
    )


_UPDATES = {
    "answered": "Câu hỏi của bạn đã được trả lời",
    "returned": "Câu hỏi không thuộc phạm vi và được trả lại",
    "appointment": "Hẹn ngày trả lời câu hỏi của bạn",
    "progress": "Thông báo tiến độ xử lý câu hỏi của bạn",
}


def asker_update(question_pk: int, what: str) -> None:
    question = Question.objects.filter(pk=question_pk).first()
    if question is None:
        return
    lines = [f"Mã tra cứu: {question.tracking_code}", f"Tiêu đề: {question.title}"]
    if what == "answered" and question.answer_channel == "email":
        lines.append(f"\nTrả lời:\n{question.answer_text}")
    elif what == "answered":
        lines.append("Câu trả lời đã được đăng trên Cổng; tra cứu bằng mã ở trên.")
    elif what == "returned":
        lines.append(f"Lý do: {question.return_reason}")
    elif what in ("appointment", "progress"):
        lines.append(f"Ngày trả lời dự kiến: {question.effective_due_at.astimezone(TZ):%d/%m/%Y}")
    _send(question, f"{_UPDATES[what]}: {question.tracking_code}", "\n".join(lines))
