"""The staff back office of "Hỏi – Đáp": the inbox with each item's clock, an item's page with
every action the rules allow, and who is late.

Every action goes through qa.services; a refusal there re-renders the page with its message and
the service's status (400, 403, 409), never a 500. The asker's contact details appear only here,
to staff of the handling agency and to the editorial board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from frontend.downloads import download
from frontend.errors import add_service_error, http_status
from frontend.profiles import profile_for
from frontend.views.qa import (
    channel_label,
    intake_label,
    kind_label,
    question_profile,
    status_label,
)
from organization.models import Agency
from organization.selectors import (
    acting_capacity,
    agency_list,
    board_members,
    is_board_member,
)
from provinces.calendar import DEFAULT_CALENDAR, TZ, WorkingCalendar, calendar_for, qa_deadline
from qa import clocks, selectors
from qa.clocks import receipt_counted_at
from qa.models import Answer, Question
from qa.services import (
    QaError,
    answer_draft,
    answer_return,
    complaint_record_result,
    progress_notice_limit,
    question_answer,
    question_moderate,
    question_progress_notice,
    question_publish,
    question_reassign,
    question_return,
    question_set_appointment,
    question_set_kind,
)

PAGE_SIZE = 25
TEXT_MAX = 50_000
REASON_MAX = 2_000
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
ONE_DAY = timedelta(days=1)

ANSWER_STATUS_LABELS = {
    "draft": gettext_lazy("Bản nháp"),
    "submitted": gettext_lazy("Chờ thủ trưởng duyệt"),
    "returned": gettext_lazy("Trả lại người soạn"),
    "sent": gettext_lazy("Đã gửi"),
}
EVENT_LABELS = {
    "received": gettext_lazy("Tiếp nhận"),
    "moderated": gettext_lazy("Kiểm duyệt: tiếp nhận"),
    "refused": gettext_lazy("Kiểm duyệt: không tiếp nhận"),
    "reassigned": gettext_lazy("Chuyển cơ quan"),
    "reclassified": gettext_lazy("Phân loại lại"),
    "appointment": gettext_lazy("Hẹn ngày trả lời"),
    "progress_notice": gettext_lazy("Thông báo tiến độ"),
    "returned": gettext_lazy("Trả lại (không thuộc phạm vi)"),
    "answer_drafted": gettext_lazy("Soạn trả lời, gửi duyệt"),
    "answer_returned": gettext_lazy("Trả lại bản trả lời cho người soạn"),
    "answered": gettext_lazy("Gửi trả lời"),
    "published": gettext_lazy("Ban biên tập đăng câu trả lời"),
    "publication_declined": gettext_lazy("Ban biên tập không đăng câu trả lời"),
    "personal_data_purged": gettext_lazy("Xoá dữ liệu cá nhân hết thời hạn lưu"),
}


# --- clocks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    due: datetime
    overdue: bool
    working_days: int  # left until the due day (that day included), or late since it
    due_today: bool = False
    more: bool = False  # more than `working_days`: counting stops a year away


COUNTED_SPAN = timedelta(days=366)  # no stored date, however far, makes a page count past it


def clock_of(question: Question, *, now: datetime, calendar: WorkingCalendar) -> Clock:
    """The date last promised to the asker and how many working days remain (the due day
    included) or have passed since it, counted over a year at most."""
    due = question.effective_due_at
    today, due_day = now.astimezone(TZ).date(), due.astimezone(TZ).date()
    if now > due:
        first = max(due_day, today - COUNTED_SPAN) + ONE_DAY
        days = _working_days_between(calendar, first, today)
        return Clock(due, True, days, more=first > due_day + ONE_DAY)
    last = min(due_day, today + COUNTED_SPAN)
    return Clock(
        due,
        False,
        _working_days_between(calendar, today, last),
        due_today=due_day == today,
        more=last < due_day,
    )


def _working_days_between(calendar: WorkingCalendar, first: date, last: date) -> int:
    """Working days from `first` to `last`, both included (0 when first is after last)."""
    count, day = 0, first
    while day <= last:
        count += calendar.is_working_day(day)
        day += ONE_DAY
    return count


def _calendar(profile) -> WorkingCalendar:
    return calendar_for(profile) if profile is not None else DEFAULT_CALENDAR


# --- the inbox -------------------------------------------------------------------------------


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@never_cache
@login_required
@require_GET
def inbox(request):
    now = timezone.now()
    profile = profile_for(request)
    board, agency_ids = selectors.staff_scope(user=request.user)
    statuses = ["received", "in_progress"] + (["moderation"] if board else [])
    kinds = profile.qa.kinds if profile is not None else {}
    intakes = profile.qa.intake if profile is not None else []
    agencies = [a for a in agency_list() if board or a.pk in agency_ids]
    status = request.GET.get("trang_thai", "")
    status = status if status in statuses else ""
    kind = request.GET.get("loai", "")
    kind = kind if kind in kinds else ""
    intake = request.GET.get("hinh_thuc", "")
    intake = intake if intake in intakes else ""
    agency_id = _int_or_none(request.GET.get("co_quan"))
    agency_id = agency_id if agency_id in {a.pk for a in agencies} else None
    overdue = {"1": True, "0": False}.get(request.GET.get("qua_han", ""))
    questions = selectors.question_inbox(
        user=request.user,
        now=now,
        status=status,
        agency_id=agency_id,
        kind=kind,
        intake=intake,
        overdue=overdue,
    ).order_by("effective_due", "pk")
    page = Paginator(questions, PAGE_SIZE).get_page(request.GET.get("trang"))
    calendar = _calendar(profile)
    rows = [
        {
            "question": question,
            "clock": clock_of(question, now=now, calendar=calendar),
            "kind": kind_label(profile, question.deadline_kind),
            "intake": intake_label(question.intake),
            "status": status_label(question.status),
        }
        for question in page
    ]
    filters = request.GET.copy()
    filters.pop("trang", None)
    to_publish = (
        list(selectors.questions_awaiting_publication(user=request.user, profile=profile)[:50])
        if profile is not None
        else []
    )
    return render(
        request,
        "frontend/qa/staff_inbox.html",
        {
            "to_publish": to_publish,
            "rows": rows,
            "page": page,
            "is_board": board,
            "sees_late": board or _board_seat(request.user, profile) is not None,
            "is_staff_here": board or bool(agency_ids),
            "statuses": [(code, status_label(code)) for code in statuses],
            "kinds": [(code, rule.label) for code, rule in kinds.items()],
            "intakes": [(code, intake_label(code)) for code in intakes],
            "agencies": agencies,
            "status": status,
            "kind": kind,
            "intake": intake,
            "agency_id": agency_id,
            "overdue": request.GET.get("qua_han", ""),
            "filter_query": filters.urlencode(),
        },
    )


# --- who is late -----------------------------------------------------------------------------


def _board_seat(user, profile):
    """The user's seat on the editorial board (organization.selectors.board_members), if any."""
    seats = board_members(profile=profile) if profile is not None else []
    return next((seat for seat in seats if seat.user.pk == user.pk), None)


