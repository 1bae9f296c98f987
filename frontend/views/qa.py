"""Citizens' pages of "Hỏi – Đáp": the answered questions, the submission form of each intake the
province offers, tracking by code and the asker's own data.

On the province portal they cover every agency. On a component site they are that agency's:
its published answers, a form offering its own topics (so a question asked there goes to it),
and tracking of its questions; a code of another agency's question, and the asker's data, are
sent on to the portal's pages. They never show an asker's name, e-mail or phone: the selectors
they read defer those columns."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from config.client import client_address
from core import limits
from core.errors import ErrorKind
from frontend.context_processors import SiteContext
from frontend.errors import add_service_error
from frontend.http_cache import shared_page
from frontend.profiles import profile_for
from frontend.views.errors import rate_limited
from provinces.calendar import TZ, qa_deadline
from provinces.loader import ProfileError
from qa import selectors
from qa.models import CHANNEL_LABELS, Question
from qa.services import (
    MAX_ATTACHMENTS,
    MAX_NAME,
    MAX_TEXT,
    MAX_TITLE,
    QaError,
    question_export_for_asker,
    question_submit,
)

PAGE_SIZE = 10

INTAKE_FORM_TITLES = {
    "question": _("Gửi câu hỏi"),
    "feedback": _("Gửi góp ý, kiến nghị"),
    "complaint": _("Gửi khiếu nại"),
}


def intake_label(intake: str) -> str:
    return str(dict(Question.Intake.choices).get(intake, intake))


def status_label(status: str) -> str:
    return str(dict(Question.Status.choices).get(status, status))


def channel_label(channel: str) -> str:
    return str(CHANNEL_LABELS.get(channel, channel))


def site_agency(request):
    """The agency whose component site answers (its Hỏi – Đáp only), or None on the portal."""
    site = getattr(request, "component_site", None)
    return site.agency if site is not None else None


def portal_link(request, path: str) -> str | None:
    """`path` on the province portal's host (a link from a component site)."""
    portal = SiteContext(request).portal_url
    return portal.rstrip("/") + path if portal else None


def on_portal(request, path: str) -> HttpResponseRedirect:
    """The same page on the province portal's host (from a component site)."""
    url = portal_link(request, path)
    if url is None:
        raise Http404
    return HttpResponseRedirect(url)


def _site_topics(agency) -> list:
    """The topics citizens choose from here: every active one on the portal, the agency's own
    on its component site (a question asked there is routed to it)."""
    topics = list(selectors.topic_list())
    if agency is None:
        return topics
    return [topic for topic in topics if topic.agency_id == agency.pk]


def question_profile(request, question: Question):
    """The profile in force when the item arrived (the province version and the national
    baseline of that instant, ADR 0009), of the province that received it (qa.selectors.
    question_profile, ADR 0032): its deadline rules are the ones that apply to it (a later
    version never moves them)."""
    try:
        return selectors.question_profile(question)
    except (ProfileError, OSError, LookupError):
        return profile_for(request)


def kind_label(profile, kind: str) -> str:
    rule = profile.qa.kinds.get(kind) if profile is not None else None
    return rule.label if rule is not None else kind


# --- the answered questions ----------------------------------------------------------------


