"""Citizens' questions, feedback and complaints ("Hỏi – Đáp") on a province's hosts.

Public operations (submit, track, the answered archive, topics, an asker's own export) never
return the asker's name, e-mail or phone: their serializers have no such fields and the
selectors do not even load them. Staff operations call qa.services, which checks who may act;
a refusal (`QaError`) becomes the API's error format with the status of its kind (api.errors)."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.caching import NoStore
from api.errors import ErrorOutput
from api.fields import BoundedDateTimeField
from api.pagination import CursorPagination
from api.parsers import BoundedJSONParser
from api.permissions import IsProvinceStaff
from api.throttling import (
    AnonRateThrottle,
    ExportGuesses,
    TrackingCodeGuesses,
    UserRateThrottle,
)
from api.views import ServiceActionView
from config.client import client_address
from core.errors import ErrorKind, ServiceError
from core.profiles import current_profile
from organization.selectors import agency_list
from qa import selectors, services
from qa.models import Answer, Question

TAGS = ["qa"]
ERRORS = {
    400: ErrorOutput,
    401: ErrorOutput,
    403: ErrorOutput,
    404: ErrorOutput,
    409: ErrorOutput,
}


# --- Plumbing ------------------------------------------------------------------------------


class QaView(APIView):
    parser_classes = [BoundedJSONParser]

    def handle_exception(self, exc):
        # Django refuses an oversized body while it is parsed: answer in the API's format.
        if isinstance(exc, RequestDataTooBig):
            exc = ServiceError(
                "request_too_large", _("Dữ liệu gửi lên quá lớn."), kind=ErrorKind.TOO_LARGE
            )
        elif isinstance(exc, TooManyFieldsSent):
            exc = ServiceError("too_many_fields", _("Quá nhiều trường dữ liệu."))
        return super().handle_exception(exc)


class StrictCharField(serializers.CharField):
    """Text only: a number, list or object is refused instead of being turned into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def _text(*, required: bool = False, **kwargs) -> StrictCharField:
    """A text field whose content (empty, too long) the service judges, with its message."""
    if not required:
        kwargs["default"] = ""
    return StrictCharField(required=required, allow_blank=True, **kwargs)


def _question_or_404(question_id: int) -> Question:
    question = selectors.question_for_staff(pk=question_id)
    if question is None:
        raise ServiceError("not_found", _("Không tìm thấy câu hỏi."), kind=ErrorKind.NOT_FOUND)
    return question


def _answer_or_error(
    question: Question, answer_id: int, *, kind: ErrorKind = ErrorKind.INVALID
) -> Answer:
    answer = selectors.answer_of_question(question=question, pk=answer_id)
    if answer is None:
        raise ServiceError(
            "unknown_answer", _("Câu hỏi này không có bản trả lời đó."), "answer", kind=kind
        )
    return answer


def _disclaimer() -> tuple[str | None, str | None]:
    """The profile's note on what answers are (Thái Nguyên Art. 14(5)), and its article."""
    qa = current_profile().qa
    if not qa.disclaimer:
        return None, None
    return qa.disclaimer, qa.field_sources.get("disclaimer", qa.source)


# --- Shared output shapes ------------------------------------------------------------------


class QaAgencyRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class QaTopicRef(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class QaDeadlineMixin(serializers.Serializer):
    # due_at: the date last promised to the asker (a later appointment or progress-notice
    # date when the rule allows one); first_due_at: the deadline stored at arrival.
    due_at = serializers.DateTimeField(source="effective_due_at")
    first_due_at = serializers.DateTimeField(source="due_at")
    deadline_kind = serializers.CharField()
    deadline_working_days = serializers.IntegerField()
    deadline_rule = serializers.CharField()
    deadline_source = serializers.CharField(help_text="the article the deadline comes from")
    appointment_at = serializers.DateTimeField(allow_null=True)
    progress_due_at = serializers.DateTimeField(allow_null=True)


# --- Public: submit ------------------------------------------------------------------------


class QaQuestionSubmitInput(serializers.Serializer):
    intake = serializers.ChoiceField(
        choices=Question.Intake.choices,
        default=Question.Intake.QUESTION,
        help_text="what the province receives is in its profile (qa.intake)",
    )
    topic = _text(required=True, help_text="slug of a topic (GET /qa/topics/)")
    title = _text(required=True, help_text=f"at most {services.MAX_TITLE} characters")
    text = _text(
        required=True, help_text=f"at most {services.MAX_TEXT} characters; kept as plain text"
    )
    name = _text(required=True, help_text=f"at most {services.MAX_NAME} characters")
    email = _text(help_text="e-mail or phone, at least one")
    phone = _text()
    consent = serializers.BooleanField(
        help_text="consent to the processing of the personal data given (must be true)"
    )
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text=f"multipart only; at most {services.MAX_ATTACHMENTS} files of 5 MB "
        "(PDF, Office, images)",
    )


class QaQuestionSubmitOutput(serializers.Serializer):
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    deadline_kind = serializers.CharField()
    deadline_rule = serializers.CharField()
    deadline_source = serializers.CharField()


class QuestionSubmitView(NoStore, QaView):
    permission_classes = [AllowAny]
    parser_classes = [BoundedJSONParser, MultiPartParser]

    @extend_schema(
        tags=TAGS,
        operation_id="qa_question_submit",
        request={
            "application/json": QaQuestionSubmitInput,
            "multipart/form-data": QaQuestionSubmitInput,
        },
        responses={
            201: QaQuestionSubmitOutput,
            400: ErrorOutput,
            413: ErrorOutput,
            429: ErrorOutput,
        },
        description="Receive a question, a feedback or a complaint, at any hour (Hà Giang "
        "Art. 9(1); Thái Nguyên Art. 14(1)). The answer is due on the returned date, computed "
        "by the province's rule. Invalid input stores nothing.",
    )
    def post(self, request):
        payload = QaQuestionSubmitInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        question = services.question_submit(
            intake=data["intake"],
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            topic=data["topic"],
            title=data["title"],
            text=data["text"],
            consent=data["consent"],
            attachments=data["attachments"],
            client_address=client_address(request),
        )
        return Response(QaQuestionSubmitOutput(question).data, status=status.HTTP_201_CREATED)


# --- Public: track -------------------------------------------------------------------------


class QaQuestionTrackOutput(QaDeadlineMixin):
    tracking_code = serializers.CharField()
    intake = serializers.CharField()
    title = serializers.CharField()
    topic = serializers.CharField(allow_null=True)
    agency = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    status_label = serializers.CharField()
    received_at = serializers.DateTimeField()
    return_reason = serializers.CharField(allow_null=True)
    answer = serializers.CharField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    answer_channel = serializers.CharField(allow_null=True)
    disclaimer = serializers.CharField(allow_null=True)


class QuestionTrackView(NoStore, QaView):
    permission_classes = [AllowAny]
    # A code is the key to one asker's item: unknown codes count against the address's
    # allowance of guesses, the web page's and the API's together.
    throttle_classes = [AnonRateThrottle, UserRateThrottle, TrackingCodeGuesses]

    @extend_schema(
        tags=TAGS,
        operation_id="qa_question_track",
        responses={200: QaQuestionTrackOutput, 404: ErrorOutput, 429: ErrorOutput},
        description="Where an item stands, by its tracking code. No personal data.",
    )
    def get(self, request, code: str):
        question = selectors.question_by_tracking_code(code=code)
        if question is None:
            TrackingCodeGuesses.failed(request)
            raise ServiceError(
                "not_found", _("Không tìm thấy mã tra cứu."), kind=ErrorKind.NOT_FOUND
            )
        answered = question.status in selectors.PUBLIC_STATUSES
        returned = question.status == Question.Status.RETURNED
        body = {
            field: getattr(question, field)
            for field in (
                "tracking_code",
                "intake",
                "title",
                "status",
                "received_at",
                "effective_due_at",
                "due_at",
                "deadline_kind",
                "deadline_working_days",
                "deadline_rule",
                "deadline_source",
                "appointment_at",
                "progress_due_at",
            )
        }
        body |= {
            "status_label": question.get_status_display(),
            "topic": question.topic.name if question.topic else None,
            "agency": question.agency.name if question.agency else None,
            "return_reason": question.return_reason if returned else None,
            "answer": question.answer_text if answered else None,
            "answered_at": question.answered_at if answered else None,
            "answer_channel": question.answer_channel if answered else None,
            "disclaimer": _disclaimer()[0] if answered else None,
        }
        return Response(QaQuestionTrackOutput(body).data)


