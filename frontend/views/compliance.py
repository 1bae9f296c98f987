"""The province's compliance page (ADR 0030): who owns the portal's budget, with its article,
and what the province is late with (late answers, late updates, unmet quotas, missing
sections, overdue backups and proofs, reports not signed off), each line with its count, its
article and the page that lists the cases; the reports waiting for their sign-off.

For the whole province's overseers: holders of a portal-scope role, the province's
administrator; agency staff get 403 (their own figures are on the dashboard)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from frontend.access import staff_required
from frontend.templatetags.staff_menu import oversees_province
from reports.compliance import province_compliance


@never_cache
@staff_required
def compliance_page(request):
    if not oversees_province(request.user):
        raise PermissionDenied
    return render(
        request,
        "frontend/compliance/province.html",
        {"compliance": province_compliance()},
    )
