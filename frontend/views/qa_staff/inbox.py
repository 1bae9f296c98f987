"""The staff inbox of "Hỏi – Đáp": the open items the user may handle, each with its clock."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from frontend import staff_filters
from frontend.profiles import profile_for
from frontend.views.qa import (
    intake_label,
    kind_label,
    status_label,
)
from frontend.views.qa_staff.common import board_seat, calendar_of, clock_of
from organization.selectors import (
    agency_list,
)
from qa import selectors

PAGE_SIZE = 25


@never_cache
@login_required
@require_GET
def inbox(request):
    now = timezone.now()
    profile = profile_for(request)
    board, agency_ids = selectors.staff_scope(user=request.user)
    statuses = ["received", "in_progress"] + (["moderation"] if board else [])
    kinds = profile.qa.kinds if profile is not None else {}
    intakes = profile.qa.intake if profile is not None else []
    agencies = [a for a in agency_list() if board or a.pk in agency_ids]
    status = staff_filters.choice(request, "trang_thai", statuses)
    kind = staff_filters.choice(request, "loai", kinds)
    intake = staff_filters.choice(request, "hinh_thuc", intakes)
    agency_value = staff_filters.choice(request, "co_quan", {str(a.pk) for a in agencies})
    agency_id = int(agency_value) if agency_value else None
    overdue = {"1": True, "0": False}.get(staff_filters.choice(request, "qua_han", {"1", "0"}))
    number = staff_filters.page_number(request, "trang")
    questions = selectors.question_inbox(
        user=request.user,
        now=now,
        status=status,
        agency_id=agency_id,
        kind=kind,
        intake=intake,
        overdue=overdue,
    ).order_by("effective_due", "pk")
    page = Paginator(questions, PAGE_SIZE).get_page(number)
    calendar = calendar_of(profile)
    rows = [
        {
            "question": question,
            "clock": clock_of(question, now=now, calendar=calendar),
            "kind": kind_label(profile, question.deadline_kind),
            "intake": intake_label(question.intake),
            "status": status_label(question.status),
        }
        for question in page
    ]
    filters = request.GET.copy()
    filters.pop("trang", None)
    to_publish = (
        list(selectors.questions_awaiting_publication(user=request.user, profile=profile)[:50])
        if profile is not None
        else []
    )
    return render(
        request,
        "frontend/qa/staff_inbox.html",
        {
            "to_publish": to_publish,
            "rows": rows,
            "page": page,
            "is_board": board,
            "sees_late": board or board_seat(request.user, profile) is not None,
            "is_staff_here": board or bool(agency_ids),
            "statuses": [(code, status_label(code)) for code in statuses],
            "kinds": [(code, rule.label) for code, rule in kinds.items()],
            "intakes": [(code, intake_label(code)) for code in intakes],
            "agencies": agencies,
            "status": status,
            "kind": kind,
            "intake": intake,
            "agency_id": agency_id,
            "overdue": request.GET.get("qua_han", ""),
            "filter_query": filters.urlencode(),
        },
    )