# --- Public: the answered archive and topics -----------------------------------------------


class AnsweredPagination(CursorPagination):
    ordering = ("-answered_at", "-pk")

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        disclaimer, source = _disclaimer()
        response.data["disclaimer"] = disclaimer
        response.data["disclaimer_source"] = source
        return response

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["disclaimer"] = {
            "type": "string",
            "nullable": True,
            "description": "what the answers are, and are not (Thái Nguyên Art. 14(5))",
        }
        paginated["properties"]["disclaimer_source"] = {"type": "string", "nullable": True}
        return paginated


class QaAnsweredFilters(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="words, accents optional"
    )
    topic = serializers.SlugField(required=False, allow_blank=True, help_text="topic slug")
    agency = serializers.IntegerField(required=False, help_text="agency id")


class QaAnsweredItem(serializers.Serializer):
    id = serializers.IntegerField()
    intake = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    topic = QaTopicRef(allow_null=True)
    agency = QaAgencyRef(allow_null=True)
    received_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField()
    answer = serializers.CharField(source="answer_text")


class AnsweredListView(QaView):
    permission_classes = [AllowAny]
    pagination_class = AnsweredPagination

    @extend_schema(
        tags=TAGS,
        operation_id="qa_answered_list",
        parameters=[QaAnsweredFilters],
        responses={200: QaAnsweredItem(many=True), 400: ErrorOutput},
        description="Answers the agencies published, newest first, with the province's "
        "disclaimer. Search ignores accents: `q=dat dai` finds “Đất đai”.",
    )
    def get(self, request):
        filters = QaAnsweredFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        questions = selectors.question_public_list(
            query=filters.validated_data.get("q", ""),
            topic=filters.validated_data.get("topic", ""),
            agency_id=filters.validated_data.get("agency"),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(questions, request, view=self)
        return paginator.get_paginated_response(QaAnsweredItem(page, many=True).data)


class QaTopicOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    agency = QaAgencyRef()


class TopicListView(QaView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="qa_topics_list",
        responses=QaTopicOutput(many=True),
        description="Topics and the agency each is routed to (Hà Giang Art. 9(2)).",
    )
    def get(self, request):
        return Response(QaTopicOutput(selectors.topic_list(), many=True).data)


# --- Public: an asker's own data -----------------------------------------------------------


class QaExportInput(serializers.Serializer):
    tracking_code = StrictCharField(max_length=20)
    email = StrictCharField(max_length=254)


class QaExportOutput(serializers.Serializer):
    tracking_code = serializers.CharField()
    received_at = serializers.DateTimeField()
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    status = serializers.CharField()
    answer = serializers.CharField()
    retention_until = serializers.DateField(allow_null=True)
    attachments = serializers.ListField(child=serializers.CharField())


class AskerExportView(NoStore, QaView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle, ExportGuesses]

    @extend_schema(
        tags=TAGS,
        operation_id="qa_asker_export",
        request=QaExportInput,
        responses={200: QaExportOutput, 400: ErrorOutput, 404: ErrorOutput, 429: ErrorOutput},
        description="What the portal holds about one submission, for its asker: the tracking "
        "code and the e-mail given with it must both match.",
    )
    def post(self, request):
        payload = QaExportInput(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            data = services.question_export_for_asker(**payload.validated_data)
        except services.QaError:
            ExportGuesses.failed(request)  # code and e-mail do not match
            raise
        return Response(QaExportOutput(data).data)


# --- Staff: inbox, one item, its history ---------------------------------------------------


class InboxPagination(CursorPagination):
    ordering = ("effective_due", "pk")  # most urgent first


class QaInboxFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=Question.Status.choices, required=False)
    agency = serializers.IntegerField(required=False, help_text="agency id")
    kind = serializers.CharField(required=False, max_length=40, help_text="deadline kind")
    intake = serializers.ChoiceField(choices=Question.Intake.choices, required=False)
    topic = serializers.SlugField(required=False, help_text="topic slug")
    overdue = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="past the promised date"
    )


