"""Every write on citizens' questions, feedback and complaints (one transaction each).

Deadlines go through provinces.calendar.qa_deadline with the profile version in force when the
item arrived, and are stored with their rule; nothing here reads a province's name."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unidecode import unidecode

from core import limits
from core.errors import ErrorKind, Message, ServiceError
from core.profiles import profile_at
from core.text import fold, nfc
from core.uploads import UploadRefused, check_upload
from organization.models import Agency, RoleAssignment
from organization.selectors import acting_capacity, board_for
from provinces.calendar import TZ, calendar_for, qa_deadline
from provinces.citations import in_parentheses
from qa import search as search_documents
from qa.clocks import receipt_counted_at
from qa.models import Answer, Event, Question, QuestionAttachment, Topic
from qa.screening import screen
from qa.selectors import question_profile

logger = logging.getLogger(__name__)

MAX_TITLE = 300
MAX_TEXT = 10_000
MAX_NAME = 200
MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
_PHONE = re.compile(r"^\+?[0-9 .()-]{8,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class QaError(ServiceError):
    """A refused Q&A action: code, message, the field to blame, and its kind (FORBIDDEN for
    who may not act, CONFLICT for a question whose state forbids it, TOO_MANY when rate
    limited)."""


def _tracking_code() -> str:
    body = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{body[:4]}-{body[4:]}"


def _event(question, action, *, actor=None, on_behalf_of=None, comment="", **data) -> Event:
    return Event.objects.create(
        question=question,
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        comment=nfc(comment),
        data=data,
    )


def _apply_deadline(question: Question, *, kind: str) -> None:
    """Compute and store the deadline under the profile version in force at arrival, counted
    from the moment the item counts as received (qa.receipt_all_hours)."""
    profile = question_profile(question)
    try:
        deadline = qa_deadline(profile, receipt_counted_at(profile, question.received_at), kind)
    except ValueError as error:
        raise QaError("unknown_kind", str(error), "deadline_kind") from error
    question.profile_effective_from = profile.effective_from
    question.deadline_kind = deadline.kind
    question.deadline_working_days = deadline.working_days
    question.clock_start_at = deadline.clock_start
    question.due_at = deadline.due
    question.deadline_rule = deadline.rule[:300]
    question.deadline_source = deadline.source[:300]


def _check_rate(client_address: str | None) -> None:
    """QA_SUBMISSIONS_PER_HOUR per address across the whole platform (the core's limit
    "qa.submission"): an address cannot multiply its allowance by calling each province's host
    in turn, nor by switching between the web form and the API."""
    if not client_address:
        return
    if not limits.counter("qa.submission", who=client_address, province=None).hit().allowed:
        raise QaError(
            "rate_limited",
            _("Bạn đã gửi quá nhiều câu hỏi. Vui lòng thử lại sau một giờ."),
            kind=ErrorKind.TOO_MANY,
        )


def _validate_submission(*, intake, name, email, phone, title, text, consent, profile):
    if intake not in profile.qa.intake:
        raise QaError(
            "intake_not_offered",
            _("Cổng này không tiếp nhận loại '%(intake)s' (%(offered)s).")
            % {"intake": intake, "offered": ", ".join(profile.qa.intake)},
            "intake",
        )
    if not consent:
        raise QaError(
            "consent_required", _("Cần đồng ý cho phép xử lý dữ liệu cá nhân để gửi."), "consent"
        )
    checks = [
        ("name", name, MAX_NAME, _("Họ tên")),
        ("title", title, MAX_TITLE, _("Tiêu đề")),
        ("text", text, MAX_TEXT, _("Nội dung")),
    ]
    for field, value, limit, label in checks:
        if not value:
            raise QaError("required", _("%(label)s không được để trống.") % {"label": label}, field)
        if len(value) > limit:
            raise QaError(
                "too_long",
                _("%(label)s tối đa %(limit)s ký tự.") % {"label": label, "limit": limit},
                field,
            )
    if not email and not phone:
        raise QaError("contact_required", _("Cần ít nhất thư điện tử hoặc số điện thoại."), "email")
    if email and not _EMAIL.match(email):
        raise QaError("invalid_email", _("Địa chỉ thư điện tử không hợp lệ."), "email")
    if phone and not _PHONE.match(phone):
        raise QaError("invalid_phone", _("Số điện thoại không hợp lệ."), "phone")


def question_submit(
    *,
    intake: str = Question.Intake.QUESTION,
    name: str,
    email: str = "",
    phone: str = "",
    topic: str,
    title: str,
    text: str,
    consent: bool,
    attachments=(),
    client_address: str | None = None,
    received_at: datetime | None = None,
) -> Question:
    """Receive a question, a feedback or a complaint at any hour (Hà Giang Art. 9(1), Thái
    Nguyên Art. 14(1)); route it by topic; store its deadline. Suspect text goes to moderation
    (the clock is the one of receipt all the same). Invalid input stores nothing."""
    received_at = received_at or timezone.now()
    profile = profile_at(received_at)
    name, email, phone = nfc(name), nfc(email).lower(), nfc(phone)
    title, text = nfc(title), nfc(text)
    _validate_submission(
        intake=intake,
        name=name,
        email=email,
        phone=phone,
        title=title,
        text=text,
        consent=consent,
        profile=profile,
    )
    topic_row = Topic.objects.filter(slug=topic, is_active=True).select_related("agency").first()
    if topic_row is None:
        raise QaError(
            "unknown_topic", _("Lĩnh vực không tồn tại; hãy chọn trong danh sách."), "topic"
        )
    if len(attachments) > MAX_ATTACHMENTS:
        raise QaError(
            "too_many_files",
            _("Tối đa %(count)s tệp đính kèm.") % {"count": MAX_ATTACHMENTS},
            "attachments",
        )
    checked = []
    for uploaded in attachments:
        if uploaded.size > MAX_ATTACHMENT_BYTES:
            raise QaError("file_too_large", _("Mỗi tệp đính kèm tối đa 5 MB."), "attachments")
        try:
            checked.append((uploaded, *check_upload(uploaded)))
        except UploadRefused as refused:  # a clear message for the field
            raise QaError(
                refused.code, refused.message, "attachments", kind=refused.kind
            ) from refused
    _check_rate(client_address)
    suspicion = screen(title, text)
    with transaction.atomic():
        question = Question(
            intake=intake,
            topic=topic_row,
            agency=topic_row.agency,
            title=title,
            text=text,
            search_text=fold(f"{title} {text}"),
            status=Question.Status.MODERATION if suspicion else Question.Status.RECEIVED,
            name=name,
            email=email,
            phone=phone,
            consent_at=received_at,
            retention_until=(received_at + timedelta(days=profile.qa.retention_days)).date(),
            received_at=received_at,
            suspect=bool(suspicion),
            moderation_note=suspicion or "",
        )
        _apply_deadline(question, kind=profile.qa.default_kind)
        question.first_due_at = question.due_at  # kept whatever moves the deadline later
        for _attempt in range(5):
            question.tracking_code = _tracking_code()
            try:
                with transaction.atomic():
                    question.save()
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 32^8 codes
            raise QaError("code_exhausted", _("Không tạo được mã tra cứu, vui lòng thử lại."))
        for uploaded, content_type, digest, size in checked:
            QuestionAttachment.objects.create(
                question=question,
                file=uploaded,
                original_name=nfc(uploaded.name)[-255:],
                content_type=content_type,
                size=size,
                sha256=digest,
            )
        counted = receipt_counted_at(profile, received_at)
        _event(
            question,
            "received",
            comment=suspicion or "",
            topic=topic_row.slug,
            agency=topic_row.agency.name,
            **({"counted_from": counted.isoformat()} if counted != received_at else {}),
        )
        _notify_received(question.pk)
    return question


def _notify_received(question_pk: int) -> None:
    """The asker's receipt, queued in the submission's transaction (tenants.outbox): sent by a
    worker after the commit, or once the broker is back if it is down (ADR 0024)."""
    from qa.tasks import notify_received
    from tenants.outbox import enqueue

    enqueue(notify_received, question_pk)


def _lock(question: Question) -> Question:
    return Question.objects.select_for_update().get(pk=question.pk)


def _staff_of(actor, agency_id: int | None) -> bool:
    """Any staff with a role in the agency, or a portal-wide role (the editorial board)."""
    return (
        # agency_id=None is meant (Django makes it IS NULL); the stubs refuse None in lookups.
        RoleAssignment.objects.filter(user=actor).filter(agency_id=agency_id).exists()  # type: ignore[misc]
        or RoleAssignment.objects.filter(user=actor, agency__isnull=True).exists()
    )


def _require_staff(actor, question: Question) -> None:
    if not _staff_of(actor, question.agency_id):
        raise QaError(
            "not_allowed", _("Bạn không thuộc cơ quan xử lý câu hỏi này."), kind=ErrorKind.FORBIDDEN
        )


def _require_open(question: Question) -> None:
    if not question.is_open:
        raise QaError(
            "not_open",
            _("Câu hỏi ở trạng thái '%(status)s'.") % {"status": question.get_status_display()},
            kind=ErrorKind.CONFLICT,
        )


@transaction.atomic
def question_moderate(*, question: Question, actor, accept: bool, reason: str = "") -> Question:
    """A moderator lets a suspect submission through or refuses it with a reason."""
    question = _lock(question)
    if question.status != Question.Status.MODERATION:
        raise QaError(
            "not_in_moderation", _("Câu hỏi không chờ kiểm duyệt."), kind=ErrorKind.CONFLICT
        )
    # The portal's editorial board, or — where a province has no portal-wide body (Huế's text
    # covers departments' sites only) — the head of the agency the question was routed to.
    board = RoleAssignment.objects.filter(user=actor, agency__isnull=True).exists()
    if not board:
        head, _capacity = acting_capacity(
            user=actor,
            role_code=question_profile(question).qa.answer_role,
            agency_id=question.agency_id,
            delegation_allowed=True,
            at=timezone.now(),
        )
        if not head:
            raise QaError(
                "not_allowed",
                _("Chỉ Ban biên tập hoặc thủ trưởng cơ quan được kiểm duyệt."),
                kind=ErrorKind.FORBIDDEN,
            )
    if not accept and not nfc(reason):
        raise QaError("reason_required", _("Cần nêu lý do không tiếp nhận."), "reason")
    question.status = Question.Status.RECEIVED if accept else Question.Status.REJECTED
    question.save(update_fields=["status"])
    _event(question, "moderated" if accept else "refused", actor=actor, comment=reason)
    return question


@transaction.atomic
def question_reassign(*, question: Question, actor, agency: Agency, reason: str) -> Question:
    """Route to another agency, with the reason recorded (the deadline does not move)."""
    question = _lock(question)
    _require_open(question)
    _require_staff(actor, question)
    if not nfc(reason):
        raise QaError("reason_required", _("Chuyển cơ quan phải nêu lý do."), "reason")
    if agency.pk == question.agency_id:
        raise QaError("same_agency", _("Câu hỏi đã thuộc cơ quan này."), "agency")
    previous = question.agency.name if question.agency else ""
    question.agency = agency
    question.save(update_fields=["agency"])
    _event(
        question, "reassigned", actor=actor, comment=reason, **{"from": previous, "to": agency.name}
    )
    return question


DEADLINE_FIELDS = [
    "deadline_kind",
    "deadline_working_days",
    "clock_start_at",
    "due_at",
    "deadline_rule",
    "deadline_source",
    "profile_effective_from",
    "inter_agency",
    "missed_due_at",
]


def _reclassify(question: Question, *, kind: str, now: datetime) -> None:
    """Recompute the deadline for `kind` from the original receipt. A promised date that has
    already passed stays on the record (`missed_due_at`): moving the deadline later never
    unmakes lateness (ADR 0011)."""
    if question.missed_due_at is None and question.is_overdue(now):
        question.missed_due_at = question.effective_due_at
    _apply_deadline(question, kind=kind)
    question.inter_agency = question_profile(question).qa.kinds[kind].inter_agency


def _require_in_time(question: Question, now: datetime, what: Message) -> None:
    """Decree 43/2011 Art. 17, Thái Nguyên Art. 14(4)(c): an appointment or a progress notice
    is given within the deadline, never to cover one already missed."""
    if question.is_overdue(now):
        raise QaError(
            "deadline_passed",
            _("Hạn trả lời %(due)s đã qua: không thể %(what)s; câu hỏi được ghi nhận là quá hạn.")
            % {"due": f"{question.effective_due_at.astimezone(TZ):%H:%M %d/%m/%Y}", "what": what},
            kind=ErrorKind.CONFLICT,
        )


@transaction.atomic
def question_set_kind(
    *, question: Question, actor, kind: str, reason: str = "", now: datetime | None = None
) -> Question:
    """Reclassify (e.g. inter-agency, Thái Nguyên Art. 14(4)(b)): the deadline is recomputed
    from the original receipt under the profile version in force then; a deadline already
    missed stays recorded."""
    now = now or timezone.now()
    question = _lock(question)
    _require_open(question)
    _require_staff(actor, question)
    _reclassify(question, kind=kind, now=now)
    question.save(update_fields=DEADLINE_FIELDS)
    _event(
        question,
        "reclassified",
        actor=actor,
        comment=reason,
        kind=kind,
        due_at=question.due_at.isoformat(),
    )
    return question


@transaction.atomic
def question_set_appointment(
    *, question: Question, actor, at: datetime, reason: str = "", now: datetime | None = None
) -> Question:
    """Special cases needing research (Thái Nguyên Art. 14(4)(c)): the question becomes the
    profile's appointment kind, with the reason, and gets an appointment date no later than
    that kind's maximum counted from receipt. Refused once the current deadline has passed."""
    now = now or timezone.now()
    question = _lock(question)
    _require_open(question)
    _require_staff(actor, question)
    profile = question_profile(question)
    special = next((k for k, v in profile.qa.kinds.items() if v.appointment), None)
    if special is None:
        raise QaError("no_appointments", _("Quy chế của tỉnh không quy định hẹn ngày trả lời."))
    reason = nfc(reason)
    if not reason:
        raise QaError("reason_required", _("Hẹn ngày trả lời phải nêu lý do."), "reason")
    _require_in_time(question, now, _("hẹn ngày trả lời"))
    limit = qa_deadline(profile, receipt_counted_at(profile, question.received_at), special).due
    if at > limit:
        raise QaError(
            "appointment_too_late",
            _("Ngày hẹn muộn nhất là %(limit)s%(basis)s.")
            % {
                "limit": f"{limit.astimezone(TZ):%d/%m/%Y %H:%M}",
                "basis": in_parentheses(profile.qa.kinds[special].source),
            },
            "appointment_at",
        )
    if at <= now:
        raise QaError("in_the_past", _("Ngày hẹn phải ở tương lai."), "appointment_at")
    _reclassify(question, kind=special, now=now)
    question.appointment_at = at
    question.status = Question.Status.IN_PROGRESS
    question.save(update_fields=[*DEADLINE_FIELDS, "appointment_at", "status"])
    _event(
        question,
        "appointment",
        actor=actor,
        comment=reason,
        at=at.isoformat(),
        kind=special,
        due_at=question.due_at.isoformat(),
    )
    _notify_asker(question.pk, "appointment")
    return question


