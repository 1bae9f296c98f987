"""The province administrator's pages for the agencies' public contacts (/staff/quan-tri/co-quan/):
each agency's address, phone, e-mail, website and English name, and its leaders (add, edit,
hide, remove), as the contacts pages show them (/lien-he/, /en/contacts/).

Same rules as the other administration pages (frontend/views/administration.py): only the
province's administrator opens them; writes go through organization.services; a refusal shows
the form again with the service's message at the field it names (400), never a 500."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from frontend.errors import add_service_error, service_message
from frontend.views.administration import administrator_required
from organization.models import Agency, Leader
from organization.selectors import agency_admin_list, agency_for_contacts, leader_of
from organization.services import (
    MAX_POSITION,
    OrganizationError,
    agency_contacts_update,
    leader_add,
    leader_remove,
    leader_update,
)


def _bounded(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class AgencyContactsForm(forms.Form):
    """The values are checked by agency_contacts_update: its refusal lands on the field."""

    address = forms.CharField(
        label=gettext_lazy("Địa chỉ"), required=False, max_length=_bounded(Agency, "address")
    )
    phone = forms.CharField(
        label=gettext_lazy("Số điện thoại"),
        required=False,
        max_length=_bounded(Agency, "phone"),
        help_text=gettext_lazy("Ví dụ: 0208 3855 123 hoặc +84 208 3855 123."),
    )
    email = forms.CharField(
        label=gettext_lazy("Thư điện tử"), required=False, max_length=_bounded(Agency, "email")
    )
    website = forms.CharField(
        label=gettext_lazy("Trang thông tin điện tử"),
        required=False,
        max_length=_bounded(Agency, "website"),
        help_text=gettext_lazy("Địa chỉ đầy đủ, bắt đầu bằng https:// hoặc http://."),
    )
    english_name = forms.CharField(
        label=gettext_lazy("Tên tiếng Anh"),
        required=False,
        max_length=_bounded(Agency, "english_name"),
        help_text=gettext_lazy(
            "Hiện trên các trang tiếng Anh; để trống thì các trang đó dùng tên tiếng Việt."
        ),
    )


class LeaderForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Họ và tên"),
        max_length=_bounded(Leader, "name"),
        error_messages={"required": gettext_lazy("Hãy nhập họ và tên.")},
    )
    title = forms.CharField(
        label=gettext_lazy("Chức vụ"),
        max_length=_bounded(Leader, "title"),
        help_text=gettext_lazy("Ví dụ: Giám đốc, Phó Chủ tịch UBND huyện."),
        error_messages={"required": gettext_lazy("Hãy nhập chức vụ.")},
    )
    phone = forms.CharField(
        label=gettext_lazy("Số điện thoại"), required=False, max_length=_bounded(Leader, "phone")
    )
    email = forms.CharField(
        label=gettext_lazy("Thư điện tử"), required=False, max_length=_bounded(Leader, "email")
    )
    position = forms.IntegerField(
        label=gettext_lazy("Thứ tự hiển thị"),
        min_value=0,
        max_value=MAX_POSITION,
        required=False,
        help_text=gettext_lazy("Số nhỏ đứng trước; để trống để xếp cuối danh sách."),
        error_messages={
            "invalid": gettext_lazy("Thứ tự phải là một số nguyên."),
            "min_value": gettext_lazy("Thứ tự phải là số không âm."),
            "max_value": gettext_lazy("Thứ tự tối đa là 100000."),
        },
    )


class LeaderEditForm(LeaderForm):
    is_active = forms.BooleanField(label=gettext_lazy("Hiện trên trang Liên hệ"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = True
        self.fields["position"].help_text = gettext_lazy("Số nhỏ đứng trước.")
        self.fields["position"].error_messages["required"] = gettext_lazy(
            "Hãy nhập thứ tự hiển thị."
        )


LEADER_PREFIX = "leader"  # the add form shares its page with the contact form


def _agency_get(pk: int) -> Agency:
    agency = agency_for_contacts(pk=pk)
    if agency is None:
        raise Http404
    return agency


def _leader_get(agency: Agency, leader_pk: int) -> Leader:
    leader = leader_of(agency=agency, pk=leader_pk)
    if leader is None:
        raise Http404
    return leader


def _contacts_initial(agency: Agency) -> dict:
    return {
        "address": agency.address,
        "phone": agency.phone,
        "email": agency.email,
        "website": agency.website,
        "english_name": agency.english_name,
    }


@administrator_required
def agencies(request):
    """Every active agency, with what its contacts page says of it so far."""
    rows = [
        {
            "pk": agency.pk,
            "name": agency.name,
            "kind": agency.get_kind_display(),
            "has_contact": bool(agency.address or agency.phone or agency.email),
            "leader_count": agency.leader_count,
        }
        for agency in agency_admin_list()
    ]
    return render(request, "frontend/administration/agency_list.html", {"rows": rows})


def _agency_page(request, agency: Agency, *, form=None, leader_form=None, error=None, status=200):
    return render(
        request,
        "frontend/administration/agency_contacts.html",
        {
            "agency": agency,
            "form": form or AgencyContactsForm(initial=_contacts_initial(agency)),
            "leader_form": leader_form or LeaderForm(prefix=LEADER_PREFIX),
            "leaders": list(agency.leaders.all()),
            "action_error": error,
        },
        status=status,
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def agency_contacts(request, pk: int):
    agency = _agency_get(pk)
    if request.method != "POST":
        return _agency_page(request, agency)
    form = AgencyContactsForm(request.POST)
    if form.is_valid():
        try:
            agency_contacts_update(agency=agency, acting_user=request.user, **form.cleaned_data)
        except OrganizationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Đã lưu thông tin liên hệ của %(name)s.") % {"name": agency.name}
            )
            return redirect("frontend:staff_admin_agency", pk=agency.pk)
    return _agency_page(request, agency, form=form, status=400)


@administrator_required
@require_POST
def leader_new(request, pk: int):
    agency = _agency_get(pk)
    form = LeaderForm(request.POST, prefix=LEADER_PREFIX)
    if form.is_valid():
        data = form.cleaned_data
        try:
            leader = leader_add(
                agency=agency,
                name=data["name"],
                title=data["title"],
                phone=data["phone"],
                email=data["email"],
                position=data["position"],
                acting_user=request.user,
            )
        except OrganizationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Đã thêm %(name)s.") % {"name": leader.name})
            return redirect("frontend:staff_admin_agency", pk=agency.pk)
    return _agency_page(request, agency, leader_form=form, status=400)


@administrator_required
@require_http_methods(["GET", "POST"])
def leader_edit(request, pk: int, leader_pk: int):
    agency = _agency_get(pk)
    leader = _leader_get(agency, leader_pk)
    if request.method != "POST":
        form = LeaderEditForm(
            initial={
                "name": leader.name,
                "title": leader.title,
                "phone": leader.phone,
                "email": leader.email,
                "position": leader.position,
                "is_active": leader.is_active,
            }
        )
        context = {"agency": agency, "leader": leader, "form": form}
        return render(request, "frontend/administration/agency_leader.html", context)
    form = LeaderEditForm(request.POST)
    if form.is_valid():
        try:
            leader_update(leader=leader, acting_user=request.user, **form.cleaned_data)
        except OrganizationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Đã lưu %(name)s.") % {"name": form.cleaned_data["name"]})
            return redirect("frontend:staff_admin_agency", pk=agency.pk)
    return render(
        request,
        "frontend/administration/agency_leader.html",
        {"agency": agency, "leader": leader, "form": form},
        status=400,
    )


@administrator_required
@require_POST
def leader_delete(request, pk: int, leader_pk: int):
    agency = _agency_get(pk)
    leader = _leader_get(agency, leader_pk)
    try:
        leader_remove(leader=leader, acting_user=request.user)
    except OrganizationError as error:
        return _agency_page(request, agency, error=service_message(error), status=400)
    messages.success(request, _("Đã gỡ %(name)s khỏi danh sách lãnh đạo.") % {"name": leader.name})
    return redirect("frontend:staff_admin_agency", pk=agency.pk)
