"""The clocks of open items: which are due soon, which are late, who hears of them."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from editorial import rules
from organization.selectors import users_in_role
from provinces.calendar import TZ, calendar_for
from qa.models import Question

OPEN = (Question.Status.RECEIVED, Question.Status.IN_PROGRESS)


def _effective_due(lookup: str, instant: datetime) -> Q:
    """Items whose promised date (appointment, else progress date, else deadline) compares to
    `instant` by `lookup` ("lt", "lte")."""
    return (
        Q(appointment_at__isnull=False, **{f"appointment_at__{lookup}": instant})
        | Q(
            appointment_at__isnull=True,
            progress_due_at__isnull=False,
            **{f"progress_due_at__{lookup}": instant},
        )
        | Q(
            appointment_at__isnull=True,
            progress_due_at__isnull=True,
            **{f"due_at__{lookup}": instant},
        )
    )


def overdue(*, now: datetime | None = None) -> QuerySet[Question]:
    now = now or timezone.now()
    return (
        Question.objects.filter(status__in=OPEN)
        .filter(_effective_due("lt", now))
        .select_related("agency")
        .order_by("due_at")
    )


def due_soon(*, profile, now: datetime | None = None) -> QuerySet[Question]:
    """Open, not yet late, and due by the end of the next working day."""
    now = now or timezone.now()
    calendar = calendar_for(profile)
    horizon = calendar.office_end(calendar.next_working_day(now.astimezone(TZ).date()))
    return (
        Question.objects.filter(status__in=OPEN)
        .filter(_effective_due("lte", horizon))
        .exclude(_effective_due("lt", now))
        .select_related("agency")
        .order_by("due_at")
    )


def answerers(*, profile, agency_id: int | None):
    return users_in_role(role_code=profile.qa.answer_role, agency_id=agency_id)


def editorial_board(*, profile):
    """The holders of the portal workflow's publishing role: the board that answers for the
    portal (Hà Giang Art. 12(4); Thái Nguyên Art. 10(5), 16(2))."""
    spec = rules.workflow_for(profile, on_portal=True)
    step = spec.steps[rules.publish_step_index(spec.steps)]
    return users_in_role(role_code=step.role, agency_id=None)
