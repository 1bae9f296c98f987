"""One staff Q&A item's page: its clock, history, drafts and the forms of the actions the
rules allow. The asker's contact details appear only here, to staff of the handling agency and
to the editorial board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from frontend.downloads import download
from frontend.views.qa import (
    channel_label,
    intake_label,
    kind_label,
    question_profile,
    status_label,
)
from frontend.views.qa_staff.common import calendar_of, clock_of, visible_question
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
from organization.selectors import (
    agency_list,
)
from provinces.calendar import TZ, qa_deadline
from qa import selectors
from qa.clocks import receipt_counted_at
from qa.models import EVENT_LABELS, Answer, Question
from qa.services import (
    progress_notice_limit,
)


@dataclass
class Page:
    """What an item's page needs, computed once for GET and for a refused POST."""

    request: object
    question: Question
    profile: object
    now: datetime
    actions: selectors.QuestionActions  # what the user may do here (qa.selectors)

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
    def by_board(self) -> bool:
        return self.profile is not None and self.profile.qa.answer_publisher == "board"

    def submitted_drafts(self) -> list[Answer]:
        return [a for a in self.question.answers.all() if a.status == Answer.Status.SUBMITTED]

    def forms(self, bound: dict[str, forms.Form]) -> dict[str, forms.Form]:
        """The forms of the actions qa.selectors.question_actions allows (bound ones kept)."""
        question, made, may = self.question, {}, self.actions.may

        def add(key, factory):
            made[key] = bound.get(key) or factory()

        if may("moderate"):
            add("moderate", lambda: ModerationForm(prefix="moderate"))
        if may("publish"):
            add("publish", lambda: PublishForm(prefix="publish"))
        if may("reassign"):
            agencies = [a for a in agency_list() if a.pk != question.agency_id]
            add("reassign", lambda: ReassignForm(prefix="reassign", agencies=agencies))
        if may("kind"):
            kinds = [(code, rule.label) for code, rule in self.kinds.items()]
            add(
                "kind",
                lambda: KindForm(
                    prefix="kind", kinds=kinds, initial={"kind": question.deadline_kind}
                ),
            )
        if may("appointment"):
            add("appointment", lambda: AppointmentForm(prefix="appointment"))
        if may("progress"):
            add("progress", lambda: ProgressForm(prefix="progress"))
        if may("return"):
            add("return", lambda: ReturnForm(prefix="return"))
        if may("draft"):
            add("draft", lambda: DraftForm(prefix="draft"))
        if may("result"):
            add("result", lambda: ResultForm(prefix="result"))
        if may("answer"):
            add(
                "answer",
                lambda: AnswerForm(prefix="answer", channels=self.channels, by_board=self.by_board),
            )
        if may("approve"):
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


def page_of(request, question: Question) -> Page:
    profile = question_profile(request, question)
    now = timezone.now()
    actions = selectors.question_actions(
        question=question, user=request.user, profile=profile, now=now
    )
    return Page(request, question, profile, now, actions)


def render_detail(request, page: Page, *, bound=None, failed: str = "", status: int = 200):
    question, profile = page.question, page.profile
    bound = bound or {}
    made = page.forms(bound)
    # A refused action keeps its form on the page even when the user's role does not offer it.
    made |= {key: form for key, form in bound.items() if key not in made}
    drafts = [
        {
            "answer": answer,
            "status": answer.get_status_display(),
            "approve": made.get(f"approve-{answer.pk}"),
            "return_draft": made.get(f"return_draft-{answer.pk}"),
        }
        for answer in question.answers.all()
    ]
    limit = page.appointment_limit
    progress_limit = (
        progress_notice_limit(question=question, profile=profile)
        if page.actions.may("progress")
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
            "clock": clock_of(question, now=page.now, calendar=calendar_of(profile))
            if question.is_open
            else None,
            "kind_label": kind_label(profile, question.deadline_kind),
            # A question received by a province since merged into this one (ADR 0032).
            "received_under": (
                profile.province.name if question.profile_province and profile else ""
            ),
            "status_label": status_label(question.status),
            "intake_label": intake_label(question.intake),
            "channel_label": channel_label(question.answer_channel)
            if question.answer_channel
            else "",
            "can_answer": page.actions.can_answer,
            "is_board": page.actions.board,
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
    question = visible_question(request, pk)
    return render_detail(request, page_of(request, question))


@never_cache
@login_required
@require_GET
def attachment_download(request, pk: int, attachment_pk: int):
    question = visible_question(request, pk)
    attachment = question.attachments.filter(pk=attachment_pk).first()
    return download(attachment)