def progress_notice_limit(*, question: Question, profile) -> datetime:
    """The latest new date a progress notice may give: the end of office hours on the n-th
    working day after the kind's deadline, n = qa.progress_notice_max_working_days (Decree
    43/2011 Art. 17 sets no limit; the profile does, ADR 0011)."""
    calendar = calendar_for(profile)
    try:
        after = calendar.next_working_day(question.due_at.astimezone(TZ).date())
        days = calendar.working_days_from(after, profile.qa.progress_notice_max_working_days)
    except (OverflowError, ValueError):  # a stored deadline beyond the calendar: no extension
        return question.due_at
    return calendar.office_end(days[-1])


@transaction.atomic
def question_progress_notice(
    *, question: Question, actor, new_due: datetime, text: str, now: datetime | None = None
) -> Question:
    """Decree 43/2011 Art. 17: within the deadline, answer or tell the asker how far it has got
    and by when it will be answered; the new date is bounded by the profile."""
    now = now or timezone.now()
    question = _lock(question)
    _require_open(question)
    _require_staff(actor, question)
    profile = question_profile(question)
    kind = profile.qa.kinds.get(question.deadline_kind)
    if kind is None or not kind.progress_notice:
        raise QaError("no_progress_notice", _("Quy chế không quy định thông báo tiến độ."))
    if not nfc(text):
        raise QaError("required", _("Cần nội dung thông báo."), "text")
    _require_in_time(question, now, _("thông báo tiến độ"))
    if new_due <= question.effective_due_at:
        raise QaError(
            "new_date_not_later", _("Ngày trả lời mới phải sau hạn trả lời hiện tại."), "new_due"
        )
    limit = progress_notice_limit(question=question, profile=profile)
    if new_due > limit:
        raise QaError(
            "progress_too_late",
            _("Ngày trả lời mới muộn nhất là %(limit)s (%(days)s ngày làm việc sau hạn trả lời).")
            % {
                "limit": f"{limit.astimezone(TZ):%d/%m/%Y %H:%M}",
                "days": profile.qa.progress_notice_max_working_days,
            },
            "new_due",
        )
    question.progress_notice_at = now
    question.progress_due_at = new_due
    question.status = Question.Status.IN_PROGRESS
    question.save(update_fields=["progress_notice_at", "progress_due_at", "status"])
    _event(question, "progress_notice", actor=actor, comment=text, new_due=new_due.isoformat())
    _notify_asker(question.pk, "progress")
    return question