@never_cache
@login_required
@require_GET
def overdue(request):
    """Overdue open items grouped by agency, for the editorial board (Thái Nguyên Art. 10(5):
    the board monitors and reports units that miss their obligations): portal-wide staff see
    every agency; a board member of an agency-scoped board (organization.selectors, Huế) the
    agencies they oversee."""
    board, _agencies = selectors.staff_scope(user=request.user)
    profile = profile_for(request)
    late = clocks.overdue(now=timezone.now()).select_related("topic")
    if not board:
        seat = _board_seat(request.user, profile)
        if seat is None:
            raise PermissionDenied
        if seat.agency_ids is not None:
            late = late.filter(agency_id__in=seat.agency_ids)
    now = timezone.now()
    calendar = _calendar(profile)
    groups: dict[int | None, dict] = {}
    for question in late:
        agency = question.agency
        group = groups.setdefault(
            agency.pk if agency else None,
            {"agency": agency.name if agency else _("Chưa phân công"), "rows": []},
        )
        group["rows"].append(
            {
                "question": question,
                "clock": clock_of(question, now=now, calendar=calendar),
                "kind": kind_label(profile, question.deadline_kind),
                "intake": intake_label(question.intake),
            }
        )
    ordered = sorted(groups.values(), key=lambda g: (-len(g["rows"]), g["agency"]))
    return render(
        request,
        "frontend/qa/staff_overdue.html",
        {"groups": ordered, "total": sum(len(g["rows"]) for g in ordered), "now": now},
    )