class QaInboxItem(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    intake = serializers.CharField()
    title = serializers.CharField()
    topic = QaTopicRef(allow_null=True)
    agency = QaAgencyRef(allow_null=True)
    status = serializers.CharField()
    suspect = serializers.BooleanField()
    deadline_kind = serializers.CharField()
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(source="effective_due")
    first_due_at = serializers.DateTimeField(source="due_at")
    overdue = serializers.BooleanField()


class InboxView(NoStore, QaView):
    permission_classes = [IsProvinceStaff]
    pagination_class = InboxPagination

    @extend_schema(
        tags=TAGS,
        operation_id="qa_inbox_list",
        parameters=[QaInboxFilters],
        responses={
            200: QaInboxItem(many=True),
            400: ErrorOutput,
            401: ErrorOutput,
            403: ErrorOutput,
        },
        description="Open items of the caller's agencies, most urgent first; the editorial "
        "board (portal-wide roles) sees every agency's, and the items held for moderation.",
    )
    def get(self, request):
        filters = QaInboxFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        now = timezone.now()
        questions = selectors.question_inbox(
            user=request.user,
            now=now,
            status=filters.validated_data.get("status", ""),
            agency_id=filters.validated_data.get("agency"),
            kind=filters.validated_data.get("kind", ""),
            intake=filters.validated_data.get("intake", ""),
            topic=filters.validated_data.get("topic", ""),
            overdue=filters.validated_data["overdue"],
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(questions, request, view=self)
        for question in page:
            question.overdue = question.is_overdue(now)
        return paginator.get_paginated_response(QaInboxItem(page, many=True).data)


class QaContactOutput(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


class QaAttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class QaAnswerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    status = serializers.CharField()
    author = serializers.CharField(source="author.username")
    created_at = serializers.DateTimeField()
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField()


class QaActionOutput(serializers.Serializer):
    code = serializers.CharField(
        help_text="moderate, publish, reassign, kind, appointment, progress, return, draft, "
        "answer, result (a complaint's answer) or approve (decide on a submitted draft)"
    )
    reason = serializers.CharField(help_text="why the caller may take it")
    source = serializers.CharField(help_text="the rule's source in the profile, if any")


class QaQuestionStaffOutput(QaDeadlineMixin):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    intake = serializers.CharField()
    topic = QaTopicRef(allow_null=True)
    agency = QaAgencyRef(allow_null=True)
    title = serializers.CharField()
    text = serializers.CharField()
    status = serializers.CharField()
    suspect = serializers.BooleanField()
    moderation_note = serializers.CharField()
    received_at = serializers.DateTimeField()
    inter_agency = serializers.BooleanField()
    return_reason = serializers.CharField()
    overdue = serializers.BooleanField()
    contact = QaContactOutput(
        allow_null=True,
        help_text="the asker's contact details: only for staff of the handling agency and the "
        "editorial board (null for others, and once purged)",
    )
    attachments = QaAttachmentOutput(many=True, allow_null=True)
    answers = QaAnswerOutput(many=True)
    answer_text = serializers.CharField()
    answer_channel = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    answered_by = serializers.CharField(
        source="answered_by.username", allow_null=True, default=None
    )
    answered_on_behalf_of = serializers.CharField(
        source="answered_on_behalf_of.username", allow_null=True, default=None
    )
    is_public = serializers.BooleanField()
    publication_pending = serializers.BooleanField(
        help_text="the agency asked for publication; the board has not decided yet "
        '(profile qa.answer_publisher = "board")'
    )
    published_at = serializers.DateTimeField(allow_null=True)
    first_due_at = serializers.DateTimeField(
        allow_null=True, help_text="the deadline set at receipt, never moved"
    )
    missed_due_at = serializers.DateTimeField(
        allow_null=True,
        help_text="a promised date that passed unanswered before a reclassification moved it",
    )
    result = serializers.CharField()
    purged_at = serializers.DateTimeField(allow_null=True)
    actions = QaActionOutput(
        many=True,
        help_text="what the caller may do with the item now (qa.selectors.question_actions, as "
        "on the web page); the action's operation still checks it",
    )


def _staff_view(question: Question, user) -> dict:
    question = _question_or_404(question.pk)  # fresh, with its answers and attachments
    visible = selectors.may_see_contact(user=user, question=question)
    question.contact = (
        {"name": question.name, "email": question.email, "phone": question.phone}
        if visible and question.purged_at is None
        else None
    )
    now = timezone.now()
    question.overdue = question.is_open and question.is_overdue(now)
    question.actions = selectors.question_actions(question=question, user=user, now=now).allowed
    body = QaQuestionStaffOutput(question).data
    if not visible:
        body["attachments"] = None
    return body


def _question_handled_by(request, question_id: int) -> Question:
    """An item the caller handles: staff of its agency or the editorial board, as on the web
    pages; other staff of the province get 403."""
    question = _question_or_404(question_id)
    if not selectors.may_see_contact(user=request.user, question=question):
        raise exceptions.PermissionDenied("Only the handling agency and the board read this item.")
    return question


class QuestionStaffView(NoStore, QaView):
    permission_classes = [IsProvinceStaff]

    @extend_schema(
        tags=TAGS,
        operation_id="qa_question_read",
        responses={200: QaQuestionStaffOutput, **ERRORS},
    )
    def get(self, request, question_id: int):
        return Response(_staff_view(_question_handled_by(request, question_id), request.user))


class QaEventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    on_behalf_of = serializers.CharField(
        source="on_behalf_of.username", allow_null=True, default=None
    )
    comment = serializers.CharField()
    data = serializers.DictField()
    created_at = serializers.DateTimeField()


class QuestionEventsView(NoStore, QaView):
    permission_classes = [IsProvinceStaff]

    @extend_schema(
        tags=TAGS,
        operation_id="qa_question_events",
        responses={200: QaEventOutput(many=True), **ERRORS},
        description="The audit log of one item: routing, notices, drafts, decisions, answer.",
    )
    def get(self, request, question_id: int):
        question = _question_handled_by(request, question_id)
        events = selectors.question_events(question=question)
        return Response(QaEventOutput(events, many=True).data)


# --- Staff: every step of handling an item -------------------------------------------------


def _step(*, operation_id: str, request_body, description: str, responses=None):
    return extend_schema(
        tags=TAGS,
        operation_id=operation_id,
        request=request_body,
        responses=responses or {200: QaQuestionStaffOutput, **ERRORS},
        description=description,
    )


class QuestionStepView(NoStore, QaView, ServiceActionView):
    """One staff action on a question, answered with the question as staff see it."""

    permission_classes = [IsProvinceStaff]
    resource_name = "question"

    def get_resource(self, *, question_id: int) -> Question:
        return _question_or_404(question_id)

    def respond(self, question):
        return Response(_staff_view(question, self.request.user))


class QaReassignInput(serializers.Serializer):
    agency = serializers.PrimaryKeyRelatedField(queryset=agency_list())
    reason = _text()


@extend_schema_view(
    post=_step(
        operation_id="qa_question_reassign",
        request_body=QaReassignInput,
        description="Route to another agency with the reason (the deadline does not move).",
    )
)
class QuestionReassignView(QuestionStepView):
    input_class = QaReassignInput
    service = staticmethod(services.question_reassign)


class QaKindInput(serializers.Serializer):
    kind = StrictCharField(max_length=40, help_text="one of the profile's qa.kinds")
    reason = _text()


@extend_schema_view(
    post=_step(
        operation_id="qa_question_set_kind",
        request_body=QaKindInput,
        description="Reclassify (e.g. inter-agency, Thái Nguyên Art. 14(4)(b)); the deadline "
        "is recomputed from the original receipt.",
    )
)
class QuestionKindView(QuestionStepView):
    input_class = QaKindInput
    service = staticmethod(services.question_set_kind)
    field_names = {"deadline_kind": "kind"}


class QaAppointmentInput(serializers.Serializer):
    at = BoundedDateTimeField(help_text="the date promised to the asker")
    reason = _text()


@extend_schema_view(
    post=_step(
        operation_id="qa_question_set_appointment",
        request_body=QaAppointmentInput,
        description="Special cases needing research: the question becomes the profile's "
        "appointment kind, with the reason (required), and gets an appointment date no later "
        "than that kind's maximum from receipt (Thái Nguyên Art. 14(4)(c): at most 15 working "
        "days). Refused (409 deadline_passed) once the current deadline has passed.",
    )
)
class QuestionAppointmentView(QuestionStepView):
    input_class = QaAppointmentInput
    service = staticmethod(services.question_set_appointment)
    field_names = {"appointment_at": "at"}


class QaProgressInput(serializers.Serializer):
    new_due = BoundedDateTimeField(help_text="when the answer will be given")
    text = _text(help_text="how far the handling has got")


@extend_schema_view(
    post=_step(
        operation_id="qa_question_progress_notice",
        request_body=QaProgressInput,
        description="Decree 43/2011 Art. 17: within the deadline, tell the asker how far it "
        "has got and by when it will be answered; the new date is at most the profile's "
        "qa.progress_notice_max_working_days after the deadline (400 progress_too_late). "
        "Refused (409 deadline_passed) once the current deadline has passed.",
    )
)
class QuestionProgressView(QuestionStepView):
    input_class = QaProgressInput
    service = staticmethod(services.question_progress_notice)


class QaReasonInput(serializers.Serializer):
    reason = _text()


@extend_schema_view(
    post=_step(
        operation_id="qa_question_return",
        request_body=QaReasonInput,
        description="Outside the portal's scope: returned with the reason, mailed to the asker "
        "(Decree 43/2011 Art. 17). Where the profile returns at once "
        "(qa.out_of_scope_return_immediately) any staff of the handling agency or the board "
        "returns it; else only the answer role or a delegate.",
    )
)
class QuestionReturnView(QuestionStepView):
    input_class = QaReasonInput
    service = staticmethod(services.question_return)


class QaPublishInput(serializers.Serializer):
    publish = serializers.BooleanField(help_text="true: publish the answer; false: decline")
    reason = _text(help_text="required when declining")


@extend_schema_view(
    post=_step(
        operation_id="qa_question_publish",
        request_body=QaPublishInput,
        description="Where the board publishes answers (profile qa.answer_publisher = "
        '"board": Hà Giang Art. 9(2), Đồng Nai Art. 8(2)(d)), the board overseeing the '
        "question's agency publishes an answer the agency sent, or declines with a reason.",
    )
)
class QuestionPublishView(QuestionStepView):
    input_class = QaPublishInput
    service = staticmethod(services.question_publish)


class QaModerationInput(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = _text(help_text="required when refusing")


@extend_schema_view(
    post=_step(
        operation_id="qa_question_moderate",
        request_body=QaModerationInput,
        description="The editorial board lets a suspect submission through, or refuses it "
        "with a reason.",
    )
)
class QuestionModerationView(QuestionStepView):
    input_class = QaModerationInput
    service = staticmethod(services.question_moderate)


class QaDraftInput(serializers.Serializer):
    text = _text()
    submit = serializers.BooleanField(
        default=True, help_text="submit for the head's approval (false: keep as a draft)"
    )


class AnswerDraftView(NoStore, QaView):
    permission_classes = [IsProvinceStaff]

    @_step(
        operation_id="qa_answer_draft",
        request_body=QaDraftInput,
        responses={201: QaAnswerOutput, **ERRORS},
        description="Staff of the handling agency draft an answer for the head's approval.",
    )
    def post(self, request, question_id: int):
        question = _question_or_404(question_id)
        payload = QaDraftInput(data=request.data)
        payload.is_valid(raise_exception=True)
        answer = services.answer_draft(
            question=question, author=request.user, **payload.validated_data
        )
        return Response(QaAnswerOutput(answer).data, status=status.HTTP_201_CREATED)


class QaAnswerSendInput(serializers.Serializer):
    text = _text(help_text="the answer; empty: the approved draft's text")
    channel = serializers.ChoiceField(
        choices=["portal", "email"], help_text="the profile's qa.channels"
    )
    publish = serializers.BooleanField(
        help_text="show it in the answered archive (portal only); where the board publishes "
        '(qa.answer_publisher = "board") this asks the board, which decides'
    )
    answer = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="a submitted draft to approve"
    )


class QuestionAnswerView(NoStore, QaView):
    permission_classes = [IsProvinceStaff]

    @_step(
        operation_id="qa_question_answer",
        request_body=QaAnswerSendInput,
        description="Send the answer: only the head of the agency or a person the head "
        "authorised (Thái Nguyên Art. 14(3)); on the portal or by e-mail (Art. 14(2)).",
    )
    def post(self, request, question_id: int):
        question = _question_or_404(question_id)
        payload = QaAnswerSendInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        draft = _answer_or_error(question, data["answer"]) if data["answer"] else None
        question = services.question_answer(
            question=question,
            actor=request.user,
            text=data["text"] or (draft.text if draft else ""),
            channel=data["channel"],
            publish=data["publish"],
            answer=draft,
        )
        return Response(_staff_view(question, request.user))


class QaCommentInput(serializers.Serializer):
    comment = _text(help_text="what the author should change")


class AnswerReturnView(NoStore, QaView):
    permission_classes = [IsProvinceStaff]

    @_step(
        operation_id="qa_answer_return",
        request_body=QaCommentInput,
        responses={200: QaAnswerOutput, **ERRORS},
        description="The head sends a submitted draft back to its author with a comment.",
    )
    def post(self, request, question_id: int, answer_id: int):
        question = _question_or_404(question_id)
        answer = _answer_or_error(question, answer_id, kind=ErrorKind.NOT_FOUND)
        payload = QaCommentInput(data=request.data)
        payload.is_valid(raise_exception=True)
        answer = services.answer_return(answer=answer, actor=request.user, **payload.validated_data)
        return Response(QaAnswerOutput(answer).data)


class QaResultInput(serializers.Serializer):
    result = _text()


@extend_schema_view(
    post=_step(
        operation_id="qa_complaint_record_result",
        request_body=QaResultInput,
        description="Record a complaint's result and send it to the complainant "
        "(Huế Art. 13(1)); by the head of the agency or a delegate.",
    )
)
class ComplaintResultView(QuestionStepView):
    input_class = QaResultInput
    service = staticmethod(services.complaint_record_result)