@transaction.atomic
def question_return(*, question: Question, actor, reason: str) -> Question:
    """Out of the portal's scope: returned with the reason, which the asker is mailed. Where the
    profile says at once (qa.out_of_scope_return_immediately; Decree 43/2011 Art. 17), any
    staff of the handling agency or the board returns it, without waiting for the head; else a
    return is the agency's reply and only the answer role (or a delegate) sends it."""
    question = _lock(question)
    _require_open(question)
    if question_profile(question).qa.out_of_scope_return_immediately:
        _require_staff(actor, question)
    else:
        _answer_capacity(actor, question)
    if not nfc(reason):
        raise QaError("reason_required", _("Trả lại phải nêu lý do."), "reason")
    question.status = Question.Status.RETURNED
    question.return_reason = nfc(reason)
    question.save(update_fields=["status", "return_reason"])
    _event(question, "returned", actor=actor, comment=reason)
    _notify_asker(question.pk, "returned")
    return question


def _answer_capacity(actor, question: Question):
    profile = question_profile(question)
    allowed, on_behalf_of = acting_capacity(
        user=actor,
        role_code=profile.qa.answer_role,
        agency_id=question.agency_id,
        delegation_allowed=True,
        at=timezone.now(),
    )
    if not allowed:
        raise QaError(
            "not_allowed",
            _("Chỉ thủ trưởng cơ quan hoặc người được uỷ quyền gửi câu trả lời%(basis)s.")
            % {"basis": in_parentheses(profile.qa.source_of("answer_role"))},
            kind=ErrorKind.FORBIDDEN,
        )
    return profile, on_behalf_of


