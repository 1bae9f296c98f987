"""Reminders and escalation: to the right people, never twice."""

from datetime import datetime, timedelta

from django.core import mail

from provinces.calendar import TZ
from qa.services import question_submit
from qa.tasks import remind_province


def _submit(topic, received_at):
    return question_submit(
        name="Phạm D",
        email="d@example.vn",
        topic=topic.slug,
        title="Hỏi",
        text="Nội dung",
        consent=True,
        received_at=received_at,
    )


def test_due_soon_goes_to_the_agency_head_and_late_ones_to_the_board_once(qa_province):
    _site, staff, topic = qa_province("thainguyen")
    head = staff.holding("agency_head")
    head.email = "head@thainguyen.gov.vn"
    head.save()
    board = staff.holding("editor_in_chief")
    board.email = "tbt@thainguyen.gov.vn"
    board.save()
    soon = _submit(topic, datetime(2026, 3, 4, 10, 0, tzinfo=TZ))  # due Wed 11 Mar 17:00
    late = _submit(topic, datetime(2026, 2, 2, 10, 0, tzinfo=TZ))  # due Mon 9 Feb 17:00
    now = datetime(2026, 3, 10, 9, 0, tzinfo=TZ)
    mail.outbox.clear()

    sent = remind_province(now=now)

    recipients = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert sent == 2
    assert ("head@thainguyen.gov.vn", f"Sắp đến hạn trả lời: {soon.tracking_code}") in recipients
    summary = next(m for m in mail.outbox if m.to == ["tbt@thainguyen.gov.vn"])
    assert late.tracking_code in summary.body
    assert "d@example.vn" not in summary.body  # no citizen's contact in staff mail
    # a rerun the same day sends nothing more
    assert remind_province(now=now + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 2


def test_no_reminder_on_a_non_working_day(qa_province):
    _site, staff, topic = qa_province("thainguyen")
    head = staff.holding("agency_head")
    head.email = "head@thainguyen.gov.vn"
    head.save()
    _submit(topic, datetime(2026, 3, 4, 10, 0, tzinfo=TZ))  # due Wed 11 Mar
    mail.outbox.clear()
    # Sunday 8 Mar 2026
    assert remind_province(now=datetime(2026, 3, 8, 9, 0, tzinfo=TZ)) == 0
    assert mail.outbox == []


def test_the_beat_task_runs_once_per_province_in_its_schema(qa_province):
    from qa.tasks import purge, remind

    # eager in tests: each per-province run happens inside that province's schema
    assert remind() == 5
    assert purge() == 5
