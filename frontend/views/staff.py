"""Staff sign-in, sign-out, first-login password change and the staff home page.

The same views serve a province's hosts (under /staff/) and the platform host's operator
console (at its root): only the URL modules differ."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, password_validation, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import second_factor, security
from accounts.services import AccountError, user_change_password
from config.client import client_address
from core import limits
from frontend.errors import add_service_error
from frontend.forms import LoginForm, PasswordChangeForm
from frontend.profiles import profile_for
from frontend.views import two_factor
from organization.selectors import role_assignment_list

# The form field of each field the service names (others: on the form).
SERVICE_FIELDS = {"old_password": "old_password", "new_password": "new_password1"}
# Django's password validators, by code. Django 5.2's Vietnamese catalogue lacks some of its
# messages (the length rule shows in English), so the page words them itself.
PASSWORD_RULE_ERRORS = {
    "password_too_short": gettext_lazy("Mật khẩu mới quá ngắn: cần ít nhất %(min_length)d ký tự."),
    "password_too_common": gettext_lazy("Mật khẩu mới quá phổ biến, dễ bị đoán ra."),
    "password_entirely_numeric": gettext_lazy("Mật khẩu mới không được chỉ gồm chữ số."),
    "password_too_similar": gettext_lazy("Mật khẩu mới quá giống %(verbose_name)s của bạn."),
}


def _password_rule_errors(error: ValidationError) -> list[str]:
    messages_ = []
    for item in error.error_list:
        template = PASSWORD_RULE_ERRORS.get(item.code or "")
        if template is None:
            messages_.extend(item.messages)
        else:
            params = {key: str(value).lower() for key, value in (item.params or {}).items()}
            params["min_length"] = (item.params or {}).get("min_length", 0)
            messages_.append(str(template) % params)
    return messages_


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _wrong_passwords(request, *, username: str) -> tuple[limits.Counter, limits.Counter]:
    """Wrong passwords counted by the core's limiter: per account of this province (its schema,
    whichever of its hosts is tried) and per address across the platform, so that spreading
    attempts over several provinces does not reset it."""
    account = unicodedata.normalize("NFC", username).strip().casefold()
    return (
        limits.counter("accounts.sign_in_account", who=account, province=connection.schema_name),
        limits.counter("accounts.sign_in_address", who=client_address(request), province=None),
    )


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    status = 200
    blocked = False
    if request.method == "POST":
        typed = request.POST.get("username", "")
        # The lockout (accounts.security, ADR 0022): an account is not held by failures typed
        # elsewhere at an address it has signed in from before.
        lockout = security.lockout_for(request, username=typed)
        if lockout.blocked():
            security.record_blocked(request, username=typed, lockout=lockout)
            blocked, status = True, 429
        elif form.is_valid():
            user = authenticate(
                request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
            if user is None:
                # authenticate() sent user_login_failed: the failure is in the audit.
                lockout.hit()
                form.add_error(None, _("Tên đăng nhập hoặc mật khẩu không đúng."))
            else:
                lockout.reset()
                # The second factor before the session is signed in (ADR 0022): an account
                # with an authenticator gives its code on the next page, which signs it in.
                if second_factor.device_for(user) is not None:
                    return two_factor.pending_start(request, user, next_url=_next_url(request))
                auth_login(request, user)
                if getattr(user, "must_change_password", False):
                    return redirect("frontend:password_change")
                return redirect(_next_url(request))
    window = limits.LIMITS["accounts.sign_in_account"].window()
    response = render(
        request,
        "frontend/staff/login.html",
        {
            "form": form,
            "blocked": blocked,
            "window_minutes": window // 60,
            "next": request.POST.get("next") or request.GET.get("next") or "",
        },
        status=status,
    )
    if blocked:
        response["Retry-After"] = str(window)
    return response


@require_POST
@csrf_protect
def logout(request):
    auth_logout(request)
    messages.info(request, _("Bạn đã đăng xuất."))
    return redirect("frontend:login")


@sensitive_post_parameters()
@csrf_protect
@never_cache
@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        account, address = _wrong_passwords(request, username=request.user.get_username())
        if account.blocked() or address.blocked():
            # Guessing the current password from a left-open session counts as guessing it
            # at the sign-in form.
            form.add_error(None, _("Quá nhiều lần nhập sai mật khẩu. Hãy thử lại sau."))
            status = 429
        elif form.is_valid():
            try:
                user = user_change_password(
                    user=request.user,
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password1"],
                )
            except AccountError as error:
                if error.code == "wrong_password":
                    account.hit()
                    address.hit()
                add_service_error(form, error, field_map=SERVICE_FIELDS)
            except ValidationError as error:
                for message in _password_rule_errors(error):
                    form.add_error("new_password1", message)
            else:
                # Keep this session signed in; every other session of the user ends.
                update_session_auth_hash(request, user)
                security.record_password_changed(request, user)
                messages.success(request, _("Đã đổi mật khẩu."))
                return redirect("frontend:staff_home")
    return render(
        request,
        "frontend/staff/password_change.html",
        {
            "form": form,
            "must_change": request.user.must_change_password,
            "password_help_texts": password_validation.password_validators_help_texts(),
        },
        status=status,
    )


@login_required
def staff_home(request):
    assignments = [
        {
            "role": assignment.role.name,
            "code": assignment.role.code,
            "scope": assignment.role.get_scope_display(),
            "agency": assignment.agency.name if assignment.agency else None,
            "source": assignment.role.source,
        }
        for assignment in role_assignment_list(user=request.user)
    ]
    profile = profile_for(request)
    # How agencies send content to the board: the regulation's mailbox (Hà Giang Art. 10, Thái
    # Nguyên Art. 9(1), Bắc Kạn Art. 7(1)) and the text encoding (e.g. Thái Nguyên Art. 7(1)).
    sending = (
        {
            "mailbox": profile.language.submission_mailbox,
            "mailbox_source": profile.language.source_of("submission_mailbox"),
            "encoding": profile.language.encoding,
        }
        if profile is not None
        else None
    )
    return render(
        request, "frontend/staff/home.html", {"assignments": assignments, "sending": sending}
    )
