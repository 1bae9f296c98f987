"""What several staff Q&A pages share: an item's clock, the user's board seat, and the item a
user may open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404

from organization.selectors import (
    board_members,
)
from provinces.calendar import DEFAULT_CALENDAR, TZ, WorkingCalendar, calendar_for
from qa import selectors
from qa.models import Question

# --- clocks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    due: datetime
    overdue: bool
    working_days: int  # left until the due day (that day included), or late since it
    due_today: bool = False
    more: bool = False  # more than `working_days`: counting stops a year away


ONE_DAY = timedelta(days=1)
COUNTED_SPAN = timedelta(days=366)  # no stored date, however far, makes a page count past it


def clock_of(question: Question, *, now: datetime, calendar: WorkingCalendar) -> Clock:
    """The date last promised to the asker and how many working days remain (the due day
    included) or have passed since it, counted over a year at most."""
    due = question.effective_due_at
    today, due_day = now.astimezone(TZ).date(), due.astimezone(TZ).date()
    if question.is_overdue(now):
        first = max(due_day, today - COUNTED_SPAN) + ONE_DAY
        days = calendar.working_days_between(first, today)
        return Clock(due, True, days, more=first > due_day + ONE_DAY)
    last = min(due_day, today + COUNTED_SPAN)
    return Clock(
        due,
        False,
        calendar.working_days_between(today, last),
        due_today=due_day == today,
        more=last < due_day,
    )


def calendar_of(profile) -> WorkingCalendar:
    return calendar_for(profile) if profile is not None else DEFAULT_CALENDAR


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def board_seat(user, profile):
    """The user's seat on the editorial board (organization.selectors.board_members), if any."""
    seats = board_members(profile=profile) if profile is not None else []
    return next((seat for seat in seats if seat.user.pk == user.pk), None)


def visible_question(request, pk: int) -> Question:
    question = selectors.question_for_staff(pk=pk)
    if question is None:
        raise Http404
    if not selectors.may_see_contact(user=request.user, question=question):
        raise PermissionDenied
    return question