@transaction.atomic
def answer_draft(*, question: Question, author, text: str, submit: bool = True) -> Answer:
    """A draft answer by agency staff; submitted, it waits for the head's approval."""
    question = _lock(question)
    _require_open(question)
    _require_staff(author, question)
    if not nfc(text):
        raise QaError("required", _("Nội dung trả lời không được để trống."), "text")
    if len(nfc(text)) > 50_000:
        raise QaError("too_long", _("Câu trả lời tối đa 50.000 ký tự."), "text")
    answer = Answer.objects.create(
        question=question,
        text=nfc(text),
        author=author,
        status=Answer.Status.SUBMITTED if submit else Answer.Status.DRAFT,
    )
    if question.status == Question.Status.RECEIVED:
        question.status = Question.Status.IN_PROGRESS
        question.save(update_fields=["status"])
    _event(question, "answer_drafted", actor=author, answer=answer.pk)
    return answer


@transaction.atomic
def question_answer(
    *,
    question: Question,
    actor,
    text: str,
    channel: str,
    publish: bool,
    answer: Answer | None = None,
) -> Question:
    """Send the answer: only the agency head (the profile's answer role) or a delegate. On the
    portal (the asker's personal data masked) or by e-mail, as the agency decides (Thái Nguyên
    Art. 14(2)). `publish` puts it in the public archive where the answer role publishes
    (qa.answer_publisher = "answer_role"); where the board does (Hà Giang Art. 9(2), Đồng Nai
    Art. 8(2)(d)), it asks the board, which decides with `question_publish`."""
    question = _lock(question)
    _require_open(question)
    profile, on_behalf_of = _answer_capacity(actor, question)
    text = nfc(text)
    if not text:
        raise QaError("required", _("Nội dung trả lời không được để trống."), "text")
    if channel not in profile.qa.channels:
        raise QaError(
            "channel_not_offered",
            _("Kênh trả lời phải là một trong: %(channels)s.")
            % {"channels": ", ".join(profile.qa.channels)},
            "channel",
        )
    if channel == "email" and not question.email:
        raise QaError("no_email", _("Người hỏi không đăng ký thư điện tử."), "channel")
    now = timezone.now()
    if answer is not None:
        if answer.question_id != question.pk or answer.status != Answer.Status.SUBMITTED:
            raise QaError("answer_not_submitted", _("Bản trả lời không chờ duyệt."), "answer")
        answer.status = Answer.Status.SENT
        answer.decided_by, answer.decided_at = actor, now
        answer.save(update_fields=["status", "decided_by", "decided_at"])
    question.answer_text = text
    question.answer_channel = channel
    question.answered_at = now
    question.answered_by = actor
    question.answered_on_behalf_of = on_behalf_of
    wants_public = bool(publish and channel == "portal")
    by_board = profile.qa.answer_publisher == "board"
    question.is_public = wants_public and not by_board
    question.publication_pending = wants_public and by_board
    if question.is_public:
        question.published_at, question.published_by = now, actor
    question.status = (
        Question.Status.CLOSED
        if question.intake == Question.Intake.COMPLAINT
        else Question.Status.ANSWERED
    )
    question.search_text = fold(f"{question.title} {question.text} {text}")
    question.save(
        update_fields=[
            "answer_text",
            "answer_channel",
            "answered_at",
            "answered_by",
            "answered_on_behalf_of",
            "is_public",
            "publication_pending",
            "published_at",
            "published_by",
            "status",
            "search_text",
        ]
    )
    _event(
        question,
        "answered",
        actor=actor,
        on_behalf_of=on_behalf_of,
        channel=channel,
        public=question.is_public,
        publication_pending=question.publication_pending,
    )
    _notify_asker(question.pk, "answered")
    search_documents.question_changed(question.pk)
    return question