# --- one item --------------------------------------------------------------------------------


def _visible_question(request, pk: int) -> Question:
    question = selectors.question_for_staff(pk=pk)
    if question is None:
        raise Http404
    if not selectors.may_see_contact(user=request.user, question=question):
        raise PermissionDenied
    return question


class ReassignForm(forms.Form):
    agency = forms.TypedChoiceField(
        label=gettext_lazy("Chuyển đến cơ quan"),
        coerce=int,
        error_messages={
            "required": gettext_lazy("Hãy chọn cơ quan."),
            "invalid_choice": gettext_lazy("Hãy chọn một cơ quan trong danh sách."),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do chuyển"),
        max_length=REASON_MAX,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("Chuyển cơ quan phải nêu lý do.")},
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", gettext_lazy("— Chọn cơ quan —"))] + [
            (a.pk, a.name) for a in agencies
        ]


class KindForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Loại (thời hạn trả lời)"),
        error_messages={"invalid_choice": gettext_lazy("Hãy chọn một loại trong danh sách.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do"), required=False, max_length=REASON_MAX, widget=forms.Textarea
    )

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds)


class AppointmentForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Ngày hẹn trả lời"),
        input_formats=DATE_FORMATS,
        error_messages={
            "required": gettext_lazy("Hãy nhập ngày hẹn."),
            "invalid": gettext_lazy("Ngày không hợp lệ (dd/mm/yyyy)."),
        },
    )
    # Thái Nguyên Art. 14(4)(c): a special case "cần phải có thời gian nghiên cứu" — the reason
    # is what makes it one, so it is required (ADR 0011).
    reason = forms.CharField(
        label=gettext_lazy("Lý do cần nghiên cứu thêm"),
        max_length=REASON_MAX,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("Hẹn ngày trả lời phải nêu lý do.")},
    )


class ProgressForm(forms.Form):
    new_due = forms.DateField(
        label=gettext_lazy("Ngày trả lời mới"),
        input_formats=DATE_FORMATS,
        error_messages={
            "required": gettext_lazy("Hãy nhập ngày trả lời mới."),
            "invalid": gettext_lazy("Ngày không hợp lệ (dd/mm/yyyy)."),
        },
    )
    text = forms.CharField(
        label=gettext_lazy("Nội dung thông báo cho người hỏi"),
        max_length=REASON_MAX,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("Cần nội dung thông báo.")},
    )


class PublishForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Quyết định của Ban biên tập"),
        widget=forms.RadioSelect,
        choices=[
            ("publish", gettext_lazy("Đăng công khai trên Cổng")),
            ("decline", gettext_lazy("Không đăng")),
        ],
        error_messages={"required": gettext_lazy("Hãy chọn đăng hoặc không đăng.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do (bắt buộc khi không đăng)"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea,
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do trả lại"),
        max_length=REASON_MAX,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("Trả lại phải nêu lý do.")},
    )


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Quyết định"),
        widget=forms.RadioSelect,
        choices=[
            ("accept", gettext_lazy("Tiếp nhận")),
            ("refuse", gettext_lazy("Không tiếp nhận")),
        ],
        error_messages={"required": gettext_lazy("Hãy chọn tiếp nhận hoặc không.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do (bắt buộc khi không tiếp nhận)"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea,
    )


class DraftForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Nội dung trả lời"),
        max_length=TEXT_MAX,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("Nội dung trả lời không được để trống.")},
    )


