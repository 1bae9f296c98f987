"""The operators' compliance board on the platform host (ADR 0030): per province, how many late
answers, late updates, unmet quotas, missing sections, overdue backups and proofs and reports
not signed off, as counted by the last snapshot (numbers only, never a citizen's data), each
row linking to the province's own compliance page on its own host; "Cập nhật ngay" counts one
province again at once."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from config.hosts import host_url, is_development_request
from provinces.loader import ProfileError
from reports.compliance import (
    LINE_CODES,
    compliance_board,
    compliance_snapshot_refresh,
    short_labels,
)
from tenants.selectors import province_list, province_portal_host

from .console import _operator

MAX_SLUG_LENGTH = 40
# How the board may be sorted (?sap-xep=…): the most late first by default.
SORTS = ("tong", "ten", *LINE_CODES)


def _link(request, province, path: str) -> str | None:
    # As the console's home links provinces: the dev host where the console itself answers on
    # one, the portal's own domain otherwise.
    portal_host = province_portal_host(province, development=False)
    dev_host = province_portal_host(province, development=True)
    development = is_development_request(request)
    host = (dev_host or portal_host) if development else (portal_host or dev_host)
    if host is None:
        return None
    return host_url(request, host).rstrip("/") + path


def _sort_key(sort: str):
    if sort == "ten":
        return lambda row: (row["name"],)
    if sort == "tong":
        # Most late first; provinces with no figures yet last.
        return lambda row: (row["late_total"] is None, -(row["late_total"] or 0), row["name"])
    return lambda row: (row["late_total"] is None, -row["counts"][sort], row["name"])


@never_cache
@login_required
def compliance_board_page(request):
    _operator(request)
    sort = request.GET.get("sap-xep", "tong")[:40]
    if sort not in SORTS:
        sort = "tong"
    provinces = list(province_list())
    page = reverse("frontend:staff_compliance", urlconf=settings.ROOT_URLCONF)
    by_slug = {province.slug: province for province in provinces}
    labels = short_labels()
    rows = [
        {
            "slug": row.slug,
            "name": row.name,
            "computed_at": row.computed_at,
            "late_total": row.late_total,
            "counts": row.counts,
            "cells": [row.counts[code] for code in LINE_CODES],
            "url": _link(request, by_slug[row.slug], page),
        }
        for row in compliance_board(provinces=provinces)
    ]
    rows.sort(key=_sort_key(sort))
    columns = [{"code": code, "label": labels[code]} for code in LINE_CODES]
    return render(
        request,
        "frontend/compliance/board.html",
        {"rows": rows, "columns": columns, "sort": sort, "now": timezone.now()},
    )


@require_POST
@login_required
def compliance_refresh(request):
    """Count one province again now (synchronously: one province's queries, bounded)."""
    _operator(request)
    slug = request.POST.get("province", "")[:MAX_SLUG_LENGTH]
    province = (
        province_list().prefetch_related(None).filter(slug=slug).first() if slug.isalnum() else None
    )
    if province is None:
        messages.error(request, _("Không có tỉnh này trên nền tảng."))
        return redirect("frontend:console_compliance")
    try:
        compliance_snapshot_refresh(province=province, actor=request.user)
    except ProfileError:
        # No profile in force for the province: nothing to count against (said, not a 500).
        messages.error(
            request,
            _("%(province)s chưa có hồ sơ quy chế có hiệu lực: chưa tính được số liệu.")
            % {"province": province.name},
        )
        return redirect("frontend:console_compliance")
    messages.success(
        request, _("Đã cập nhật số liệu tuân thủ của %(province)s.") % {"province": province.name}
    )
    return redirect("frontend:console_compliance")
