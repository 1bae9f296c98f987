"""The staff second factor's pages (ADR 0022): the code asked after the password, enrolment of
an authenticator app (QR code, secret for typing, ten recovery codes shown once), and the
account's own "Bảo mật tài khoản" page, where the recovery codes are renewed.

After the password, an account with an authenticator is NOT signed in: the session keeps a
signed, five-minute note of who typed the right password (`PENDING_KEY`), and only a right
code completes the sign-in with `django.contrib.auth.login` (whose signal records it in the
audit). Five wrong codes drop the note: the password is asked again. The same views serve a
province's hosts (under /staff/) and the platform host's operator console."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import quote, urlencode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import connection
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts.models import User
from accounts.second_factor import (
    CODE_MAX_LENGTH,
    RECOVERY_CODE_COUNT,
    SecondFactorError,
    device_for,
    enrolment_confirm,
    enrolment_start,
    recovery_codes_left,
    recovery_codes_renew,
    second_factor_check,
    second_factor_state,
)
from config.client import client_address
from frontend.errors import add_service_error

PENDING_KEY = "two_factor_pending"
FAILURES_KEY = "two_factor_failures"
PENDING_SALT = "frontend.two_factor.pending"
# ASVS 5.0 V6.6: the note of a passed password lives five minutes; five wrong codes drop it.
PENDING_MAX_AGE = 5 * 60
MAX_FAILURES = 5
# Few recovery codes left: the security page and the sign-in say to renew them.
RECOVERY_LOW = 3


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Mã xác thực"),
        max_length=CODE_MAX_LENGTH,
        error_messages={
            "required": gettext_lazy("Hãy nhập mã xác thực."),
            "max_length": gettext_lazy("Mã xác thực dài tối đa %(limit_value)d ký tự."),
        },
    )


# --- the step after the password -----------------------------------------------------------


def pending_start(request, user: User, *, next_url: str):
    """The password was right and the account has an authenticator: remember who, for five
    minutes, without signing in, and ask for the code."""
    request.session[PENDING_KEY] = signing.dumps(
        {
            "user": user.pk,
            "schema": connection.schema_name,
            "backend": getattr(user, "backend", ""),
            "next": next_url,
        },
        salt=PENDING_SALT,
    )
    request.session[FAILURES_KEY] = 0
    return redirect("frontend:two_factor_verify")


def _pending(request) -> dict | None:
    token = request.session.get(PENDING_KEY)
    if not token:
        return None
    try:
        data = signing.loads(token, salt=PENDING_SALT, max_age=PENDING_MAX_AGE)
    except signing.BadSignature:  # expired too
        _pending_drop(request)
        return None
    if not isinstance(data, dict) or data.get("schema") != connection.schema_name:
        _pending_drop(request)
        return None
    return data


def _pending_drop(request) -> None:
    request.session.pop(PENDING_KEY, None)
    request.session.pop(FAILURES_KEY, None)


def _after_sign_in(user: User, next_url: str):
    if getattr(user, "must_change_password", False):
        return redirect("frontend:password_change")
    return redirect(next_url or "frontend:staff_home")


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """The page "Nhập mã xác thực": the code of the authenticator, or a recovery code. Serves the
    step after the password and a signed-in session that has not given its code (one begun
    before the account enrolled elsewhere)."""
    if request.user.is_authenticated:
        if request.user.is_verified() or device_for(request.user) is None:
            return redirect("frontend:staff_home")
        user, pending = request.user, None
    else:
        pending = _pending(request)
        user = User.objects.filter(pk=pending["user"], is_active=True).first() if pending else None
        if user is None:
            _pending_drop(request)
            messages.info(request, _("Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại."))
            return redirect("frontend:login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                verification = second_factor_check(
                    user=user, code=form.cleaned_data["code"], address=client_address(request)
                )
            except SecondFactorError as error:
                if error.code == "not_enrolled":
                    # Removed by an administrator meanwhile: start again from the password.
                    return _give_up(request, pending)
                add_service_error(form, error)
                status = 429 if error.code == "throttled" else 400
                failures = request.session.get(FAILURES_KEY, 0) + 1
                request.session[FAILURES_KEY] = failures
                if failures >= MAX_FAILURES:
                    return _give_up(request, pending, too_many=True)
            else:
                return _verified(request, user, pending, verification)
    return render(
        request,
        "frontend/staff/two_factor_verify.html",
        {
            "form": form,
            "attempts_left": MAX_FAILURES - request.session.get(FAILURES_KEY, 0),
        },
        status=status,
    )


def _verified(request, user: User, pending: dict | None, verification):
    next_url = pending["next"] if pending else ""
    if pending is not None:
        _pending_drop(request)
        # django-otp's receiver of user_logged_in marks the session verified by this device;
        # the audit's receiver records the sign-in.
        user.otp_device = verification.device  # type: ignore[attr-defined]
        auth_login(request, user, backend=pending.get("backend") or None)
    else:
        request.session.pop(FAILURES_KEY, None)
        otp_login(request, verification.device)
    if verification.by_recovery_code:
        left = verification.recovery_codes_left
        if left <= RECOVERY_LOW:
            messages.warning(
                request,
                _(
                    "Bạn vừa dùng một mã khôi phục; chỉ còn %(left)d mã. Hãy tạo lại mã khôi "
                    "phục ở trang Bảo mật tài khoản."
                )
                % {"left": left},
            )
        else:
            messages.info(
                request,
                _("Bạn vừa dùng một mã khôi phục; còn %(left)d mã chưa dùng.") % {"left": left},
            )
    return _after_sign_in(user, next_url)


def _give_up(request, pending: dict | None, *, too_many: bool = False):
    _pending_drop(request)
    if pending is None:
        auth_logout(request)
    if too_many:
        messages.error(
            request,
            _("Bạn đã nhập sai mã xác thực quá nhiều lần. Hãy đăng nhập lại từ đầu."),
        )
    else:
        messages.info(request, _("Hãy đăng nhập lại."))
    return redirect("frontend:login")


# --- enrolment -------------------------------------------------------------------------------


def _issuer(request) -> str:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == "public":
        return _("Nền tảng Cổng thông tin điện tử các tỉnh")
    return tenant.portal_name or tenant.name


def provisioning_uri(device, *, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code (Key URI Format)."""
    label = f"{issuer.replace(':', '')}:{device.user.get_username()}"
    params = urlencode(
        {
            "secret": b32encode(device.bin_key).decode().rstrip("="),
            "issuer": issuer.replace(":", ""),
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{quote(label)}?{params}"


def secret_groups(device) -> str:
    """The secret for typing by hand: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@sensitive_variables()
def _qr_svg(uri: str) -> str:
    # Drawn here as inline SVG: the secret never goes to an image service.
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff", omitsize=False
    )
    return mark_safe(  # noqa: S308 - segno's own SVG markup, no user text in it
        svg.replace(
            "<svg ",
            format_html('<svg role="img" aria-label="{}" ', _("Mã QR để quét bằng ứng dụng")),
            1,
        )
    )


@sensitive_variables()
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Enrolment: scan the QR code (or type the secret), confirm with a code the app shows,
    then read the ten recovery codes, shown this once."""
    state = second_factor_state(request.user)
    if state.enrolled:
        return redirect("frontend:two_factor_security")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                codes = enrolment_confirm(
                    user=request.user,
                    code=form.cleaned_data["code"],
                    address=client_address(request),
                )
            except SecondFactorError as error:
                add_service_error(form, error)
                status = 429 if error.code == "throttled" else 400
            else:
                # This session is the one that proved to hold the authenticator.
                otp_login(request, device_for(request.user))
                return _codes_page(request, codes, enrolled=True)
    device = enrolment_start(user=request.user)
    return render(
        request,
        "frontend/staff/two_factor_enrol.html",
        {
            "form": form,
            "required": state.required,
            "qr_svg": _qr_svg(provisioning_uri(device, issuer=_issuer(request))),
            "secret": secret_groups(device),
            "issuer": _issuer(request),
        },
        status=status,
    )


@sensitive_variables()
def _codes_page(request, codes: list[str], *, enrolled: bool):
    # Rendered in the response to the POST that made them; never kept in clear, never again.
    return render(
        request,
        "frontend/staff/two_factor_codes.html",
        {"codes": codes, "enrolled": enrolled, "count": RECOVERY_CODE_COUNT},
    )


# --- the account's security page -------------------------------------------------------------


@never_cache
@login_required
def security(request):
    """The page "Bảo mật tài khoản": whether the account has a second factor, must have one,
    and how many recovery codes remain; renew them here."""
    state = second_factor_state(request.user)
    return _security_page(request, state=state, form=CodeForm())


def _security_page(request, *, state, form, status: int = 200):
    left = recovery_codes_left(request.user) if state.enrolled else 0
    return render(
        request,
        "frontend/staff/two_factor_security.html",
        {
            "state": state,
            "form": form,
            "codes_left": left,
            "codes_low": state.enrolled and left <= RECOVERY_LOW,
            "count": RECOVERY_CODE_COUNT,
        },
        status=status,
    )


@sensitive_variables()
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@login_required
@require_POST
def recovery_renew(request):
    """The action "Tạo lại mã khôi phục": a new set after a code of the authenticator."""
    form = CodeForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            codes = recovery_codes_renew(
                user=request.user, code=form.cleaned_data["code"], address=client_address(request)
            )
        except SecondFactorError as error:
            add_service_error(form, error)
            status = 429 if error.code == "throttled" else 400
        else:
            return _codes_page(request, codes, enrolled=False)
    return _security_page(
        request, state=second_factor_state(request.user), form=form, status=status
    )
