"""Beat tasks of the citizens' pipeline: thin, idempotent wrappers around services.

Each queues one run per province, inside its schema (tenants.tasks). A notice is recorded
(unique per question, kind, recipient and day) before its mail is sent, so a rerun never sends
it twice."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from config.celery import app
from editorial.profile import current_profile
from provinces.calendar import TZ, calendar_for
from qa import clocks
from qa.models import Notice
from qa.services import questions_purge_expired
from tenants.tasks import for_each_province, in_a_province


def _notify_once(*, question, kind: str, recipient, day, subject: str, body: str) -> bool:
    if not recipient.email:
        return False
    try:
        with transaction.atomic():
            Notice.objects.create(question=question, kind=kind, recipient=recipient, day=day)
    except IntegrityError:
        return False  # already sent today
    send_mail(subject, body, None, [recipient.email])
    return True


def remind_province(*, now=None) -> int:
    """Due-soon reminders to the agency's answerers; overdue escalation to the board."""
    now = now or timezone.now()
    profile = current_profile()
    day = now.astimezone(TZ).date()
    if not calendar_for(profile).is_working_day(day):
        return 0  # reminders reach staff on the province's working days only
    sent = 0
    for question in clocks.due_soon(profile=profile, now=now):
        due = question.effective_due_at.astimezone(TZ)
        for user in clocks.answerers(profile=profile, agency_id=question.agency_id):
            sent += _notify_once(
                question=question,
                kind="due_soon",
                recipient=user,
                day=day,
                subject=f"Sắp đến hạn trả lời: {question.tracking_code}",
                body=f"“{question.title}” phải được trả lời trước {due:%H:%M %d/%m/%Y} "
                f"({question.deadline_rule}; {question.deadline_source}).",
            )
    late = list(clocks.overdue(now=now))
    if late:
        lines = [
            f"- {q.tracking_code} · {q.agency.name if q.agency else '?'} · hạn "
            f"{q.effective_due_at.astimezone(TZ):%d/%m/%Y} · {q.deadline_source}"
            for q in late
        ]
        for user in clocks.editorial_board(profile=profile):
            sent += _notify_once(
                question=None,
                kind="overdue_summary",
                recipient=user,
                day=day,
                subject=f"{len(late)} câu hỏi quá hạn trả lời",
                body="Các câu hỏi đã quá hạn trả lời:\n" + "\n".join(lines),
            )
    return sent


@app.task(name="qa.remind")
def remind() -> int:
    return for_each_province(remind_in_province)


@app.task(name="qa.remind_in_province")
def remind_in_province() -> int:
    return remind_province() if in_a_province() else 0


@app.task(name="qa.purge")
def purge() -> int:
    """Erase personal data past each province's retention period (profile.qa.retention_days)."""
    return for_each_province(purge_in_province)


@app.task(name="qa.purge_in_province")
def purge_in_province() -> int:
    return questions_purge_expired() if in_a_province() else 0
