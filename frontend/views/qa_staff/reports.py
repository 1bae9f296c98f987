"""Who is late: overdue open items grouped by agency, for the editorial board."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from frontend.profiles import profile_for
from frontend.views.qa import (
    intake_label,
    kind_label,
)
from frontend.views.qa_staff.common import board_seat, calendar_of, clock_of
from qa import clocks, selectors


@never_cache
@login_required
@require_GET
def overdue(request):
    """Overdue open items grouped by agency, for the editorial board (Thái Nguyên Art. 10(5):
    the board monitors and reports units that miss their obligations): portal-wide staff see
    every agency; a board member of an agency-scoped board (organization.selectors, Huế) the
    agencies they oversee."""
    board, _agencies = selectors.staff_scope(user=request.user)
    profile = profile_for(request)
    late = clocks.overdue(now=timezone.now()).select_related("topic")
    if not board:
        seat = board_seat(request.user, profile)
        if seat is None:
            raise PermissionDenied
        if seat.agency_ids is not None:
            late = late.filter(agency_id__in=seat.agency_ids)
    now = timezone.now()
    calendar = calendar_of(profile)
    groups: dict[int | None, dict] = {}
    for question in late:
        agency = question.agency
        group = groups.setdefault(
            agency.pk if agency else None,
            {"agency": agency.name if agency else _("Chưa phân công"), "rows": []},
        )
        group["rows"].append(
            {
                "question": question,
                "clock": clock_of(question, now=now, calendar=calendar),
                "kind": kind_label(profile, question.deadline_kind),
                "intake": intake_label(question.intake),
            }
        )
    ordered = sorted(groups.values(), key=lambda g: (-len(g["rows"]), g["agency"]))
    return render(
        request,
        "frontend/qa/staff_overdue.html",
        {"groups": ordered, "total": sum(len(g["rows"]) for g in ordered), "now": now},
    )
