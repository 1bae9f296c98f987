"""The once-a-day notice service (core.notices, ADR 0011, ADR 0015): one table in every
province schema; each notice goes out at most once per recipient, subject and day, is retried
until sent, and one failing mail stops no other."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction

from core.models import Notice
from core.notices import notice_send_once, notice_subject, notices_send_once
from editorial.models import Item
from tests.conftest import RefusingOneRecipientMailBackend

DAY = date(2026, 11, 26)
SUBJECT = "editorial.item:1:overdue"


def with_email(user, address=None):
    user.email = address or f"{user.username}@example.gov.vn"
    user.save(update_fields=["email"])
    return user


def message_to(user, text="Nhắc việc"):
    return lambda: EmailMessage(subject=text, body=text, to=[user.email])


@pytest.fixture
def staff(province_schema):
    _site, staff = province_schema("thainguyen")
    return staff


# --- what a notice is about --------------------------------------------------------------


def test_a_subject_names_the_object_and_the_kind_or_the_module_for_a_summary(staff):
    item = Item(pk=123)
    assert notice_subject(kind="overdue", about=item) == "editorial.item:123:overdue"
    assert notice_subject(kind="board_summary", about="editorial") == "editorial:board_summary"


def test_a_subject_is_bounded(staff):
    # given
    user = with_email(staff.holding("approver"))
    # when / then: refused before anything is written or sent
    with pytest.raises(ValueError, match="subject"):
        notice_send_once(recipient=user, subject="x" * 201, day=DAY, message=message_to(user))
    assert not Notice.objects.exists()


# --- once per recipient, subject and day ---------------------------------------------------


def test_a_notice_goes_out_once_per_recipient_subject_and_day(staff, mailoutbox):
    # given
    user = with_email(staff.holding("approver"))
    other = with_email(staff.holding("approver"))

    def send(recipient, subject, day):
        return notice_send_once(
            recipient=recipient, subject=subject, day=day, message=message_to(recipient)
        )

    # when: the same notice twice, then another subject, another day, another recipient
    assert send(user, SUBJECT, DAY) is True
    assert send(user, SUBJECT, DAY) is False
    assert send(user, "editorial.item:2:overdue", DAY) is True
    assert send(user, SUBJECT, DAY + timedelta(days=1)) is True
    assert send(other, SUBJECT, DAY) is True
    # then
    assert [mail.to for mail in mailoutbox] == [[user.email]] * 3 + [[other.email]]
    assert Notice.objects.filter(recipient=user).count() == 3
    assert Notice.objects.filter(recipient=user, subject=SUBJECT, day=DAY).count() == 1


def test_the_table_itself_refuses_a_second_row_per_recipient_subject_and_day(staff):
    user = staff.holding("approver")
    Notice.objects.create(recipient=user, subject=SUBJECT, day=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(recipient=user, subject=SUBJECT, day=DAY)


def test_one_mail_carries_only_the_subjects_new_today(staff, mailoutbox):
    # given: one of three subjects was already sent today
    user = with_email(staff.holding("approver"))
    subjects = ["qa.question:1:due_soon", "qa.question:2:due_soon", "qa.question:3:due_soon"]
    notice_send_once(recipient=user, subject=subjects[1], day=DAY, message=message_to(user))
    composed: list[list[str]] = []

    def compose(fresh):
        composed.append(fresh)
        return EmailMessage(subject="Nhắc việc", body="\n".join(fresh), to=[user.email])

    # when: a run with all three, then a rerun
    first = notices_send_once(recipient=user, subjects=subjects, day=DAY, compose=compose)
    again = notices_send_once(recipient=user, subjects=subjects, day=DAY, compose=compose)
    # then: one mail with the two new ones, in their order; nothing on the rerun
    assert (first, again) == (True, False)
    assert composed == [[subjects[0], subjects[2]]]
    assert len(mailoutbox) == 2
    assert Notice.objects.filter(recipient=user, day=DAY).count() == 3


def test_a_recipient_without_an_address_is_owed_the_notice(staff, mailoutbox):
    # given: no address yet
    user = staff.holding("approver")
    # when
    sent = notice_send_once(recipient=user, subject=SUBJECT, day=DAY, message=message_to(user))
    # then: nothing sent, nothing recorded; once the address is set, it goes out
    assert sent is False
    assert not Notice.objects.exists()
    with_email(user)
    assert notice_send_once(recipient=user, subject=SUBJECT, day=DAY, message=message_to(user))
    assert [mail.to for mail in mailoutbox] == [[user.email]]


# --- retried until sent; one failure stops nothing else ------------------------------------


def test_a_failed_mail_leaves_no_row_and_the_next_run_sends_it(staff, mailoutbox, settings):
    # given: the mail server is down
    user = with_email(staff.holding("approver"))
    settings.EMAIL_BACKEND = "tests.conftest.FailingMailBackend"
    # when
    sent = notice_send_once(recipient=user, subject=SUBJECT, day=DAY, message=message_to(user))
    # then
    assert sent is False
    assert not Notice.objects.exists()
    # when: it is back for the next run, which sends it, and a rerun sends nothing
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notice_send_once(recipient=user, subject=SUBJECT, day=DAY, message=message_to(user))
    assert not notice_send_once(recipient=user, subject=SUBJECT, day=DAY, message=message_to(user))
    assert [mail.to for mail in mailoutbox] == [[user.email]]
    assert Notice.objects.filter(recipient=user, subject=SUBJECT, day=DAY).count() == 1


def test_a_mail_that_cannot_be_composed_is_retried_too(staff, mailoutbox):
    # given: composing the mail fails (a template or a lookup raising)
    user = with_email(staff.holding("approver"))

    def broken():
        raise LookupError("no such item")

    # when
    sent = notice_send_once(recipient=user, subject=SUBJECT, day=DAY, message=broken)
    # then: nothing recorded, so the next run tries again
    assert sent is False
    assert not Notice.objects.exists()
    assert notice_send_once(recipient=user, subject=SUBJECT, day=DAY, message=message_to(user))


def test_one_refused_recipient_stops_no_other(staff, mailoutbox, settings):
    # given: three recipients, the second one's mailbox refuses mail
    first = with_email(staff.holding("approver"))
    refused = with_email(staff.holding("approver"), RefusingOneRecipientMailBackend.REFUSED)
    last = with_email(staff.holding("approver"))
    settings.EMAIL_BACKEND = "tests.conftest.RefusingOneRecipientMailBackend"
    # when
    sent = [
        notice_send_once(recipient=user, subject=SUBJECT, day=DAY, message=message_to(user))
        for user in (first, refused, last)
    ]
    # then: the others were reached and recorded; the refused one is owed its notice
    assert sent == [True, False, True]
    assert [mail.to for mail in mailoutbox] == [[first.email], [last.email]]
    assert set(Notice.objects.values_list("recipient", flat=True)) == {first.pk, last.pk}


# --- one table, in every province schema ----------------------------------------------------


def test_every_province_schema_has_the_one_notice_table(tenant_db):
    schemas = [province.schema_name for province in tenant_db.values()] + ["province_template"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema = ANY(%s) AND table_name IN "
            "('core_notice', 'editorial_reminder', 'qa_notice')",
            [schemas],
        )
        found = sorted(cursor.fetchall())
    assert found == sorted((schema, "core_notice") for schema in schemas)


def test_the_old_reminders_and_notices_move_into_the_one_table(province_schema):
    from django.db.migrations.executor import MigrationExecutor

    from editorial.services import item_create

    # given: the schema as it was, with an item's reminder, a board summary and a question's
    # notice recorded in the two old tables
    site, staff = province_schema("thainguyen")
    user = staff.holding("updater")
    item = item_create(actor=user, kind="news", title="Tin", site=site)
    before = [("editorial", "0003_scheduled_revision_and_step_delegation")]
    before += [("qa", "0002_question_lateness_and_publication")]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the item's rows, before ALTER TABLE
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    reminder, notice = old.get_model("editorial", "Reminder"), old.get_model("qa", "Notice")
    reminder.objects.create(item_id=item.pk, kind="overdue", recipient_id=user.pk, day=DAY)
    reminder.objects.create(kind="board_summary", recipient_id=user.pk, day=DAY)
    notice.objects.create(kind="overdue_summary", recipient_id=user.pk, day=DAY)
    sent_at = set(reminder.objects.values_list("sent_at", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own transaction
    # when: the two copying migrations, then the rest (later ones alter editorial_item, which
    # PostgreSQL refuses while the copies' trigger events are pending in this transaction)
    executor = MigrationExecutor(connection)
    executor.migrate(
        [
            ("editorial", "0004_reminders_into_core_notices"),
            ("qa", "0003_notices_into_core_notices"),
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    # then: one row per old row, same recipient, day and time sent
    rows = set(Notice.objects.values_list("recipient", "subject", "day"))
    assert rows == {
        (user.pk, f"editorial.item:{item.pk}:overdue", DAY),
        (user.pk, "editorial:board_summary", DAY),
        (user.pk, "qa:overdue_summary", DAY),
    }
    assert sent_at <= set(Notice.objects.values_list("sent_at", flat=True))
    # and the copied rows count as sent: the reminder is not sent again that day
    assert not notice_send_once(
        recipient=with_email(user),
        subject=notice_subject(kind="overdue", about=item),
        day=DAY,
        message=message_to(user),
    )
