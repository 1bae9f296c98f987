"""The reports a province's regulation requires, in the back office (issue 14, Must have 2).

- /staff/bao-cao/: the reports the user may see (reports.selectors.reports_visible_to), filtered
  by status and year, with the due day and "quá hạn" when it passed unsigned; the profile's
  `reporting` entries as people read them (cadence, who signs, due rule, article), with a form
  to draft a `periodic` or `on_request` report for a period the user gives.
- /staff/bao-cao/<pk>/: the printable report (reports.documents.report_sections, the same text
  as the Word document; frontend/static/frontend/reports.css hides the tools on paper), the
  sign-off form for whoever may sign it, the sign-off trail once signed, and "Cập nhật số liệu"
  while drafted.
- /staff/bao-cao/<pk>/tai-ve/<docx|xlsx>/: its files.

A report the user may not see is a 404 (nobody learns what exists); signing one the user may
not sign is a 403 with the reason."""

from __future__ import annotations

from datetime import date
from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ServiceError
from core.profiles import current_profile
from core.text import fold
from frontend import staff_filters
from frontend.access import staff_required
from frontend.errors import add_service_error, http_status
from provinces.calendar import TZ
from provinces.loader import today_in_vietnam
from reports import documents, periods, selectors, services
from reports.models import Report

PAGE_SIZE = 25
FIRST_YEAR, LAST_YEAR = 2000, 2100
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
FILES = {
    "docx": ("document", documents.DOCX_TYPE, documents.docx_bytes),
    "xlsx": ("tables", documents.XLSX_TYPE, documents.xlsx_bytes),
}
STATUS_LABELS = dict(Report.Status.choices)
SIGN = "ky_duyet"
REDRAFT = "cap_nhat"


# --- forms -----------------------------------------------------------------------------------


class OnRequestForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("Từ ngày"),
        input_formats=DATE_FORMATS,
        error_messages={
            "required": gettext_lazy("Hãy nhập ngày đầu kỳ báo cáo."),
            "invalid": gettext_lazy("Ngày không hợp lệ (dd/mm/yyyy)."),
        },
    )
    end = forms.DateField(
        label=gettext_lazy("Đến ngày"),
        input_formats=DATE_FORMATS,
        error_messages={
            "required": gettext_lazy("Hãy nhập ngày cuối kỳ báo cáo."),
            "invalid": gettext_lazy("Ngày không hợp lệ (dd/mm/yyyy)."),
        },
    )
    agency = forms.TypedChoiceField(
        label=gettext_lazy("Cơ quan, đơn vị"),
        coerce=int,
        error_messages={
            "required": gettext_lazy("Hãy chọn cơ quan, đơn vị."),
            "invalid_choice": gettext_lazy("Hãy chọn một cơ quan trong danh sách."),
        },
    )
    site = forms.TypedChoiceField(
        label=gettext_lazy("Cổng thông tin thành phần"),
        coerce=int,
        error_messages={
            "required": gettext_lazy("Hãy chọn cổng thông tin thành phần."),
            "invalid_choice": gettext_lazy("Hãy chọn một cổng trong danh sách."),
        },
    )

    def __init__(self, *args, entry: selectors.Entry, scope: selectors.DraftScope, **kwargs):
        kwargs.setdefault("prefix", f"entry{entry.index}")
        super().__init__(*args, **kwargs)
        self.entry = entry
        per = entry.reporting.per
        if per == "agency":
            self.agency_objects = {a.pk: a for a in scope.agencies()}
            agency_field = cast(forms.ChoiceField, self.fields["agency"])
            agency_field.choices = [("", _("— Chọn cơ quan —"))] + [
                (pk, a.name) for pk, a in self.agency_objects.items()
            ]
        else:
            del self.fields["agency"]
        if per == "component_site":
            self.site_objects = {s.pk: s for s in scope.sites()}
            site_field = cast(forms.ChoiceField, self.fields["site"])
            site_field.choices = [("", _("— Chọn cổng thành phần —"))] + [
                (pk, s.name) for pk, s in self.site_objects.items()
            ]
        else:
            del self.fields["site"]

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            day = data.get(name)
            if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(
                    name,
                    _("Ngày phải trong các năm %(a)d–%(b)d.")
                    % {
                        "a": FIRST_YEAR,
                        "b": LAST_YEAR,
                    },
                )
        return data


class SignOffForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Ghi chú khi ký duyệt"),
        required=False,
        max_length=services.NOTE_MAX,
        widget=forms.Textarea,
    )


# --- the list --------------------------------------------------------------------------------


def _page_number(request) -> int:
    """The page asked for; anything that is not a page number is the first page."""
    raw = request.GET.get("trang", "")
    if raw.isdigit() and len(raw) <= 4 and int(raw) >= 1:
        return int(raw)
    return 1


def _year(request) -> int | None:
    raw = request.GET.get("nam", "")
    if not raw:
        return None
    if not (len(raw) == 4 and raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR):
        raise BadRequest("nam: not a year")
    return int(raw)


def _overdue(report: Report, today: date) -> bool:
    return report.status == Report.Status.DRAFTED and report.due_on < today


def _entry_rows(
    profile, scope: selectors.DraftScope, forms_by_index: dict[int, OnRequestForm]
) -> list[dict]:
    rows = []
    for entry in selectors.entries(profile):
        reporting = entry.reporting
        on_demand = reporting.cadence in selectors.ON_DEMAND_CADENCES and scope.entry(entry)
        form = None
        if on_demand:
            form = forms_by_index.get(entry.index) or OnRequestForm(entry=entry, scope=scope)
        rows.append(
            {
                "entry": entry,
                "who": reporting.who,
                "to": reporting.to,
                "cadence": entry.cadence_label,
                "per": entry.per_label,
                "subject": entry.subject_label,
                "role": entry.role_name,
                "due_rule": periods.due_rule_text(reporting.due_working_days),
                "due_source": reporting.source_of("due_working_days"),
                "remind": reporting.remind_working_days,
                "source": reporting.source,
                "form": form,
            }
        )
    return rows


