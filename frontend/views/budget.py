"""The portal's costs in the back office (/staff/kinh-phi/, issue 14, Must have 3): the budget
owner the profile names, with its article (Thái Nguyên Art. 16(2)(g), 23; Huế Art. 6(1)), the
cost lines of a range of months each naming who pays, totals by category and, where each agency
pays for its own site, by agency; a form to add a line and a correction per line, for those
`reports.budget.may_record_cost` lets. Writes go through reports.budget's services."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ServiceError
from frontend import staff_filters
from frontend.access import staff_required
from frontend.errors import add_service_error, http_status
from organization.models import Agency
from organization.selectors import agency_list
from provinces.loader import today_in_vietnam
from reports import budget
from reports.models import CostLine

PAGE_SIZE = 50
MAX_MONTHS = 120  # a page shows at most ten years of lines
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_AMOUNT = re.compile(r"^\d{1,3}(\.\d{3})*$|^\d+$")  # 12000000 or 12.000.000 (đồng)


def parse_month(text: str) -> date | None:
    """ "2026-03" → 1 March 2026, within the months a cost may be charged to; else None."""
    match = _MONTH.match((text or "").strip()[:7]) if len(text or "") <= 7 else None
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    month = date(int(match[1]), int(match[2]), 1)
    first, last = budget.month_bounds()
    return month if first <= month <= last else None


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def money(amount: int) -> str:
    """12000000 → "12.000.000" (Vietnamese groups thousands with dots)."""
    sign = "−" if amount < 0 else ""
    return sign + f"{abs(amount):,}".replace(",", ".")


class MonthField(forms.Field):
    """A month written YYYY-MM (what <input type="month"> sends), as its first day."""

    default_error_messages = {
        "invalid": gettext_lazy("Tháng không hợp lệ (viết theo dạng năm-tháng, ví dụ 2026-03)."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        month = parse_month(str(value)) if len(str(value)) <= 7 else None
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "maxlength": "7"}


class RangeForm(forms.Form):
    tu = MonthField(label=gettext_lazy("Từ tháng"), required=False)
    den = MonthField(label=gettext_lazy("Đến tháng"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("tu"), data.get("den")
        if start and end:
            if end < start:
                self.add_error("den", _("Tháng cuối phải sau tháng đầu."))
            elif months_between(start, end) > MAX_MONTHS:
                self.add_error("den", _("Mỗi lần xem tối đa %(n)d tháng.") % {"n": MAX_MONTHS})
        return data


class CostForm(forms.Form):
    month = MonthField(
        label=gettext_lazy("Tháng chi"),
        error_messages={"required": gettext_lazy("Hãy nhập tháng chi.")},
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Khoản mục"),
        choices=CostLine.Category.choices,
        error_messages={"invalid_choice": gettext_lazy("Hãy chọn một khoản mục trong danh sách.")},
    )
    description = forms.CharField(
        label=gettext_lazy("Nội dung chi"),
        max_length=budget.MAX_DESCRIPTION,
        error_messages={"required": gettext_lazy("Hãy nhập nội dung chi.")},
    )
    amount = forms.CharField(
        label=gettext_lazy("Số tiền (đồng)"),
        max_length=20,
        error_messages={"required": gettext_lazy("Hãy nhập số tiền.")},
    )
    agency = forms.TypedChoiceField(
        label=gettext_lazy("Cơ quan chịu khoản chi"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": gettext_lazy("Hãy chọn một cơ quan trong danh sách.")},
    )
    reference = forms.CharField(
        label=gettext_lazy("Số hợp đồng, chứng từ"),
        max_length=budget.MAX_REFERENCE,
        required=False,
    )

    def __init__(self, *args, agencies=None, split=False, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is None:
            self.fields.pop("agency")
        else:
            self.fields["agency"].choices = [("", _("— Chọn cơ quan —"))] + [
                (a.pk, a.name) for a in agencies
            ]
            self.fields["agency"].required = split

    def clean_amount(self) -> int:
        text = self.cleaned_data["amount"].replace(" ", "")
        if not _AMOUNT.match(text):
            raise forms.ValidationError(
                _("Số tiền là số nguyên dương, tính bằng đồng (ví dụ 12.000.000)."),
                code="invalid",
            )
        amount = int(text.replace(".", ""))
        if not 0 < amount <= budget.MAX_AMOUNT:
            raise forms.ValidationError(
                _("Số tiền phải lớn hơn 0 và không quá 1.000 tỷ đồng."), code="out_of_range"
            )
        return amount


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do điều chỉnh"),
        max_length=budget.MAX_REASON,
        error_messages={"required": gettext_lazy("Hãy nêu lý do điều chỉnh.")},
    )


def _month_page(line: CostLine) -> str:
    """The costs page showing the month of `line`."""
    month = f"{line.month:%Y-%m}"
    return f"{reverse('frontend:staff_budget')}?tu={month}&den={month}"


def _default_range() -> tuple[date, date]:
    today = today_in_vietnam()
    return date(today.year, 1, 1), date(today.year, today.month, 1)


def _agencies_for(user, in_force: budget.BudgetInForce) -> list[Agency] | None:
    """The agencies the add form offers (None: no agency field, the province pays)."""
    if not in_force.split_by_agency:
        return None
    allowed = budget.cost_agencies_for(user, budget=in_force)
    agencies = list(agency_list())
    return agencies if allowed is None else [a for a in agencies if a.pk in allowed]


def _page(request, *, form=None, range_form=None, status=200):
    in_force = budget.budget_in_force()
    range_form = range_form or RangeForm(request.GET or None)
    start, end = _default_range()
    if range_form.is_bound and range_form.is_valid():
        start = range_form.cleaned_data.get("tu") or start
        end = range_form.cleaned_data.get("den") or max(start, end)
        if end < start or months_between(start, end) > MAX_MONTHS:
            start, end = _default_range()
    elif range_form.is_bound:
        status = max(status, 400)
    number = staff_filters.page_number(request, "trang")
    lines = budget.cost_lines(start_month=start, end_month=end)
    page = Paginator(lines, PAGE_SIZE).get_page(number)
    may_add = budget.may_record_cost(request.user, budget=in_force)
    agencies = _agencies_for(request.user, in_force)
    if form is None and may_add:
        form = CostForm(
            agencies=agencies,
            split=in_force.split_by_agency,
            initial={"month": f"{today_in_vietnam():%Y-%m}"},
        )
    allowed = budget.cost_agencies_for(request.user, budget=in_force)
    totals = budget.cost_totals(start_month=start, end_month=end)
    rows = [
        {
            "line": line,
            "amount": money(line.amount),
            "may_correct": line.corrects_id is None
            and not line.correction_count
            and (allowed is None or line.agency_id in allowed),
        }
        for line in page
    ]
    filters = request.GET.copy()
    filters.pop("trang", None)
    return render(
        request,
        "frontend/budget/costs.html",
        {
            "budget": in_force,
            "start": start,
            "end": end,
            "range_form": range_form,
            "rows": rows,
            "page": page,
            "filter_query": filters.urlencode(),
            "totals": totals,
            "total": money(totals.total),
            "by_category": [(t.label, money(t.amount)) for t in totals.by_category],
            "by_agency": [(t.label, money(t.amount)) for t in totals.by_agency]
            if totals.by_agency is not None
            else None,
            "form": form if may_add else None,
            "correction_form": CorrectionForm(),
        },
        status=status,
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def costs(request):
    if request.method == "GET":
        return _page(request)
    in_force = budget.budget_in_force()
    if not budget.may_record_cost(request.user, budget=in_force):
        raise PermissionDenied(_("Bạn không có quyền ghi khoản chi."))
    agencies = _agencies_for(request.user, in_force)
    form = CostForm(request.POST, agencies=agencies, split=in_force.split_by_agency)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    data = form.cleaned_data
    agency = None
    if data.get("agency") is not None:
        agency = next(a for a in agencies or [] if a.pk == data["agency"])
    try:
        line = budget.cost_add(
            actor=request.user,
            month=data["month"],
            category=data["category"],
            description=data["description"],
            amount=data["amount"],
            agency=agency,
            reference=data.get("reference") or "",
        )
    except ServiceError as error:
        add_service_error(form, error)
        return _page(request, form=form, status=http_status(error))
    messages.success(
        request,
        _("Đã ghi khoản chi %(amount)s đồng, tháng %(month)s, cho %(owner)s.")
        % {
            "amount": money(line.amount),
            "month": f"{line.month:%m/%Y}",
            "owner": line.budget_owner,
        },
    )
    return redirect(f"{request.path}?tu={line.month:%Y-%m}&den={line.month:%Y-%m}")


@never_cache
@staff_required
@require_POST
def cost_correct(request, pk: int):
    line = budget.cost_line(pk=pk)
    if line is None:
        raise Http404
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["reason"]))
        return _page(request, status=400)
    try:
        budget.correct_cost(line=line, reason=form.cleaned_data["reason"], actor=request.user)
    except ServiceError as error:
        if http_status(error) == 403:
            raise PermissionDenied(str(error.message)) from None
        messages.error(request, str(error.message))
        return _page(request, status=http_status(error))
    messages.success(request, _("Đã ghi dòng điều chỉnh cho khoản chi #%(pk)d.") % {"pk": line.pk})
    return redirect(
        f"{reverse('frontend:staff_budget')}?tu={line.month:%Y-%m}&den={line.month:%Y-%m}"
    )