@require_GET
@shared_page
def question_list(request):
    profile = profile_for(request)
    own = site_agency(request)
    query = (request.GET.get("q") or "").strip()[:200]
    topics = _site_topics(own)
    topic_slugs = {row.slug for row in topics}
    topic = request.GET.get("linh_vuc", "")[:120]
    topic = topic if topic in topic_slugs else ""
    if own is not None:
        # A component site: its agency's answers only, whatever the address asks for.
        agencies, agency_id = [], own.pk
    else:
        agencies = sorted({row.agency for row in topics}, key=lambda agency: agency.name)
        agency_id = _int_or_none(request.GET.get("co_quan"))
        if agency_id not in {agency.pk for agency in agencies}:
            agency_id = None
    questions = selectors.question_public_list(
        query=query, topic=topic, agency_id=agency_id
    ).order_by("-answered_at", "-pk")
    page = Paginator(questions, PAGE_SIZE).get_page(request.GET.get("trang"))
    filters = request.GET.copy()
    filters.pop("trang", None)
    return render(
        request,
        "frontend/qa/list.html",
        {
            "page": page,
            "query": query,
            "topics": topics,
            "topic": topic,
            "agencies": agencies,
            "agency_id": agency_id,
            "filtered": bool(query or topic or (agency_id and own is None)),
            "site_agency": own,
            "portal_qa_list": portal_link(request, reverse("frontend:qa_list")) if own else None,
            "filter_query": filters.urlencode(),
            "disclaimer": profile.qa.disclaimer if profile is not None else None,
            "disclaimer_source": _field_source(profile, "disclaimer"),
            "intakes": _intakes(profile),
        },
    )


def _int_or_none(value) -> int | None:
    try:
        number = int(str(value)[:12])
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _field_source(profile, name: str) -> str:
    if profile is None:
        return ""
    return profile.qa.field_sources.get(name, profile.qa.source)


def _intakes(profile) -> list[dict]:
    offered = profile.qa.intake if profile is not None else ["question"]
    return [
        {"code": code, "label": intake_label(code), "title": str(INTAKE_FORM_TITLES[code])}
        for code in offered
    ]


# --- the submission form -------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class SubmissionForm(forms.Form):
    name = forms.CharField(
        label=_("Họ và tên"),
        max_length=MAX_NAME,
        error_messages={"required": _("Hãy nhập họ và tên.")},
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
    )
    phone = forms.CharField(label=_("Số điện thoại"), required=False, max_length=30)
    topic = forms.ChoiceField(
        label=_("Lĩnh vực"),
        error_messages={
            "required": _("Hãy chọn lĩnh vực."),
            "invalid_choice": _("Lĩnh vực không tồn tại; hãy chọn trong danh sách."),
        },
    )
    title = forms.CharField(
        label=_("Tiêu đề"),
        max_length=MAX_TITLE,
        error_messages={"required": _("Hãy nhập tiêu đề.")},
    )
    text = forms.CharField(
        label=_("Nội dung"),
        max_length=MAX_TEXT,
        widget=forms.Textarea,
        error_messages={"required": _("Hãy nhập nội dung.")},
    )
    attachments = MultipleFileField(label=_("Tệp đính kèm"), required=False)
    consent = forms.BooleanField(
        label=_("Tôi đồng ý để cơ quan nhà nước lưu và xử lý các thông tin trên để trả lời tôi."),
        error_messages={"required": _("Cần đồng ý cho phép xử lý dữ liệu cá nhân để gửi.")},
    )
    # The honeypot: hidden from people and from screen readers; only a robot fills it in.
    website = forms.CharField(label=_("Trang web"), required=False)

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("— Chọn lĩnh vực —"))] + [
            (topic.slug, topic.name) for topic in topics
        ]

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("Tối đa %(count)s tệp đính kèm.") % {"count": MAX_ATTACHMENTS}
            )
        return files

    def clean(self):
        cleaned = super().clean()
        if (
            "email" not in self.errors
            and not cleaned.get("email")
            and not (cleaned.get("phone") or "").strip()
        ):
            self.add_error("email", _("Cần ít nhất thư điện tử hoặc số điện thoại."))
        return cleaned


@dataclass(frozen=True)
class Receipt:
    tracking_code: str
    received_at: datetime
    due_at: datetime
    rule: str
    source: str
    clock_start_at: datetime
    in_moderation: bool = False


def _intake_of(request, profile) -> str:
    intake = request.GET.get("loai") or "question"
    offered = profile.qa.intake if profile is not None else []
    if intake not in offered:
        raise Http404
    return intake


