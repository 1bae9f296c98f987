"""The operator console's rule profiles (platform host, issue 15): the versions waiting for a
second operator, each province's versions, an upload (a .toml file or the text pasted) refused
with its problems by field path, a version's page with its diff against the version before,
its review by another operator (four eyes: the author cannot approve their own) and its export.

Every write goes through tenants.profile_versions; this layer only reads and renders."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ServiceError
from frontend.errors import http_status, service_message
from tenants.models import ProfileVersion
from tenants.profile_versions import (
    NEW_PROVINCE,
    PROFILE_SUFFIX,
    ProfileVersionError,
    upload_text,
    version_approve,
    version_export,
    version_get,
    version_history,
    version_list,
    version_reject,
    version_submit,
    version_withdrawn,
)
from tenants.selectors import province_list

MAX_ID = 2**63 - 1
MAX_SLUG_LENGTH = 40  # ProfileVersion.slug
MAX_PROFILE_BYTES = 256 * 1024  # an uploaded or pasted profile (the shipped ones are ~30 KiB)
MAX_REASON_LENGTH = 2000
MAX_VALUE_CHARS = 2000  # of one value shown in a diff's cell
FORM_FIELDS = ("file", "text", "past_reason")


def _operator(request) -> None:
    # Ministry operators only (public schema accounts with the staff flag), as the console.
    if not request.user.is_staff:
        raise PermissionDenied


def _version_or_404(pk: int) -> ProfileVersion:
    if not 0 < pk <= MAX_ID:
        raise Http404
    try:
        return version_get(pk)
    except (ServiceError, ObjectDoesNotExist) as error:
        raise Http404 from error


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp hồ sơ quy chế (.toml)"),
        required=False,
        help_text=_("Tối đa 256 KiB, mã hoá UTF-8."),
    )
    text = forms.CharField(
        label=_("Hoặc dán nội dung hồ sơ quy chế"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        strip=False,
        max_length=MAX_PROFILE_BYTES,
    )
    past_reason = forms.CharField(
        label=_("Lý do ngày hiệu lực đã qua (nếu có)"),
        required=False,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Chỉ cần khi ngày hiệu lực của phiên bản đã qua: lý do được ghi lại và người duyệt "
            "sẽ đọc."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        try:
            return upload_text(upload)
        except ProfileVersionError as error:
            raise forms.ValidationError(str(error.message)) from None

    def clean_text(self):
        text = self.cleaned_data.get("text") or ""
        if "\x00" in text:
            raise forms.ValidationError(_("Nội dung không được chứa ký tự NUL."))
        if len(text.encode("utf-8")) > MAX_PROFILE_BYTES:
            raise forms.ValidationError(_("Hồ sơ quy chế dài tối đa 256 KiB."))
        return text

    def clean_past_reason(self):
        reason = (self.cleaned_data.get("past_reason") or "").strip()
        if "\x00" in reason:
            raise forms.ValidationError(_("Nội dung không được chứa ký tự NUL."))
        return reason

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        uploaded, pasted = data.get("file") or "", data.get("text") or ""
        if uploaded and pasted.strip():
            raise forms.ValidationError(_("Tải lên một tệp hoặc dán nội dung, không cả hai."))
        if not uploaded and not pasted.strip():
            raise forms.ValidationError(_("Hãy chọn tệp .toml hoặc dán nội dung hồ sơ quy chế."))
        data["profile_text"] = uploaded or pasted
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do từ chối"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi lý do từ chối.")},
    )

    def __init__(self, *args, withdraw: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if withdraw:  # the author's own rejection: a withdrawal, recorded as such
            self.fields["reason"].label = _("Lý do rút lại")
            self.fields["reason"].error_messages["required"] = _("Hãy ghi lý do rút lại.")


def problems_of(error: ServiceError) -> list[dict[str, str]]:
    """A refusal's problems for people: each field path with its reason; the refusal's own
    message when it names no field."""
    problems = [
        {"path": path, "reason": reason}
        for path, reasons in error.field_errors().items()
        for reason in reasons
    ]
    return problems or [{"path": "", "reason": service_message(error)}]


def _shown(value: Any) -> str:
    """A profile value as an operator reads it in the diff (a list or table as JSON)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def diff_rows(version: ProfileVersion) -> list[dict[str, str]]:
    """The version's changes against the version before, one row per field (none for a new
    province: its page says so)."""
    rows = []
    for change in version.diff or []:
        if not isinstance(change, dict) or _new_province(change):
            continue
        rows.append(
            {
                "path": str(change.get("path", "")),
                "before": _shown(change.get("before")),
                "after": _shown(change.get("after")),
                "source_before": str(change.get("source_before") or ""),
                "source_after": str(change.get("source_after") or ""),
            }
        )
    return rows


def _new_province(change: dict) -> bool:
    return not change.get("path") and change.get("after") == NEW_PROVINCE


def _mine(version: ProfileVersion, user) -> bool:
    return version.author_id is not None and version.author_id == user.pk


def _province_names() -> dict[str, str]:
    return {province.slug: province.name for province in province_list()}


def _name_of(version: ProfileVersion, names: dict[str, str]) -> str:
    # A province not onboarded yet is named by its own profile.
    if version.slug in names:
        return names[version.slug]
    province = (version.data or {}).get("province") if isinstance(version.data, dict) else None
    name = province.get("name") if isinstance(province, dict) else None
    return str(name) if name else version.slug