@transaction.atomic
def question_publish(
    *, question: Question, actor, publish: bool, reason: str = "", now: datetime | None = None
) -> Question:
    """The board publishes an agency's answer in the public archive, or declines with a reason
    (qa.answer_publisher = "board": Hà Giang Art. 9(2) "cung cấp thông tin cho Ban biên tập";
    Đồng Nai Art. 8(2)(d) "xử lý và đăng tải ý kiến trả lời"). The board is the one that
    oversees the question's agency (organization.selectors.board_for)."""
    now = now or timezone.now()
    question = _lock(question)
    profile = question_profile(question)
    if profile.qa.answer_publisher != "board":
        raise QaError(
            "published_by_the_agency",
            _("Theo quy chế, thủ trưởng cơ quan trả lời tự đăng câu trả lời%(basis)s.")
            % {"basis": in_parentheses(profile.qa.source_of("answer_publisher"))},
            kind=ErrorKind.CONFLICT,
        )
    if not any(
        seat.user.pk == actor.pk
        for seat in board_for(profile=profile, agency_id=question.agency_id)
    ):
        raise QaError(
            "not_allowed",
            _("Chỉ Ban biên tập đăng câu trả lời%(basis)s.")
            % {"basis": in_parentheses(profile.qa.source_of("answer_publisher"))},
            kind=ErrorKind.FORBIDDEN,
        )
    if not question.publication_pending:
        raise QaError("not_pending", _("Câu trả lời không chờ đăng."), kind=ErrorKind.CONFLICT)
    reason = nfc(reason)
    if not publish and not reason:
        raise QaError("reason_required", _("Không đăng phải nêu lý do."), "reason")
    question.publication_pending = False
    question.is_public = publish
    if publish:
        question.published_at, question.published_by = now, actor
    question.save(
        update_fields=["publication_pending", "is_public", "published_at", "published_by"]
    )
    _event(
        question, "published" if publish else "publication_declined", actor=actor, comment=reason
    )
    search_documents.question_changed(question.pk)
    return question