@sensitive_post_parameters("name", "email", "phone")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def question_submit_form(request):
    profile = profile_for(request)
    own = site_agency(request)
    intake = _intake_of(request, profile)
    topics = _site_topics(own)
    # On an agency's site with a single topic, that topic is already chosen.
    initial = {"topic": topics[0].slug} if own is not None and len(topics) == 1 else None
    form = SubmissionForm(
        request.POST or None, request.FILES or None, topics=topics, initial=initial
    )
    status = 200
    if request.method == "POST":
        if request.POST.get("website"):
            return _pretend_accepted(request, profile, intake)
        if form.is_valid():
            data = form.cleaned_data
            try:
                question = question_submit(
                    intake=intake,
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
            except QaError as error:
                if error.kind is ErrorKind.TOO_MANY:
                    return _rate_limited(request)
                _add_service_error(form, error)
            else:
                return redirect("frontend:qa_submitted", code=question.tracking_code)
        status = 400
    default_kind = profile.qa.kinds[profile.qa.default_kind] if profile is not None else None
    return render(
        request,
        "frontend/qa/submit.html",
        {
            "form": form,
            "intake": intake,
            "intake_title": INTAKE_FORM_TITLES[intake],
            "intakes": _intakes(profile),
            "has_topics": bool(topics),
            "retention_days": profile.qa.retention_days if profile is not None else None,
            "retention_source": _field_source(profile, "retention_days"),
            "default_kind": default_kind,
            "office_start": (
                profile.office_hours.clock_start_time if profile is not None else None
            ),
            "clock_rule": profile.qa.clock_start if profile is not None else None,
            "max_attachments": MAX_ATTACHMENTS,
            "site_agency": own,
            "portal_qa_submit": portal_link(request, reverse("frontend:qa_submit"))
            if own
            else None,
        },
        status=status,
    )


def _add_service_error(form: forms.Form, error: QaError) -> None:
    """A refusal on the submission form, in the service's words."""
    add_service_error(form, error)


def _rate_limited(request):
    return _too_many_requests(request, limits.LIMITS["qa.submission"].window())


def _too_many_requests(request, window: int):
    # The one 429 page of the citizens' pages (frontend/views/errors.py).
    return rate_limited(
        request,
        retry_after=window,
        back_url=reverse("frontend:qa_list"),
        back_label=_("Về trang Hỏi – Đáp"),
    )


def _pretend_accepted(request, profile, intake: str):
    """A robot filled in the honeypot: the same receipt page, with a code that exists nowhere;
    nothing is stored and nobody is mailed."""
    now = timezone.now()
    deadline = qa_deadline(profile, now)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(8))
    receipt = Receipt(
        tracking_code=f"{body[:4]}-{body[4:]}",
        received_at=now,
        due_at=deadline.due,
        rule=kind_label(profile, deadline.kind),
        source=deadline.source,
        clock_start_at=deadline.clock_start,
    )
    return render(
        request, "frontend/qa/receipt.html", {"receipt": receipt, "intakes": _intakes(profile)}
    )


@never_cache
@require_GET
def question_submitted(request, code: str):
    question = selectors.question_by_tracking_code(code=code)
    if question is None:
        raise Http404
    own = site_agency(request)
    if own is not None and question.agency_id != own.pk:
        return on_portal(request, request.path)
    profile = question_profile(request, question)
    receipt = Receipt(
        tracking_code=question.tracking_code,
        received_at=question.received_at,
        due_at=question.effective_due_at,
        rule=kind_label(profile, question.deadline_kind),
        source=question.deadline_source,
        clock_start_at=question.clock_start_at,
        in_moderation=question.status == Question.Status.MODERATION,
    )
    return render(
        request,
        "frontend/qa/receipt.html",
        {"receipt": receipt, "intakes": _intakes(profile_for(request))},
    )


# --- tracking ------------------------------------------------------------------------------


class TrackForm(forms.Form):
    ma = forms.CharField(
        label=_("Mã tra cứu"),
        max_length=20,
        error_messages={"required": _("Hãy nhập mã tra cứu.")},
    )


