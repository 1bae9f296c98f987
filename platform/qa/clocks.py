"""The clocks of open items: when an item counts as received, which are due soon, which are
late, who hears of them."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from organization.selectors import users_in_role
from provinces.calendar import TZ, calendar_for
from qa.models import Question


def receipt_counted_at(profile, arrived: datetime) -> datetime:
    """When an item counts as received. "Tiếp nhận 24h/24h vào tất cả các ngày" (Hà Giang Art.
    9(1), Thái Nguyên Art. 14(1); qa.receipt_all_hours = true): when it arrives. A profile that
    receives in office hours only counts what arrives outside them as received at the next
    office opening; the deadline runs from there (ADR 0011)."""
    if profile.qa.receipt_all_hours:
        return arrived
    calendar = calendar_for(profile)
    if calendar.in_office_hours(arrived):
        return arrived
    # Before an office period of the day (early morning, the lunch break): its opening.
    local = arrived.astimezone(TZ)
    for start, _end in calendar.office_periods(local.date()):
        if local < start:
            return start
    return calendar.office_start(calendar.next_working_day(local.date()))


def overdue(*, now: datetime | None = None) -> QuerySet[Question]:
    """Open items past the date last promised, and open items that missed one before a
    reclassification moved it (lateness stays in reports, ADR 0011)."""
    now = now or timezone.now()
    return (
        Question.objects.open()
        .overdue(now, or_missed=True)
        .select_related("agency")
        .order_by("due_at")
    )


def late_on_record() -> QuerySet[Question]:
    """Every item, open or answered, that missed a promised date before it was moved."""
    return Question.objects.filter(missed_due_at__isnull=False).select_related("agency")


def due_soon(*, profile, now: datetime | None = None) -> QuerySet[Question]:
    """Open, not yet late, and due by the end of the next working day."""
    now = now or timezone.now()
    calendar = calendar_for(profile)
    horizon = calendar.office_end(calendar.next_working_day(now.astimezone(TZ).date()))
    return (
        Question.objects.open()
        .due_by(horizon)
        .not_overdue(now)
        .select_related("agency")
        .order_by("due_at")
    )


def answerers(*, profile, agency_id: int | None):
    return users_in_role(role_code=profile.qa.answer_role, agency_id=agency_id)