@transaction.atomic
def answer_return(*, answer: Answer, actor, comment: str) -> Answer:
    """The head sends a draft back to its author with a comment."""
    question = _lock(answer.question)
    _answer_capacity(actor, question)
    if answer.status != Answer.Status.SUBMITTED:
        raise QaError("answer_not_submitted", _("Bản trả lời không chờ duyệt."), "answer")
    if not nfc(comment):
        raise QaError("reason_required", _("Cần góp ý cho người soạn."), "comment")
    answer.status = Answer.Status.RETURNED
    answer.decided_by, answer.decided_at, answer.comment = actor, timezone.now(), nfc(comment)
    answer.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    _event(question, "answer_returned", actor=actor, comment=comment, answer=answer.pk)
    return answer


@transaction.atomic
def complaint_record_result(*, question: Question, actor, result: str) -> Question:
    """Huế Art. 13(1): a complaint is tracked from receipt to its result, and the result is sent
    to the complainant."""
    if question.intake != Question.Intake.COMPLAINT:
        raise QaError("not_a_complaint", _("Chỉ khiếu nại mới ghi kết quả."), "intake")
    question = _lock(question)
    _require_open(question)
    profile, _capacity = _answer_capacity(actor, question)  # refuse before anything is written
    if not nfc(result):
        raise QaError("required", _("Cần ghi kết quả giải quyết."), "result")
    question.result = nfc(result)
    question.save(update_fields=["result"])
    channels = profile.qa.channels
    channel = "email" if question.email and "email" in channels else "portal"
    return question_answer(
        question=question, actor=actor, text=result, channel=channel, publish=False
    )