def _channel_field():
    return forms.ChoiceField(
        label=gettext_lazy("Kênh trả lời"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Hãy chọn kênh trả lời."),
            "invalid_choice": gettext_lazy("Kênh trả lời này không dùng được cho câu hỏi này."),
        },
    )


def _publish_field():
    return forms.BooleanField(
        label=gettext_lazy(
            "Đăng công khai câu hỏi và trả lời trên Cổng (không kèm thông tin cá nhân)"
        ),
        required=False,
    )


class ChannelForm(forms.Form):
    def __init__(self, *args, channels=(), by_board=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c, channel_label(c)) for c in channels]
        if len(channels) == 1:
            self.fields["channel"].initial = channels[0]
        if by_board:  # qa.answer_publisher = "board" (Hà Giang Art. 9(2); Đồng Nai Art. 8(2)(d))
            self.fields["publish"].label = _(
                "Đề nghị Ban biên tập đăng công khai câu hỏi và trả lời trên Cổng "
                "(không kèm thông tin cá nhân)"
            )


class AnswerForm(ChannelForm):
    text = forms.CharField(
        label=gettext_lazy("Nội dung trả lời"),
        max_length=TEXT_MAX,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("Nội dung trả lời không được để trống.")},
    )
    channel = _channel_field()
    publish = _publish_field()


class ApproveForm(ChannelForm):
    channel = _channel_field()
    publish = _publish_field()


class ReturnDraftForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Góp ý cho người soạn"),
        max_length=REASON_MAX,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("Cần góp ý cho người soạn.")},
    )


class ResultForm(forms.Form):
    result = forms.CharField(
        label=gettext_lazy("Kết quả giải quyết khiếu nại"),
        max_length=TEXT_MAX,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("Cần nội dung kết quả.")},
    )


