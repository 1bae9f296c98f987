"""Reads of citizens' questions shared by api/ and frontend/.

Public reads never select personal data (name, e-mail, phone): they `defer` it, so a serializer
cannot leak it by accident."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.db import Folded
from core.profiles import current_profile, profile_at
from core.text import fold
from organization.models import RoleAssignment
from organization.selectors import acting_capacity, board_members, is_board_member
from provinces.loader import ProfileError
from provinces.schema import Profile
from qa.models import Answer, Event, Question, Topic

PERSONAL_FIELDS = ("name", "email", "phone")
OPEN_STATUSES = (Question.Status.RECEIVED, Question.Status.IN_PROGRESS)
PUBLIC_STATUSES = (Question.Status.ANSWERED, Question.Status.CLOSED)


def question_profile(question: Question) -> Profile:
    """The rules every decision on `question` follows: the profile in force when it arrived, of
    the province that received it (`profile_province`, set on a question received by a
    province since merged into this one, ADR 0032), else of this province. Its deadline was
    computed under the same rules and is kept; an answer role, an inter-agency kind, a return
    or a progress notice read them here."""
    return profile_at(question.received_at, slug=question.profile_province or None)


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.filter(is_active=True).select_related("agency")


def question_by_tracking_code(*, code: str) -> Question | None:
    """One indexed lookup whatever the code; personal data is never loaded."""
    return (
        Question.objects.select_related("topic", "agency")
        .defer(*PERSONAL_FIELDS)
        .filter(tracking_code=(code or "").strip().upper()[:20])
        .first()
    )


MAX_QUERY_WORDS = 10


def question_public_list(
    *, query: str = "", topic: str = "", agency_id: int | None = None
) -> QuerySet[Question]:
    """Answered questions the agency chose to publish. The search is accent-insensitive and
    word by word: each word is in the folded `search_text` (title, question, answer) or in the
    name of the question's topic, so "dat dai" and "đất đai" find the questions of the topic
    "Đất đai" as well as those that say it."""
    questions = (
        Question.objects.filter(is_public=True, status__in=PUBLIC_STATUSES)
        .select_related("topic", "agency")
        .defer(*PERSONAL_FIELDS)
    )
    words = fold(query).split()[:MAX_QUERY_WORDS]
    if words:
        questions = questions.alias(topic_words=Folded(F("topic__name")))
    for word in words:
        questions = questions.filter(Q(search_text__contains=word) | Q(topic_words__contains=word))
    if topic:
        questions = questions.filter(topic__slug=topic)
    if agency_id is not None:
        questions = questions.filter(agency_id=agency_id)
    return questions


def staff_scope(*, user) -> tuple[bool, set[int]]:
    """(is on the editorial board — a portal-scope role —, ids of the agencies the user holds a
    role in). A user with neither is no staff of this province."""
    rows = list(RoleAssignment.objects.filter(user=user).values_list("agency_id", flat=True))
    return None in rows, {agency_id for agency_id in rows if agency_id is not None}


def question_inbox(
    *,
    user,
    now: datetime,
    status: str = "",
    agency_id: int | None = None,
    kind: str = "",
    intake: str = "",
    topic: str = "",
    overdue: bool | None = None,
) -> QuerySet[Question]:
    """Open items of the caller's agencies, most urgent first; the board (portal-scope roles)
    sees every agency's, and the items waiting for moderation. `effective_due` is the date last
    promised to the asker (appointment, progress notice or the first deadline)."""
    board, agencies = staff_scope(user=user)
    questions = (
        Question.objects.select_related("topic", "agency")
        .defer(*PERSONAL_FIELDS, "text", "search_text", "answer_text")
        .annotate(effective_due=Coalesce("appointment_at", "progress_due_at", "due_at"))
    )
    if board:
        questions = questions.filter(status__in=[*OPEN_STATUSES, Question.Status.MODERATION])
    else:
        # An agency's head also moderates its items where the province has no portal board.
        heads_of = RoleAssignment.objects.filter(
            user=user, role__code=current_profile().qa.answer_role
        ).values("agency_id")
        questions = questions.filter(
            Q(agency_id__in=agencies, status__in=OPEN_STATUSES)
            | Q(agency_id__in=heads_of, status=Question.Status.MODERATION)
        )
    if status:
        questions = questions.filter(status=status)
    if agency_id is not None:
        questions = questions.filter(agency_id=agency_id)
    if kind:
        questions = questions.filter(deadline_kind=kind)
    if intake:
        questions = questions.filter(intake=intake)
    if topic:
        questions = questions.filter(topic__slug=topic)
    if overdue is True:
        questions = questions.overdue(now)
    elif overdue is False:
        questions = questions.not_overdue(now)
    return questions


def questions_awaiting_publication(*, user, profile) -> QuerySet[Question]:
    """Answers the board has to publish or decline (qa.answer_publisher = "board"), of the
    agencies `user` oversees on the board (organization.selectors.board_for); none for others."""
    if profile.qa.answer_publisher != "board":
        return Question.objects.none()
    seat = next((s for s in board_members(profile=profile) if s.user.pk == user.pk), None)
    if seat is None:
        return Question.objects.none()
    questions = (
        Question.objects.filter(publication_pending=True)
        .select_related("topic", "agency")
        .defer(*PERSONAL_FIELDS, "text", "search_text", "answer_text")
        .order_by("answered_at", "pk")
    )
    if seat.agency_ids is None:  # the whole province
        return questions
    return questions.filter(agency_id__in=seat.agency_ids)


def question_for_staff(*, pk: int) -> Question | None:
    return (
        Question.objects.select_related("topic", "agency", "answered_by", "answered_on_behalf_of")
        .prefetch_related("answers__author", "attachments")
        .filter(pk=pk)
        .first()
    )


def may_see_contact(*, user, question: Question) -> bool:
    """Only staff of the handling agency, or the board, see the asker's contact details."""
    return (
        RoleAssignment.objects.filter(user=user)
        .filter(Q(agency__isnull=True) | Q(agency_id=question.agency_id))
        .exists()
    )