def _notify_asker(question_pk: int, what: str) -> None:
    """An update to the asker, queued in the change's transaction (tenants.outbox)."""
    from qa.tasks import notify_asker
    from tenants.outbox import enqueue

    enqueue(notify_asker, question_pk, what)


def questions_purge_expired(*, today=None) -> int:
    """Erase the personal data of items past their retention date (safe to run twice)."""
    today = today or timezone.localdate()
    expired = Question.objects.filter(retention_until__lt=today, purged_at__isnull=True)
    count = 0
    for pk in expired.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            question = Question.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if question is None or question.purged_at is not None:
                continue
            question.name, question.email, question.phone = "", "", ""
            question.purged_at = timezone.now()
            question.save(update_fields=["name", "email", "phone", "purged_at"])
            files = [attachment.file for attachment in question.attachments.all()]
            question.attachments.all().delete()
            # The files go with the rows, once the purge is committed. (mypy cannot infer a lambda
            # whose default argument binds this iteration's files.)
            transaction.on_commit(lambda files=files: [f.delete(save=False) for f in files])  # type: ignore[misc]
            _event(question, "personal_data_purged")
            count += 1
    return count


def question_export_for_asker(*, tracking_code: str, email: str) -> dict:
    """What the platform holds about one asker's submission, for the asker (by code + e-mail)."""
    question = Question.objects.filter(tracking_code=tracking_code.strip().upper()).first()
    if question is None or not question.email or question.email != nfc(email).lower():
        raise QaError(
            "not_found",
            _("Không tìm thấy câu hỏi với mã và thư điện tử này."),
            kind=ErrorKind.NOT_FOUND,
        )
    return {
        "tracking_code": question.tracking_code,
        "received_at": question.received_at.isoformat(),
        "name": question.name,
        "email": question.email,
        "phone": question.phone,
        "title": question.title,
        "text": question.text,
        "status": question.status,
        "answer": question.answer_text,
        "retention_until": question.retention_until.isoformat()
        if question.retention_until
        else None,
        "attachments": [a.original_name for a in question.attachments.all()],
    }


@transaction.atomic
def topic_ensure(*, name: str, agency: Agency, position: int = 0) -> Topic:
    from django.utils.text import slugify

    slug = slugify(unidecode(nfc(name)))[:120]
    topic, created = Topic.objects.get_or_create(
        slug=slug, defaults={"name": nfc(name), "agency": agency, "position": position}
    )
    if not created and topic.agency_id != agency.pk:
        topic.agency = agency
        topic.save(update_fields=["agency"])
    search_documents.topic_changed(topic.pk)
    return topic


