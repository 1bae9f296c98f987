"""The operator console's agency changes (platform host, issue 16): choose a province, list the
changes on a repeated form (rename, merge into another, retire into a successor), "Chạy thử"
shows the plan, "Thực hiện" applies it.

The changes run are exactly those planned: they travel from the plan to the apply in a signed
field (never stored, ten minutes at most), and the apply checks them again against the province
as it is then. Every rule is tenants.agencies'; this layer reads the form and renders."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_tenants.utils import schema_context

from frontend.errors import http_status
from organization.selectors import agency_list
from tenants.agencies import (
    MAX_CHANGES,
    MAX_SHORT_NAME,
    MAX_TEXT,
    AgencyChangeError,
    agency_changes_apply,
    agency_changes_plan,
)
from tenants.selectors import province_list

MAX_SLUG_LENGTH = 40
ROW_CHOICES = (3, 10, 20)  # rows of the form; the service takes up to MAX_CHANGES
SIGNING_SALT = "console.agency_changes"
SIGNED_MAX_AGE = 600  # seconds between the plan and its apply
MAX_SIGNED_CHARS = 512 * 1024
_PATH = re.compile(r"^changes\[(\d+)\]\.?(.*)$")


def _operator(request) -> None:
    # Ministry operators only (public schema accounts with the staff flag), as the console.
    if not request.user.is_staff:
        raise PermissionDenied


def _province_or_404(slug: str):
    province = province_list().filter(slug=slug[:MAX_SLUG_LENGTH]).first()
    if province is None:
        raise Http404
    return province


class ChangeForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Thay đổi"),
        required=False,
        choices=[
            ("", _("(không dùng dòng này)")),
            ("rename", _("Đổi tên")),
            ("merge", _("Hợp nhất vào cơ quan khác")),
            ("retire", _("Giải thể, giao việc cho cơ quan khác")),
        ],
    )
    agency = forms.ChoiceField(label=_("Cơ quan"), required=False)
    target = forms.ChoiceField(label=_("Cơ quan nhận (hợp nhất, giải thể)"), required=False)
    name = forms.CharField(label=_("Tên mới (đổi tên)"), required=False, max_length=MAX_TEXT)
    short_name = forms.CharField(
        label=_("Tên viết tắt mới"), required=False, max_length=MAX_SHORT_NAME
    )
    label = forms.CharField(label=_("Nhãn trang mới (tên miền mới)"), required=False, max_length=63)

    def __init__(self, *args, agencies: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— chọn —")), *agencies]
        self.fields["agency"].choices = choices
        self.fields["target"].choices = choices

    def change(self) -> dict[str, str] | None:
        """The change this row asks for, as the service reads it; None for an unused row."""
        data = self.cleaned_data
        action, agency = data.get("action"), data.get("agency") or ""
        if not action:
            return None
        change = {"action": action, "agency": agency}
        if action == "rename":
            change["name"] = data.get("name") or ""
            for key in ("short_name", "label"):
                if data.get(key):
                    change[key] = data[key]
        else:
            change["into" if action == "merge" else "successor"] = data.get("target") or ""
        return change


def _agencies(province) -> list[tuple[str, str]]:
    with schema_context(province.schema_name):
        return [(agency.name, agency.name) for agency in agency_list().order_by("kind", "name")]


def _formset(province, data=None, rows: int = ROW_CHOICES[0]):
    factory = forms.formset_factory(
        ChangeForm, extra=rows, max_num=MAX_CHANGES, absolute_max=MAX_CHANGES, validate_max=True
    )
    return factory(data, form_kwargs={"agencies": _agencies(province)}, prefix="dong")


def _problems(plan: dict, rows: list[int] | None) -> list[dict[str, str]]:
    """Each problem with the form's row it belongs to (row numbers as the operator sees them)."""
    shown = []
    for problem in plan.get("problems", []):
        match = _PATH.match(problem["path"])
        row = None
        if match:
            index = int(match.group(1))
            row = rows[index] if rows and index < len(rows) else index + 1
        shown.append({"row": row, "message": problem["message"]})
    return shown


def _page(
    request, province, *, formset, plan=None, rows=None, signed="", applied=False, status=200
):
    context = {
        "province": province,
        "formset": formset,
        "plan": plan,
        "problems": _problems(plan, rows) if plan else [],
        "signed": signed,
        "applied": applied,
        "row_choices": ROW_CHOICES,
    }
    return render(request, "frontend/console/agencies/province.html", context, status=status)


# --- pages -------------------------------------------------------------------------------


@never_cache
@login_required
def agencies_home(request):
    """Choose the province whose agencies change."""
    _operator(request)
    return render(
        request, "frontend/console/agencies/home.html", {"provinces": list(province_list())}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def agencies_province(request, slug: str):
    """The repeated form; a POST ("Chạy thử") shows the plan and, when it has no problem, the
    button that applies it."""
    _operator(request)
    province = _province_or_404(slug)
    if request.method == "GET":
        try:
            rows = int(request.GET.get("dong", ROW_CHOICES[0]))
        except ValueError:
            rows = ROW_CHOICES[0]
        rows = rows if rows in ROW_CHOICES else ROW_CHOICES[0]
        return _page(request, province, formset=_formset(province, rows=rows))
    formset = _formset(province, request.POST)
    if not formset.is_valid():
        return _page(request, province, formset=formset, status=400)
    changes, rows = [], []
    for number, form in enumerate(formset.forms, start=1):
        change = form.change()
        if change is not None:
            changes.append(change)
            rows.append(number)
    plan = agency_changes_plan(province=province, changes=changes)
    signed = ""
    if not plan["problems"]:
        signed = signing.dumps(
            {"province": province.slug, "changes": changes, "rows": rows}, salt=SIGNING_SALT
        )
    status = 400 if plan["problems"] else 200
    return _page(
        request, province, formset=formset, plan=plan, rows=rows, signed=signed, status=status
    )


@require_POST
@login_required
def agencies_apply(request, slug: str):
    """ "Thực hiện": the signed changes of the plan shown, checked again and applied in one
    transaction; a refusal shows the problems and stores nothing."""
    _operator(request)
    province = _province_or_404(slug)
    raw = request.POST.get("ke_hoach", "")
    try:
        if len(raw) > MAX_SIGNED_CHARS:
            raise signing.BadSignature
        carried = signing.loads(raw, salt=SIGNING_SALT, max_age=SIGNED_MAX_AGE)
        if not isinstance(carried, dict) or carried.get("province") != province.slug:
            raise signing.BadSignature
    except signing.BadSignature:
        formset = _formset(province)
        plan = {
            "problems": [
                {
                    "path": "",
                    "message": str(
                        _(
                            "Kế hoạch đã hết hạn hoặc không hợp lệ; hãy chạy thử lại rồi mới "
                            "thực hiện."
                        )
                    ),
                }
            ],
            "changes": [],
        }
        return _page(request, province, formset=formset, plan=plan, status=400)
    changes, rows = carried.get("changes", []), carried.get("rows", [])
    try:
        result = agency_changes_apply(province=province, changes=changes, actor=request.user)
    except AgencyChangeError as error:
        plan = error.plan or {
            "problems": [{"path": "", "message": str(error.message)}],
            "changes": [],
        }
        return _page(
            request,
            province,
            formset=_formset(province),
            plan=plan,
            rows=rows,
            status=http_status(error),
        )
    return _page(request, province, formset=_formset(province), plan=result, applied=True)