def download_name(version: ProfileVersion) -> str:
    """ "<slug>-<effective date>.toml": the file a download saves."""
    return f"{version.slug}-{version.effective_from.isoformat()}{PROFILE_SUFFIX}"


# --- pages -------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profiles_home(request):
    """The versions waiting for review, each province's versions, and the upload form; a POST
    submits an upload (400 with the problems by field path, nothing stored)."""
    _operator(request)
    problems: list[dict[str, str]] = []
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                version = version_submit(
                    text=form.cleaned_data["profile_text"],
                    operator=request.user,
                    past_reason=form.cleaned_data["past_reason"],
                )
            except ServiceError as error:
                problems = problems_of(error)
                status = http_status(error)
            else:
                messages.success(
                    request,
                    _(
                        "Đã gửi hồ sơ quy chế %(slug)s có hiệu lực từ %(date)s; chờ một cán bộ vận "
                        "hành khác duyệt."
                    )
                    % {"slug": version.slug, "date": version.effective_from.strftime("%d/%m/%Y")},
                )
                return redirect("frontend:console_profile", pk=version.pk)
        else:
            status = 400
    else:
        form = UploadForm()
    names = _province_names()
    versions = list(version_list())
    waiting = [
        {"version": v, "name": _name_of(v, names), "mine": _mine(v, request.user)}
        for v in versions
        if v.status == ProfileVersion.Status.SUBMITTED
    ]
    by_province: dict[str, list[ProfileVersion]] = {}
    for version in sorted(versions, key=lambda v: (v.effective_from, v.pk), reverse=True):
        by_province.setdefault(version.slug, []).append(version)
    provinces = [
        {"slug": slug, "name": _name_of(rows[0], names), "versions": rows}
        for slug, rows in sorted(by_province.items())
    ]
    context = {
        "waiting": waiting,
        "provinces": provinces,
        "form": form,
        "problems": problems,
        "max_bytes": MAX_PROFILE_BYTES,
    }
    return render(request, "frontend/console/profiles/home.html", context, status=status)


@never_cache
@login_required
def profile_detail(
    request, pk: int, *, reject_form=None, refusal=None, onboarding=None, status=200
):
    """One version: what it is, its review, its diff against the version before, its text; the
    approve and reject forms for an operator who is not its author while it waits."""
    _operator(request)
    version = _version_or_404(pk)
    mine = _mine(version, request.user)
    waiting = version.status == ProfileVersion.Status.SUBMITTED
    context = {
        "version": version,
        "name": _name_of(version, _province_names()),
        "diff": diff_rows(version),
        "new_province": any(
            isinstance(change, dict) and _new_province(change) for change in version.diff or []
        ),
        "withdrawn": version_withdrawn(version),
        "mine": mine,
        "waiting": waiting,
        "reviewable": waiting and not mine,
        "reject_form": reject_form or RejectForm(withdraw=mine),
        "refusal": refusal,
        "onboarding": onboarding,
    }
    return render(request, "frontend/console/profiles/version.html", context, status=status)


@never_cache
@login_required
def profile_history(request, slug: str):
    """Every version of one province, newest effective date first."""
    _operator(request)
    slug = slug[:MAX_SLUG_LENGTH]
    versions = list(version_history(slug))
    names = _province_names()
    if not versions and slug not in names:
        raise Http404
    name = _name_of(versions[0], names) if versions else names[slug]
    context = {"slug": slug, "name": name, "versions": versions}
    return render(request, "frontend/console/profiles/history.html", context)


@never_cache
@login_required
def profile_export(request, pk: int):
    """The version's TOML, as it was uploaded, as a file to keep (in a repository too)."""
    _operator(request)
    version = _version_or_404(pk)
    _path, text = version_export(version=version)
    response = HttpResponse(text, content_type="application/toml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{download_name(version)}"'
    return response


# --- actions (POST, CSRF) ----------------------------------------------------------------


@require_POST
@login_required
def profile_approve(request, pk: int):
    _operator(request)
    version = _version_or_404(pk)
    try:
        approved = version_approve(version=version, operator=request.user)
    except ServiceError as error:
        # The author approving their own, or a version already decided: 403/409 with why.
        return profile_detail(
            request, pk, refusal=service_message(error), status=http_status(error)
        )
    messages.success(request, _("Đã duyệt phiên bản hồ sơ quy chế."))
    onboarding = getattr(approved, "onboarding", None)
    if onboarding is not None and onboarding.admin_secret:
        # A new province was onboarded: its administrator's one-time secret is shown here,
        # once, to the approver (never stored, never in a redirect's session).
        return profile_detail(request, pk, onboarding=onboarding)
    return redirect("frontend:console_profile", pk=version.pk)


@require_POST
@login_required
def profile_reject(request, pk: int):
    _operator(request)
    version = _version_or_404(pk)
    mine = _mine(version, request.user)
    form = RejectForm(request.POST, withdraw=mine)
    if not form.is_valid():
        return profile_detail(request, pk, reject_form=form, status=400)
    try:
        version_reject(version=version, operator=request.user, reason=form.cleaned_data["reason"])
    except ServiceError as error:
        return profile_detail(
            request,
            pk,
            reject_form=form,
            refusal=service_message(error),
            status=http_status(error),
        )
    if mine:
        messages.success(request, _("Đã rút lại phiên bản hồ sơ quy chế."))
    else:
        messages.success(request, _("Đã từ chối phiên bản hồ sơ quy chế."))
    return redirect("frontend:console_profile", pk=version.pk)
