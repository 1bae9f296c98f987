"""Beat tasks of the citizens' pipeline: thin, idempotent wrappers around services.

Each queues one run per province, inside its schema (tenants.tasks). Reminders go through the
core's notice service (core.notices: once per recipient, subject and day, the subject being the
question and kind, or "qa:overdue_summary" for the board's summary): a rerun never sends one
twice, a mail that fails is retried on the next run, and one failing mail stops no other."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.utils import timezone

from config.celery import app
from core.notices import notice_send_once, notice_subject
from core.profiles import current_profile
from organization.selectors import board_for
from provinces.calendar import TZ, calendar_for
from qa import clocks
from qa.selectors import question_profile
from qa.services import questions_purge_expired
from tenants.tasks import for_each_province, in_a_province


def _notify_once(*, question, kind: str, recipient, day, subject: str, body: str) -> bool:
    return notice_send_once(
        recipient=recipient,
        subject=notice_subject(kind=kind, about="qa" if question is None else question),
        day=day,
        message=lambda: EmailMessage(subject=subject, body=body, to=[recipient.email]),
    )


def _late_line(question) -> str:
    agency = question.agency.name if question.agency else "chưa phân công"
    line = (
        f"- {question.tracking_code} · {agency} · hạn "
        f"{question.effective_due_at.astimezone(TZ):%d/%m/%Y} · {question.deadline_source}"
    )
    if question.missed_due_at is not None and question.missed_due_at != question.effective_due_at:
        line += f" · đã quá hạn ngày {question.missed_due_at.astimezone(TZ):%d/%m/%Y}"
    return line


def remind_province(*, now=None) -> int:
    """Due-soon reminders to the agency's answerers; overdue escalation to the board that
    oversees each late item's agency (organization.selectors.board_for)."""
    now = now or timezone.now()
    profile = current_profile()
    day = now.astimezone(TZ).date()
    if not calendar_for(profile).is_working_day(day):
        return 0  # reminders reach staff on the province's working days only
    sent = 0
    for question in clocks.due_soon(profile=profile, now=now):
        due = question.effective_due_at.astimezone(TZ)
        # Those who may answer it under its own rules (a merged province's, ADR 0032).
        answering = question_profile(question)
        for user in clocks.answerers(profile=answering, agency_id=question.agency_id):
            sent += _notify_once(
                question=question,
                kind="due_soon",
                recipient=user,
                day=day,
                subject=f"Sắp đến hạn trả lời: {question.tracking_code}",
                body=f"“{question.title}” phải được trả lời trước {due:%H:%M %d/%m/%Y} "
                f"({question.deadline_rule}; {question.deadline_source}).",
            )
    late_by_user: dict[int, tuple[object, list]] = {}
    for question in clocks.overdue(now=now):
        for seat in board_for(profile=profile, agency_id=question.agency_id):
            late_by_user.setdefault(seat.user.pk, (seat.user, []))[1].append(question)
    for user, late in late_by_user.values():
        sent += _notify_once(
            question=None,
            kind="overdue_summary",
            recipient=user,
            day=day,
            subject=f"{len(late)} câu hỏi quá hạn trả lời",
            body="Các câu hỏi đã quá hạn trả lời:\n" + "\n".join(map(_late_line, late)),
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


# Mail to askers, queued through the outbox in the transaction of the change they tell about
# (qa.services, tenants.outbox): sent after the commit by a worker, or once the broker is back.
# A rerun (a worker killed before the outbox marked the run done) sends the mail again only if
# the first run died between sending it and marking it done: a rare duplicate, never a loss.
@app.task(name="qa.notify_received")
def notify_received(question_pk: int) -> None:
    from qa.notifications import asker_received

    asker_received(question_pk)


@app.task(name="qa.notify_asker")
def notify_asker(question_pk: int, what: str) -> None:
    from qa.notifications import asker_update

    asker_update(question_pk, what)