def answer_of_question(*, question: Question, pk: int) -> Answer | None:
    return Answer.objects.filter(question=question, pk=pk).select_related("question").first()


def question_events(*, question: Question) -> QuerySet[Event]:
    return Event.objects.filter(question=question).select_related("actor", "on_behalf_of")


# --- what a user may do with one question (frontend/views/qa_staff, api/v1/qa.py) -------------


@dataclass(frozen=True)
class QuestionAction:
    """One action a user may take on a question, why, and the rule's source in the profile
    (empty where the platform allows it to every handler of the item)."""

    code: str
    reason: str
    source: str = ""


@dataclass(frozen=True)
class QuestionActions:
    """What `user` may do with one question, for showing and hiding it on the staff pages and
    in the API. The services check the same rules again when the action is taken: this is a
    read, never the guard."""

    board: bool  # on the editorial board (a portal-scope role)
    can_answer: bool  # holds the answer role for the item's agency, or is its delegate
    on_behalf_of: Any  # the holder a delegate answers for, if any
    allowed: tuple[QuestionAction, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(action.code for action in self.allowed)

    def may(self, code: str) -> bool:
        return any(action.code == code for action in self.allowed)


def question_actions(*, question: Question, user, now: datetime, profile=None) -> QuestionActions:
    """The actions `user` may take on `question` under `profile` (by default the one in force
    when it arrived, ADR 0009), each with its reason. Codes: moderate, publish, reassign, kind,
    appointment, progress, return, draft, answer, result (a complaint's answer) and approve
    (decide on a submitted draft: send it or return it). Only the handling agency's staff and
    the board handle an item (`may_see_contact`): anyone else may do nothing with it."""
    if profile is None:
        try:
            profile = question_profile(question)
        except (ProfileError, OSError, LookupError):
            profile = current_profile()
    board, _agencies = staff_scope(user=user)
    if not may_see_contact(user=user, question=question):
        return QuestionActions(board, False, None, ())
    can_answer, on_behalf_of = False, None
    if profile is not None and question.agency_id is not None:
        can_answer, on_behalf_of = acting_capacity(
            user=user,
            role_code=profile.qa.answer_role,
            agency_id=question.agency_id,
            delegation_allowed=True,
            at=now,
        )
    qa = profile.qa if profile is not None else None
    allowed: list[QuestionAction] = []

    def allow(code: str, reason: str, source: str = "") -> None:
        allowed.append(QuestionAction(code, reason, source))

    if question.status == Question.Status.MODERATION and board:
        allow("moderate", _("Ban biên tập kiểm duyệt câu hỏi bị giữ lại trước khi tiếp nhận."))
    if (
        qa is not None
        and qa.answer_publisher == "board"
        and question.publication_pending
        and is_board_member(user=user, profile=profile, agency_id=question.agency_id)
    ):
        allow(
            "publish",
            _("Ban biên tập quyết định đăng câu trả lời trên Cổng."),
            qa.source_of("answer_publisher"),
        )
    if not question.is_open:
        return QuestionActions(board, can_answer, on_behalf_of, tuple(allowed))
    handler = _("Cán bộ cơ quan xử lý hoặc Ban biên tập xử lý câu hỏi đang mở.")
    allow("reassign", handler)
    allow("kind", handler)
    kinds = dict(qa.kinds) if qa is not None else {}
    special = next(((code, rule) for code, rule in kinds.items() if rule.appointment), None)
    if special is not None:
        allow(
            "appointment",
            _("Trường hợp cần nghiên cứu thêm được hẹn ngày trả lời."),
            special[1].source,
        )
    kind = kinds.get(question.deadline_kind)
    if kind is not None and kind.progress_notice:
        allow("progress", _("Loại câu hỏi này cho phép thông báo tiến độ."), kind.source)
    allow("return", handler)
    allow("draft", handler)
    if can_answer:
        answerer = _("Thủ trưởng cơ quan xử lý hoặc người được uỷ quyền trả lời.")
        source = qa.source_of("answer_role") if qa is not None else ""
        if question.intake == Question.Intake.COMPLAINT:
            allow("result", answerer, source)
        else:
            allow("answer", answerer, source)
        allow("approve", answerer, source)
    return QuestionActions(board, can_answer, on_behalf_of, tuple(allowed))


def question_inbox_counts(*, user, now: datetime) -> tuple[int, int]:
    """(open items in the user's inbox, how many of them are overdue): two COUNT queries over
    question_inbox's own scope, for the staff navigation."""
    overdue = question_inbox(user=user, now=now, overdue=True).count()
    return question_inbox(user=user, now=now).count(), overdue