# --- the province administrator's pages (/staff/quan-tri/linh-vuc/) -------------------------

TOPIC_NAME_MAX = 200


def _topic_name(name: str, *, exclude_pk: int | None = None) -> tuple[str, str]:
    """(NFC name, slug), or a refusal naming what is wrong with the name."""
    from django.utils.text import slugify

    name = nfc(name)
    if not name:
        raise QaError("name_required", _("Hãy nhập tên lĩnh vực."), "name")
    if len(name) > TOPIC_NAME_MAX:
        raise QaError(
            "name_too_long",
            _("Tên lĩnh vực dài quá %(limit)s ký tự.") % {"limit": TOPIC_NAME_MAX},
            "name",
        )
    slug = slugify(unidecode(name))[:120]
    if not slug:
        raise QaError("invalid_name", _("Tên lĩnh vực phải có chữ hoặc số."), "name")
    # exclude(pk=None) is meant (Django makes it IS NULL: nothing excluded); the stubs refuse None.
    clash = Topic.objects.exclude(pk=exclude_pk).filter(name__iexact=name).first()  # type: ignore[misc]
    if clash is None and exclude_pk is None:
        clash = Topic.objects.filter(slug=slug).first()
    if clash is not None:
        raise QaError(
            "topic_exists",
            (
                _("Đã có lĩnh vực '%(name)s'.")
                if clash.is_active
                else _("Đã có lĩnh vực '%(name)s' (đang ngừng sử dụng: hãy mở lại lĩnh vực đó).")
            )
            % {"name": clash.name},
            "name",
        )
    return name, slug


def _active_agency(agency: Agency) -> Agency:
    if not agency.is_active:
        raise QaError(
            "agency_inactive",
            _("Cơ quan '%(name)s' đã ngừng hoạt động.") % {"name": agency.name},
            "agency",
        )
    return agency


def _check_position(position: int | None) -> None:
    if position is not None and position < 0:
        raise QaError("invalid_position", _("Thứ tự phải là số không âm."), "position")


def _topic_audit(action: str, topic: Topic, actor) -> None:
    from accounts.services import audit_record

    audit_record(actor=actor, action=action, target=f"topic {topic.slug}", agency=topic.agency.name)


@transaction.atomic
def topic_create(*, name: str, agency: Agency, position: int | None = None, actor=None) -> Topic:
    """A new Hỏi – Đáp topic routed to `agency` (Hà Giang Art. 9(2); Thái Nguyên Art. 8(4)),
    last in the list unless a position is given. Refuses a name another topic has."""
    name, slug = _topic_name(name)
    _active_agency(agency)
    _check_position(position)
    if position is None:
        last = Topic.objects.order_by("-position").values_list("position", flat=True).first()
        position = 0 if last is None else last + 1
    topic = Topic.objects.create(name=name, slug=slug, agency=agency, position=position)
    _topic_audit("topic_created", topic, actor)
    search_documents.topic_changed(topic.pk)
    return topic


@transaction.atomic
def topic_update(
    *,
    topic: Topic,
    name: str | None = None,
    agency: Agency | None = None,
    is_active: bool | None = None,
    position: int | None = None,
    actor=None,
) -> Topic:
    """Rename a topic, route it to another agency, reorder it, or (de)activate it. The slug
    stays (links keep working); questions already received keep the agency they went to."""
    _check_position(position)
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    values: dict = {}
    if name is not None and nfc(name) != locked.name:
        values["name"], _slug = _topic_name(name, exclude_pk=locked.pk)
    if agency is not None and agency.pk != locked.agency_id:
        values["agency"] = _active_agency(agency)
    if is_active is not None and is_active != locked.is_active:
        values["is_active"] = is_active
    if position is not None and position != locked.position:
        values["position"] = position
    for key, value in values.items():
        setattr(locked, key, value)
    if values:
        locked.save(update_fields=list(values))
        _topic_audit("topic_updated " + ",".join(values), locked, actor)
        search_documents.topic_changed(locked.pk)
    return locked
