"""The one overdue test (ADR 0015, rules out of the views): Question.objects.overdue(now) and
Question.is_overdue(now) agree on the date last promised — an appointment, else a progress
notice's date, else the deadline — and `or_missed` keeps lateness on the record (ADR 0011)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from qa.models import Question
from tests.factories.qa import submitted

NOW = timezone.now()
PAST, FUTURE = NOW - timedelta(days=2), NOW + timedelta(days=2)


@pytest.mark.parametrize(
    ("dates", "late"),
    [
        ({"due_at": PAST}, True),
        ({"due_at": FUTURE}, False),
        # an appointment replaces the deadline, either way
        ({"due_at": PAST, "appointment_at": FUTURE}, False),
        ({"due_at": FUTURE, "appointment_at": PAST}, True),
        # a progress notice's new date replaces the deadline, not an appointment
        ({"due_at": PAST, "progress_due_at": FUTURE}, False),
        ({"due_at": FUTURE, "appointment_at": FUTURE, "progress_due_at": PAST}, False),
    ],
)
def test_the_queryset_and_the_item_agree_on_the_date_last_promised(qa_province, dates, late):
    _site, _staff, topic = qa_province("thainguyen")
    question = submitted(topic)
    Question.objects.filter(pk=question.pk).update(**dates)
    question.refresh_from_db()
    assert question.is_overdue(NOW) is late
    assert Question.objects.overdue(NOW).filter(pk=question.pk).exists() is late
    assert Question.objects.not_overdue(NOW).filter(pk=question.pk).exists() is not late


def test_a_missed_date_stays_late_for_the_reports_only(qa_province):
    _site, _staff, topic = qa_province("thainguyen")
    question = submitted(topic)
    Question.objects.filter(pk=question.pk).update(due_at=FUTURE, missed_due_at=PAST)
    assert not Question.objects.overdue(NOW).filter(pk=question.pk).exists()
    assert Question.objects.open().overdue(NOW, or_missed=True).filter(pk=question.pk).exists()


def test_only_received_and_in_progress_items_are_open(qa_province):
    _site, _staff, topic = qa_province("thainguyen")
    question = submitted(topic)
    Question.objects.filter(pk=question.pk).update(due_at=PAST)
    for status, is_open in [
        (Question.Status.RECEIVED, True),
        (Question.Status.IN_PROGRESS, True),
        (Question.Status.MODERATION, False),
        (Question.Status.ANSWERED, False),
    ]:
        Question.objects.filter(pk=question.pk).update(status=status)
        assert Question.objects.open().overdue(NOW).filter(pk=question.pk).exists() is is_open
