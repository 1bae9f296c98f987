"""Reads of citizens' questions shared by api/ and frontend/.

Public reads never select personal data (name, e-mail, phone): they `defer` it, so a serializer
cannot leak it by accident."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce

from core.profiles import current_profile
from core.text import fold
from organization.models import RoleAssignment
from organization.selectors import board_members
from qa.models import Answer, Event, Question, Topic

PERSONAL_FIELDS = ("name", "email", "phone")
OPEN_STATUSES = (Question.Status.RECEIVED, Question.Status.IN_PROGRESS)
PUBLIC_STATUSES = (Question.Status.ANSWERED, Question.Status.CLOSED)


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


def question_public_list(
    *, query: str = "", topic: str = "", agency_id: int | None = None
) -> QuerySet[Question]:
    """Answered questions the agency chose to publish; accent-insensitive search on the folded
    `search_text` ("dat dai" finds "Đất đai")."""
    questions = (
        Question.objects.filter(is_public=True, status__in=PUBLIC_STATUSES)
        .select_related("topic", "agency")
        .defer(*PERSONAL_FIELDS)
    )
    for word in fold(query).split()[:10]:
        questions = questions.filter(search_text__contains=word)
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
        questions = questions.filter(effective_due__lt=now)
    elif overdue is False:
        questions = questions.filter(effective_due__gte=now)
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