@dataclass
class Page:
    """What an item's page needs, computed once for GET and for a refused POST."""

    request: object
    question: Question
    profile: object
    now: datetime
    board: bool
    can_answer: bool

    @property
    def kinds(self) -> dict:
        return dict(self.profile.qa.kinds) if self.profile is not None else {}

    @property
    def channels(self) -> list[str]:
        offered = list(self.profile.qa.channels) if self.profile is not None else ["portal"]
        return [c for c in offered if c != "email" or self.question.email]

    @property
    def appointment_kind(self):
        return next(((k, v) for k, v in self.kinds.items() if v.appointment), None)

    @property
    def appointment_limit(self) -> datetime | None:
        """The latest appointment: the appointment kind's maximum from receipt, as the service
        checks it (Thái Nguyên Art. 14(4)(c))."""
        special = self.appointment_kind
        if special is None:
            return None
        received = receipt_counted_at(self.profile, self.question.received_at)
        return qa_deadline(self.profile, received, special[0]).due

    @property
    def progress_allowed(self) -> bool:
        kind = self.kinds.get(self.question.deadline_kind)
        return bool(kind is not None and kind.progress_notice)

    @property
    def by_board(self) -> bool:
        return self.profile is not None and self.profile.qa.answer_publisher == "board"

    @property
    def may_publish(self) -> bool:
        """The board decides on an answer waiting for publication (ADR 0011)."""
        return (
            self.by_board
            and self.question.publication_pending
            and is_board_member(
                user=self.request.user, profile=self.profile, agency_id=self.question.agency_id
            )
        )

    def submitted_drafts(self) -> list[Answer]:
        return [a for a in self.question.answers.all() if a.status == Answer.Status.SUBMITTED]

    def forms(self, bound: dict[str, forms.Form]) -> dict[str, forms.Form]:
        """The forms this item's state and the user's role allow (bound ones kept)."""
        question, made = self.question, {}

        def add(key, factory):
            made[key] = bound.get(key) or factory()

        if question.status == Question.Status.MODERATION and self.board:
            add("moderate", lambda: ModerationForm(prefix="moderate"))
        if self.may_publish:
            add("publish", lambda: PublishForm(prefix="publish"))
        if not question.is_open:
            return made
        agencies = [a for a in agency_list() if a.pk != question.agency_id]
        add("reassign", lambda: ReassignForm(prefix="reassign", agencies=agencies))
        kinds = [(code, rule.label) for code, rule in self.kinds.items()]
        add(
            "kind",
            lambda: KindForm(prefix="kind", kinds=kinds, initial={"kind": question.deadline_kind}),
        )
        if self.appointment_kind is not None:
            add("appointment", lambda: AppointmentForm(prefix="appointment"))
        if self.progress_allowed:
            add("progress", lambda: ProgressForm(prefix="progress"))
        add("return", lambda: ReturnForm(prefix="return"))
        add("draft", lambda: DraftForm(prefix="draft"))
        if self.can_answer:
            if question.intake == Question.Intake.COMPLAINT:
                add("result", lambda: ResultForm(prefix="result"))
            else:
                add(
                    "answer",
                    lambda: AnswerForm(
                        prefix="answer", channels=self.channels, by_board=self.by_board
                    ),
                )
            for draft in self.submitted_drafts():
                add(
                    f"approve-{draft.pk}",
                    lambda d=draft: ApproveForm(
                        prefix=f"approve-{d.pk}", channels=self.channels, by_board=self.by_board
                    ),
                )
                add(
                    f"return_draft-{draft.pk}",
                    lambda d=draft: ReturnDraftForm(prefix=f"return_draft-{d.pk}"),
                )
        return made


def _page(request, question: Question) -> Page:
    profile = question_profile(request, question)
    now = timezone.now()
    board, _agencies = selectors.staff_scope(user=request.user)
    can_answer = False
    if profile is not None and question.agency_id is not None:
        can_answer, _delegator = acting_capacity(
            user=request.user,
            role_code=profile.qa.answer_role,
            agency_id=question.agency_id,
            delegation_allowed=True,
            at=now,
        )
    return Page(request, question, profile, now, board, can_answer)


def _render_detail(request, page: Page, *, bound=None, failed: str = "", status: int = 200):
    question, profile = page.question, page.profile
    bound = bound or {}
    made = page.forms(bound)
    # A refused action keeps its form on the page even when the user's role does not offer it.
    made |= {key: form for key, form in bound.items() if key not in made}
    drafts = [
        {
            "answer": answer,
            "status": ANSWER_STATUS_LABELS.get(answer.status, answer.status),
            "approve": made.get(f"approve-{answer.pk}"),
            "return_draft": made.get(f"return_draft-{answer.pk}"),
        }
        for answer in question.answers.all()
    ]
    limit = page.appointment_limit
    progress_limit = (
        progress_notice_limit(question=question, profile=profile)
        if question.is_open and page.progress_allowed
        else None
    )
    return render(
        request,
        "frontend/qa/staff_detail.html",
        {
            "question": question,
            "forms": made,
            "failed": made.get(failed),
            "failed_key": failed,
            "drafts": drafts,
            "events": [
                _event_row(event, profile) for event in selectors.question_events(question=question)
            ],
            "clock": clock_of(question, now=page.now, calendar=_calendar(profile))
            if question.is_open
            else None,
            "kind_label": kind_label(profile, question.deadline_kind),
            "status_label": status_label(question.status),
            "intake_label": intake_label(question.intake),
            "channel_label": channel_label(question.answer_channel)
            if question.answer_channel
            else "",
            "can_answer": page.can_answer,
            "is_board": page.board,
            "answer_role_source": (
                profile.qa.field_sources.get("answer_role", profile.qa.source) if profile else ""
            ),
            "appointment_limit": limit,
            "progress_limit": progress_limit,
            "progress_limit_iso": (
                progress_limit.astimezone(TZ).date().isoformat() if progress_limit else ""
            ),
            "appointment_limit_iso": limit.astimezone(TZ).date().isoformat() if limit else "",
            "appointment_source": page.appointment_kind[1].source if page.appointment_kind else "",
            "has_email_channel": profile is not None and "email" in profile.qa.channels,
            "answer_publisher_source": (
                profile.qa.source_of("answer_publisher") if profile is not None else ""
            ),
        },
        status=status,
    )


