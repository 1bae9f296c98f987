"""Reminders and escalation: to the right people, never twice."""

from datetime import datetime, timedelta

import pytest
from django.core import mail

from core.models import Notice
from provinces.calendar import TZ
from qa.tasks import remind_province
from tests.conftest import RefusingOneRecipientMailBackend
from tests.factories.accounts import with_email
from tests.factories.qa import submitted


def test_due_soon_goes_to_the_agency_head_and_late_ones_to_the_board_once(qa_province):
    _site, staff, topic = qa_province("thainguyen")
    with_email(staff.holding("agency_head"), "head@thainguyen.gov.vn")
    with_email(staff.holding("editor_in_chief"), "tbt@thainguyen.gov.vn")
    # due Wed 11 Mar 17:00
    soon = submitted(topic, received_at=datetime(2026, 3, 4, 10, 0, tzinfo=TZ))
    # due Mon 9 Feb 17:00
    late = submitted(topic, received_at=datetime(2026, 2, 2, 10, 0, tzinfo=TZ))
    now = datetime(2026, 3, 10, 9, 0, tzinfo=TZ)
    mail.outbox.clear()

    sent = remind_province(now=now)

    recipients = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert sent == 2
    assert ("head@thainguyen.gov.vn", f"Sắp đến hạn trả lời: {soon.tracking_code}") in recipients
    summary = next(m for m in mail.outbox if m.to == ["tbt@thainguyen.gov.vn"])
    assert late.tracking_code in summary.body
    assert late.email not in summary.body  # no citizen's contact in staff mail
    # a rerun the same day sends nothing more
    assert remind_province(now=now + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 2


def test_no_reminder_on_a_non_working_day(qa_province):
    _site, staff, topic = qa_province("thainguyen")
    with_email(staff.holding("agency_head"), "head@thainguyen.gov.vn")
    submitted(topic, received_at=datetime(2026, 3, 4, 10, 0, tzinfo=TZ))  # due Wed 11 Mar
    mail.outbox.clear()
    # Sunday 8 Mar 2026
    assert remind_province(now=datetime(2026, 3, 8, 9, 0, tzinfo=TZ)) == 0
    assert mail.outbox == []


def test_the_beat_task_runs_once_per_province_in_its_schema(qa_province):
    from qa.tasks import purge, remind

    # eager in tests: each per-province run happens inside that province's schema
    assert remind() == 5
    assert purge() == 5


# --- the board hears of every overdue question, in every province ---------------------------

# The board is the holder of each portal workflow's publish step (organization.selectors):
# a portal role in four provinces, an agency role in Huế (Art. 19: each unit's board head).
BOARD_ROLES = {
    "backan": "board_approver",
    "dongnai": "support_editor",
    "hagiang": "board_head",
    "thainguyen": "editor_in_chief",
    "thuathienhue": "head",
}
LATE_RECEIVED = datetime(2026, 2, 2, 10, 0, tzinfo=TZ)  # due in February whatever the kind
RUN_AT = datetime(2026, 3, 10, 9, 0, tzinfo=TZ)  # Tuesday, a working day everywhere


@pytest.mark.parametrize("slug", sorted(BOARD_ROLES))
def test_an_overdue_question_reaches_the_board_in_every_province(qa_province, slug):
    # given
    _site, staff, topic = qa_province(slug)
    board = with_email(staff.holding(BOARD_ROLES[slug]))
    late = submitted(topic, received_at=LATE_RECEIVED)
    mail.outbox.clear()
    # when
    remind_province(now=RUN_AT)
    # then
    to_board = [m for m in mail.outbox if m.to == [board.email]]
    assert len(to_board) == 1
    assert late.tracking_code in to_board[0].body


def test_in_hue_the_board_of_the_questions_agency_hears_of_it_not_the_others(qa_province):
    from organization.models import Agency

    site, staff, topic = qa_province("thuathienhue")
    own = with_email(staff.holding("head"))
    elsewhere = with_email(
        staff.holding("head", agency=Agency.objects.exclude(pk=site.agency_id).first())
    )
    late = submitted(topic, received_at=LATE_RECEIVED)
    mail.outbox.clear()
    remind_province(now=RUN_AT)
    assert [m.to for m in mail.outbox if late.tracking_code in m.body] == [[own.email]]
    assert elsewhere.email not in {m.to[0] for m in mail.outbox}


# --- reminders are never lost ------------------------------------------------------------


def test_a_reminder_whose_mail_fails_is_not_recorded_and_goes_out_on_the_next_run(
    qa_province, settings
):
    # given: the mail server is down during the first run
    _site, staff, topic = qa_province("thainguyen")
    head = with_email(staff.holding("agency_head"))
    board = with_email(staff.holding("editor_in_chief"))
    soon = submitted(topic, received_at=datetime(2026, 3, 4, 10, 0, tzinfo=TZ))  # due Wed 11 Mar
    submitted(topic, received_at=LATE_RECEIVED)
    settings.EMAIL_BACKEND = "tests.conftest.FailingMailBackend"
    mail.outbox.clear()
    # when
    assert remind_province(now=RUN_AT) == 0
    # then: nothing is recorded as sent
    assert not Notice.objects.filter(recipient__in=[head, board]).exists()
    # when: the server is back an hour later
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert remind_province(now=RUN_AT + timedelta(hours=1)) == 2
    assert {m.to[0] for m in mail.outbox} == {head.email, board.email}
    assert any(soon.tracking_code in m.subject for m in mail.outbox)
    # and it is still sent once a day
    assert remind_province(now=RUN_AT + timedelta(hours=2)) == 0


def test_one_refused_recipient_stops_no_other_reminder(qa_province, settings):
    # given: two heads of the agency answer; one mailbox refuses mail
    _site, staff, topic = qa_province("thainguyen")
    refused = with_email(staff.holding("agency_head"), RefusingOneRecipientMailBackend.REFUSED)
    other = with_email(staff.holding("agency_head"))
    board = with_email(staff.holding("editor_in_chief"))
    submitted(topic, received_at=datetime(2026, 3, 4, 10, 0, tzinfo=TZ))  # due soon
    submitted(topic, received_at=LATE_RECEIVED)  # overdue
    settings.EMAIL_BACKEND = "tests.conftest.RefusingOneRecipientMailBackend"
    mail.outbox.clear()
    # when
    sent = remind_province(now=RUN_AT)
    # then: everyone else was reached; the refused one is owed its reminder
    assert sent == 2
    assert {m.to[0] for m in mail.outbox} == {other.email, board.email}
    assert not Notice.objects.filter(recipient=refused).exists()
    # when the mailbox works again, only the owed reminder goes out
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    assert remind_province(now=RUN_AT + timedelta(hours=1)) == 1
    assert [m.to for m in mail.outbox] == [[refused.email]]
