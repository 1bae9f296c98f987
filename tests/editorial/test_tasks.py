"""The beat tasks: scheduled publication, deadline reminders and the board's daily summary,
run for every province and safe to run twice (Celery runs eagerly in tests)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from core.models import Notice
from editorial.models import Item, Transition
from editorial.services import item_create, item_transition
from editorial.tasks import publish_scheduled, send_board_summaries, send_reminders
from organization.models import Agency
from provinces.calendar import TZ

# Thursday 26/11/2026, 09:00 in Vietnam: a working day, in office hours.
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)


def with_email(user):
    user.email = f"{user.username}@example.gov.vn"
    user.save(update_fields=["email"])
    return user


def submitted_news(*, site, updater, title: str, event_at: datetime) -> Item:
    """A news item of a component site, submitted: it waits at the approver's step. Thái
    Nguyên Art. 10(2): due 8 working hours after the event."""
    item = item_create(
        actor=updater,
        kind="news",
        title=title,
        site=site,
        fields={"event_at": event_at.isoformat()},
    )
    return item_transition(item=item, actor=updater, decision="forward")


@pytest.fixture
def thainguyen(province_schema):
    site, staff = province_schema("thainguyen")
    return site, staff


# --- scheduled publication -----------------------------------------------------------------


def test_a_scheduled_item_is_published_once_when_the_task_runs_twice(thainguyen):
    # given: the approver schedules the publication in an hour
    site, staff = thainguyen
    updater, approver = staff.holding("updater"), staff.holding("approver")
    item = item_create(actor=updater, kind="news", title="Tin hẹn giờ", site=site)
    item = item_transition(item=item, actor=updater, decision="forward")
    at = timezone.now() + timedelta(hours=1)
    item = item_transition(item=item, actor=approver, decision="forward", publish_at=at)
    assert item.status == Item.Status.IN_WORKFLOW
    later = (at + timedelta(minutes=1)).isoformat()
    # when
    publish_scheduled(now=later)
    publish_scheduled(now=later)
    # then
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED
    assert item.publish_at is None
    publications = Transition.objects.filter(item=item, action=Transition.Action.PUBLISH)
    assert publications.count() == 1


def test_a_scheduled_item_waits_until_its_time(thainguyen):
    site, staff = thainguyen
    updater, approver = staff.holding("updater"), staff.holding("approver")
    item = item_create(actor=updater, kind="news", title="Tin chưa tới giờ", site=site)
    item = item_transition(item=item, actor=updater, decision="forward")
    at = timezone.now() + timedelta(hours=1)
    item_transition(item=item, actor=approver, decision="forward", publish_at=at)
    publish_scheduled(now=(at - timedelta(minutes=1)).isoformat())
    item.refresh_from_db()
    assert item.status == Item.Status.IN_WORKFLOW


# --- reminders -----------------------------------------------------------------------------


def test_the_holders_of_the_waiting_step_are_reminded_once_a_day(thainguyen, mailoutbox):
    # given: one item overdue (due Thu 08:00), one due soon (due Fri 09:00), at the approver's
    # step (8 office hours over 07:30–11:30 and 13:30–17:00, ADR 0008)
    site, staff = thainguyen
    updater = staff.holding("updater")
    approver = with_email(staff.holding("approver"))
    other_agency = Agency.objects.exclude(pk=site.agency_id).filter(kind="district").first()
    elsewhere = with_email(staff.holding("approver", agency=other_agency))
    overdue = submitted_news(
        site=site, updater=updater, title="Tin quá hạn", event_at=NOW - timedelta(hours=26)
    )
    soon = submitted_news(
        site=site, updater=updater, title="Tin sắp đến hạn", event_at=NOW - timedelta(minutes=30)
    )
    # when: the hourly task runs, then runs again
    send_reminders(now=NOW.isoformat())
    send_reminders(now=(NOW + timedelta(hours=1)).isoformat())
    # then: one mail, to the approver of that agency, naming both items and the article
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [approver.email]
    assert elsewhere.email not in mail.to
    assert "1 tin bài quá hạn, 1 tin bài sắp đến hạn" in mail.subject
    assert "Tin quá hạn" in mail.body
    assert "Tin sắp đến hạn" in mail.body
    assert "QĐ 40/2012 Art. 10(2)" in mail.body
    assert Notice.objects.filter(recipient=approver, day=NOW.date()).count() == 2
    assert set(Notice.objects.filter(recipient=approver).values_list("subject", flat=True)) == {
        f"editorial.item:{overdue.pk}:overdue",
        f"editorial.item:{soon.pk}:due_soon",
    }


def test_an_item_that_becomes_overdue_is_reminded_again_as_overdue(thainguyen, mailoutbox):
    site, staff = thainguyen
    updater = staff.holding("updater")
    with_email(staff.holding("approver"))
    submitted_news(site=site, updater=updater, title="Tin", event_at=NOW - timedelta(minutes=30))
    # Thu 08:30 + 8 office hours: 3 h + 3.5 h on Thu, Fri 07:30 + 1.5 h = due Fri 09:00
    send_reminders(now=NOW.isoformat())  # due soon
    send_reminders(now=datetime(2026, 11, 27, 9, 30, tzinfo=TZ).isoformat())  # now overdue
    subjects = [mail.subject for mail in mailoutbox]
    assert len(subjects) == 2
    assert "0 tin bài quá hạn, 1 tin bài sắp đến hạn" in subjects[0]
    assert "1 tin bài quá hạn, 0 tin bài sắp đến hạn" in subjects[1]


def test_no_reminder_is_sent_outside_office_hours(thainguyen, mailoutbox):
    site, staff = thainguyen
    updater = staff.holding("updater")
    with_email(staff.holding("approver"))
    submitted_news(site=site, updater=updater, title="Tin", event_at=NOW - timedelta(days=1))
    send_reminders(now=NOW.replace(hour=20).isoformat())
    send_reminders(now=datetime(2026, 11, 28, 10, 0, tzinfo=TZ).isoformat())  # a Saturday
    assert mailoutbox == []
    assert not Notice.objects.exists()


# --- the board's daily summary -------------------------------------------------------------


def test_the_daily_summary_goes_to_the_board_only_and_once(thainguyen, mailoutbox):
    # given: Thái Nguyên's portal is published by the editor-in-chief (Art. 6(3), 16(2))
    site, staff = thainguyen
    updater = with_email(staff.holding("updater"))
    approver = with_email(staff.holding("approver"))
    editor_in_chief = with_email(staff.holding("editor_in_chief"))
    # Wed 07:00: 4 h + 3.5 h on Wed, Thu 07:30 + 0.5 h = due Thu 08:00, overdue at 09:00
    submitted_news(
        site=site, updater=updater, title="Tin quá hạn", event_at=NOW - timedelta(hours=26)
    )
    # when: two runs the same day
    send_board_summaries(now=NOW.isoformat())
    send_board_summaries(now=(NOW + timedelta(hours=1)).isoformat())
    # then
    assert [mail.to for mail in mailoutbox] == [[editor_in_chief.email]]
    assert {updater.email, approver.email}.isdisjoint(mailoutbox[0].to)
    body = mailoutbox[0].body
    assert "Tin quá hạn" in body
    assert "CƠ QUAN CHƯA ĐẠT ĐỊNH MỨC TIN NỔI BẬT THÁNG 11/2026" in body
    assert f"{site.agency.name}: 0/" in body
    assert "QĐ 40/2012 Art. 8(3)" in body


def test_an_agency_board_gets_the_summary_of_its_own_agency(province_schema, mailoutbox):
    # given: in Huế each department's board head publishes (Art. 19), so each head oversees
    # the department's own items
    site, staff = province_schema("thuathienhue")
    author = staff.holding("board_member")
    head = with_email(staff.holding("head"))
    other = Agency.objects.exclude(pk=site.agency_id).first()
    head_elsewhere = with_email(staff.holding("head", agency=other))
    item = item_create(
        actor=author,
        kind="news",
        title="Tin thời sự",
        site=site,
        fields={"event_at": (NOW - timedelta(days=1)).isoformat()},
    )
    item_transition(item=item, actor=author, decision="forward")
    # when
    send_board_summaries(now=NOW.isoformat())
    # then: Huế sets no quota, so the head of the other department has nothing to read
    assert [mail.to for mail in mailoutbox] == [[head.email]]
    assert head_elsewhere.email not in mailoutbox[0].to
    assert "Tin thời sự" in mailoutbox[0].body


# --- reminders are never lost (one service with qa.tasks: core.notices)


def test_a_reminder_whose_mail_fails_is_sent_on_the_next_run(thainguyen, mailoutbox, settings):
    # given: the mail server is down for the first run
    site, staff = thainguyen
    updater = staff.holding("updater")
    approver = with_email(staff.holding("approver"))
    submitted_news(site=site, updater=updater, title="Tin", event_at=NOW - timedelta(days=3))
    settings.EMAIL_BACKEND = "tests.conftest.FailingMailBackend"
    # when
    send_reminders(now=NOW.isoformat())
    # then: nothing is recorded as sent
    assert not Notice.objects.filter(recipient=approver).exists()
    # when: it is back for the next run, which sends it, once
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_reminders(now=(NOW + timedelta(hours=1)).isoformat())
    send_reminders(now=(NOW + timedelta(hours=2)).isoformat())
    assert [mail.to for mail in mailoutbox] == [[approver.email]]
    assert Notice.objects.filter(recipient=approver, day=NOW.date()).count() == 1


def test_one_refused_recipient_stops_no_other_reminder_or_summary(thainguyen, mailoutbox, settings):
    from tests.conftest import RefusingOneRecipientMailBackend

    # given: two approvers of the agency, one whose mailbox refuses mail, and the board
    site, staff = thainguyen
    updater = staff.holding("updater")
    refused = staff.holding("approver")
    refused.email = RefusingOneRecipientMailBackend.REFUSED
    refused.save(update_fields=["email"])
    other = with_email(staff.holding("approver"))
    editor_in_chief = with_email(staff.holding("editor_in_chief"))
    submitted_news(site=site, updater=updater, title="Tin", event_at=NOW - timedelta(days=3))
    settings.EMAIL_BACKEND = "tests.conftest.RefusingOneRecipientMailBackend"
    # when
    send_reminders(now=NOW.isoformat())
    send_board_summaries(now=NOW.isoformat())
    # then: the others are reached; the refused one is owed its reminder
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([other.email, editor_in_chief.email])
    assert not Notice.objects.filter(recipient=refused).exists()
    # when the mailbox works again, only the owed reminder goes out
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mailoutbox.clear()
    send_reminders(now=(NOW + timedelta(hours=1)).isoformat())
    send_board_summaries(now=(NOW + timedelta(hours=1)).isoformat())
    assert [mail.to for mail in mailoutbox] == [[refused.email]]