def _event_row(event, profile) -> dict:
    data = event.data or {}
    detail = ""
    if event.action == "reassigned":
        detail = _("Từ %(from)s sang %(to)s") % {
            "from": data.get("from") or "—",
            "to": data.get("to") or "—",
        }
    elif event.action == "received":
        detail = data.get("agency", "")
    elif event.action == "reclassified":
        detail = _("%(kind)s; hạn mới %(due)s") % {
            "kind": kind_label(profile, data.get("kind", "")),
            "due": _local_text(data.get("due_at")),
        }
    elif event.action == "appointment":
        detail = _local_text(data.get("at"))
    elif event.action == "progress_notice":
        detail = _("Ngày trả lời mới: %(due)s") % {"due": _local_text(data.get("new_due"))}
    elif event.action == "answered":
        detail = channel_label(data.get("channel", ""))
        if data.get("public"):
            detail = f"{detail}; {_('đăng công khai')}"
    return {
        "event": event,
        "label": EVENT_LABELS.get(event.action, event.action),
        "detail": detail,
    }


def _local_text(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return f"{datetime.fromisoformat(value).astimezone(TZ):%d/%m/%Y %H:%M}"
    except ValueError:
        return value


@never_cache
@login_required
@require_GET
def question_detail(request, pk: int):
    question = _visible_question(request, pk)
    return _render_detail(request, _page(request, question))


# Service error fields → the form's field names.
FIELD_OF = {"appointment_at": "day", "deadline_kind": "kind"}


def _end_of_day(page: Page, day: date) -> datetime:
    return _calendar(page.profile).office_end(day)


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
    question = _visible_question(request, pk)
    page = _page(request, question)
    key, handler = ACTIONS[action]
    args = ()
    if key in DRAFT_ACTIONS:
        answer = question.answers.filter(pk=_int_or_none(request.POST.get("answer"))).first()
        if answer is None:
            raise Http404
        key, args = f"{key}-{answer.pk}", (answer,)
    form = _bind(page, key, request.POST)
    if not form.is_valid():
        return _render_detail(request, page, bound={key: form}, failed=key, status=400)
    try:
        message = handler(page, form, *args)
    except QaError as error:
        add_service_error(form, error, field_map=FIELD_OF)
        # The item may have changed under the refused action: show it as it is now.
        page = _page(request, selectors.question_for_staff(pk=question.pk) or question)
        status = http_status(error)
        return _render_detail(request, page, bound={key: form}, failed=key, status=status)
    messages.success(request, message)
    refreshed = selectors.question_for_staff(pk=question.pk)
    if refreshed is not None and selectors.may_see_contact(user=request.user, question=refreshed):
        return redirect("frontend:staff_qa_detail", pk=question.pk)
    return redirect("frontend:staff_qa_inbox")


@never_cache
@login_required
@require_GET
def attachment_download(request, pk: int, attachment_pk: int):
    question = _visible_question(request, pk)
    attachment = question.attachments.filter(pk=attachment_pk).first()
    return download(attachment)
