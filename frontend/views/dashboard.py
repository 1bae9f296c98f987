"""The staff dashboard: content past or near its update deadline, content published late with
the rule and article it broke, and each agency's featured news of the month against its quota
(PROFILES.md section 3; Thái Nguyên Art. 8(3), 10(5)). Server-rendered, read-only."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from editorial.dashboard import dashboard_panels
from frontend.access import staff_required
from frontend.profiles import profile_for
from frontend.sections import section_states, site_content
from organization.models import Agency


def _agency_kind(kind: str) -> str:
    """An agency kind named by the profile, as the model labels it."""
    return str(dict(Agency.Kind.choices).get(kind, kind))


@never_cache
@staff_required
def dashboard(request):
    board = dashboard_panels(user=request.user)
    quota_rules = [
        {
            "kind": _agency_kind(rule.agency_kind),
            "minimum": rule.min_per_month,
            "source": rule.source,
        }
        for rule in board.quota_rules
    ]
    quotas = [
        {
            "agency": row.agency_name,
            "kind": _agency_kind(row.agency_kind),
            "count": row.count,
            "minimum": row.minimum,
            "below": row.below,
            "source": row.source,
            "source_is_default": row.source_is_default,
        }
        for row in board.quotas
    ]
    # The required sections citizens cannot reach yet (ADR 0016): the board's to fill.
    profile = profile_for(request)
    section_gaps = None
    if board.scope.whole_province and profile is not None:
        states = section_states(profile, site_content(request))
        section_gaps = [state.section for state in states if not state.has_content]
    return render(
        request,
        "frontend/staff/dashboard.html",
        {
            "board": board,
            "section_gaps": section_gaps,
            "quotas": quotas,
            "quota_rules": quota_rules,
            "below_quota": sum(1 for row in quotas if row["below"]),
        },
    )