def _list_page(request, *, forms_by_index=None, status=200):
    profile = current_profile()
    scope = selectors.DraftScope(request.user)
    status_filter = staff_filters.choice(request, "trang_thai", STATUS_LABELS)
    year = _year(request)
    start = date(year, 1, 1) if year else None
    end = date(year, 12, 31) if year else None
    reports = selectors.report_list(
        user=request.user, status=status_filter or None, start=start, end=end
    )
    paginator = Paginator(reports, PAGE_SIZE)
    try:
        page = paginator.page(_page_number(request))
    except EmptyPage:
        raise Http404 from None
    today = today_in_vietnam()
    rows = [
        {
            "report": report,
            "status": STATUS_LABELS.get(report.status, ""),
            "overdue": _overdue(report, today),
        }
        for report in page
    ]
    filters = request.GET.copy()
    filters.pop("trang", None)
    return render(
        request,
        "frontend/reports/list.html",
        {
            "rows": rows,
            "page": page,
            "filter_query": filters.urlencode(),
            "statuses": list(STATUS_LABELS.items()),
            "status": status_filter,
            "year": year,
            "years": list(range(today.year, today.year - 10, -1)),
            "entries": _entry_rows(profile, scope, forms_by_index or {}),
            "today": today,
        },
        status=status,
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def report_list(request):
    if request.method == "GET":
        return _list_page(request)
    # "Lập báo cáo theo yêu cầu": one entry's form, named by its key.
    key = request.POST.get("entry", "")[:64]
    entry = selectors.entry_by_key(current_profile(), key)
    scope = selectors.DraftScope(request.user)
    if entry is None or entry.reporting.cadence not in selectors.ON_DEMAND_CADENCES:
        raise BadRequest("entry: not an entry drafted on request")
    if not scope.entry(entry):
        return _forbidden(request, _("Bạn không được giao lập báo cáo này."))
    form = OnRequestForm(request.POST, entry=entry, scope=scope)
    if not form.is_valid():
        return _list_page(request, forms_by_index={entry.index: form}, status=400)
    data = form.cleaned_data
    agency = form.agency_objects[data["agency"]] if "agency" in form.fields else None
    site = form.site_objects[data["site"]] if "site" in form.fields else None
    try:
        report = services.draft_on_request(
            entry_key=entry.key,
            start=data["start"],
            end=data["end"],
            agency=agency,
            site=site,
            actor=request.user,
        )
    except ServiceError as error:
        add_service_error(form, error)
        return _list_page(request, forms_by_index={entry.index: form}, status=http_status(error))
    messages.success(request, _("Đã lập dự thảo: %(title)s.") % {"title": report.title})
    return redirect("frontend:staff_report", pk=report.pk)


# --- one report ------------------------------------------------------------------------------


def _visible(request, pk: int) -> Report:
    try:
        return selectors.report_for(request.user, pk)
    except (Report.DoesNotExist, ServiceError):
        raise Http404 from None


def _forbidden(request, message: str):
    return render(request, "frontend/reports/forbidden.html", {"message": message}, status=403)


def _trail(report: Report) -> dict | None:
    if report.status != Report.Status.SIGNED_OFF or report.signed_off_at is None:
        return None
    holder = report.signed_off_on_behalf_of
    signer = report.signed_off_by
    return {
        # The account's full name when it still exists; the name kept on the report else.
        "name": getattr(signer, "full_name", "") or report.signed_off_name,
        "at": report.signed_off_at.astimezone(TZ),
        "on_behalf_of": (getattr(holder, "full_name", "") or holder.get_username())
        if holder
        else "",
        "note": report.sign_off_note,
    }


def _detail_page(request, report: Report, *, form=None, status=200, message=""):
    text = documents.report_sections(report)
    may_sign = report.status == Report.Status.DRAFTED and selectors.can_sign_off(
        request.user, report
    )
    today = today_in_vietnam()
    return render(
        request,
        "frontend/reports/detail.html",
        {
            "report": report,
            "text": text,
            "status_label": STATUS_LABELS.get(report.status, ""),
            "overdue": _overdue(report, today),
            "trail": _trail(report),
            "may_sign": may_sign,
            "may_redraft": report.status == Report.Status.DRAFTED,
            "form": form or (SignOffForm() if may_sign else None),
            "sign": SIGN,
            "redraft": REDRAFT,
            "error_message": message,
            "now": timezone.now(),
        },
        status=status,
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk: int):
    report = _visible(request, pk)
    if request.method == "GET":
        return _detail_page(request, report)
    action = request.POST.get("action", "")
    if action == REDRAFT:
        try:
            services.redraft(report=report, actor=request.user)
        except ServiceError as error:
            return _detail_page(
                request, report, status=http_status(error), message=str(error.message)
            )
        messages.success(request, _("Đã cập nhật số liệu của báo cáo."))
        return redirect("frontend:staff_report", pk=report.pk)
    if action != SIGN:
        raise BadRequest("action: not one of the page's actions")
    if report.status == Report.Status.DRAFTED and not selectors.can_sign_off(request.user, report):
        return _forbidden(
            request,
            _("Chỉ người giữ vai trò %(role)s (hoặc người được uỷ quyền) ký duyệt báo cáo này.")
            % {"role": _role_name(report)},
        )
    form = SignOffForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, report, form=form, status=400)
    try:
        services.sign_off(report=report, actor=request.user, note=form.cleaned_data["note"])
    except ServiceError as error:
        if http_status(error) == 403:
            return _forbidden(request, str(error.message))
        add_service_error(form, error)
        return _detail_page(
            request, report, form=form, status=http_status(error), message=str(error.message)
        )
    messages.success(request, _("Đã ký duyệt báo cáo. Báo cáo đã được lưu trữ."))
    return redirect("frontend:staff_report", pk=report.pk)


def _role_name(report: Report) -> str:
    role = current_profile().governance.role(report.role_code)
    return role.name if role is not None else _("được quy chế giao")


def download_name(report: Report, extension: str) -> str:
    """An ASCII file name from the title: "bao-cao-tinh-hinh-...-thang-11-2026.docx"."""
    stem = slugify(fold(report.title))[:100].strip("-") or f"bao-cao-{report.pk}"
    return f"{stem}.{extension}"


@never_cache
@staff_required
@require_GET
def report_download(request, pk: int, kind: str):
    if kind not in FILES:
        raise Http404
    report = _visible(request, pk)
    field_name, content_type, render_bytes = FILES[kind]
    stored = getattr(report, field_name)
    if stored.name and stored.storage.exists(stored.name):
        with stored.storage.open(stored.name, "rb") as handle:
            content = handle.read()
    else:  # not written (yet): the same document, made now from the report's snapshot
        content = render_bytes(report)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{download_name(report, kind)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