@never_cache
@require_GET
def question_track(request):
    form = TrackForm(request.GET if "ma" in request.GET else None)
    question, status = None, 200
    guesses = _guesses(request, "qa.tracking_code_guess")
    if form.is_bound and guesses.blocked():
        return _too_many(request, guesses)
    if form.is_bound:
        if form.is_valid():
            question = selectors.question_by_tracking_code(
                code=_normalise_code(form.cleaned_data["ma"])
            )
            if question is None:
                guesses.hit()
                form.add_error(
                    "ma", _("Không tìm thấy câu hỏi nào có mã này. Hãy kiểm tra lại mã.")
                )
                status = 404
            elif (own := site_agency(request)) is not None and question.agency_id != own.pk:
                # Another agency's question (reassigned, or asked elsewhere): the portal's page.
                return on_portal(request, request.get_full_path())
        else:
            status = 400
    context = {"form": form, "question": question, "intakes": _intakes(profile_for(request))}
    if question is not None:
        profile = question_profile(request, question)
        context |= {
            "status_label": status_label(question.status),
            "intake_label": intake_label(question.intake),
            "kind_label": kind_label(profile, question.deadline_kind),
            "is_open": question.is_open,
            "overdue": question.is_open and question.is_overdue(timezone.now()),
            "disclaimer": profile.qa.disclaimer if profile is not None else None,
        }
    return render(request, "frontend/qa/track.html", context, status=status)


def _normalise_code(raw: str) -> str:
    compact = "".join(raw.split()).replace("-", "").upper()
    return f"{compact[:4]}-{compact[4:]}" if len(compact) == 8 else compact


# --- the asker's own data ------------------------------------------------------------------


class ExportForm(forms.Form):
    code = forms.CharField(
        label=_("Mã tra cứu"),
        max_length=20,
        error_messages={"required": _("Hãy nhập mã tra cứu.")},
    )
    email = forms.EmailField(
        label=_("Thư điện tử đã dùng khi gửi"),
        max_length=254,
        error_messages={
            "required": _("Hãy nhập thư điện tử."),
            "invalid": _("Địa chỉ thư điện tử không hợp lệ."),
        },
    )


def _guesses(request, name: str) -> limits.Counter:
    """This address's failed guesses (unknown tracking codes, code and e-mail that do not
    match): one allowance with the API's look-ups of the same kind (core.limits)."""
    return limits.counter(name, who=client_address(request), province=None)


def _too_many(request, guesses: limits.Counter):
    return _too_many_requests(request, guesses.limit.window())


@sensitive_post_parameters("email")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def asker_data(request):
    if site_agency(request) is not None:
        # The asker's data are kept by the province, whichever site took the question.
        return on_portal(request, reverse("frontend:qa_my_data"))
    form = ExportForm(request.POST or None)
    data, status = None, 200
    if request.method == "POST":
        guesses = _guesses(request, "qa.export_guess")
        if guesses.blocked():
            return _too_many(request, guesses)
        if form.is_valid():
            try:
                data = question_export_for_asker(
                    tracking_code=_normalise_code(form.cleaned_data["code"]),
                    email=form.cleaned_data["email"],
                )
            except QaError:
                guesses.hit()
                form.add_error(None, _("Không tìm thấy câu hỏi nào với mã và thư điện tử này."))
                status = 404
            else:
                if request.POST.get("format") == "json":
                    response = JsonResponse(
                        data, json_dumps_params={"ensure_ascii": False, "indent": 2}
                    )
                    response["Content-Disposition"] = (
                        f'attachment; filename="du-lieu-{data["tracking_code"]}.json"'
                    )
                    return response
        else:
            status = 400
    return render(
        request,
        "frontend/qa/my_data.html",
        {
            "form": form,
            "data": data,
            "received_at": _parse_instant(data["received_at"]) if data else None,
            "retention_until": date.fromisoformat(data["retention_until"])
            if data and data["retention_until"]
            else None,
            "intakes": _intakes(profile_for(request)),
            "status_label": status_label(data["status"]) if data else "",
        },
        status=status,
    )


def _parse_instant(value: str | None):
    return datetime.fromisoformat(value).astimezone(TZ) if value else None
