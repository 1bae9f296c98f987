"""Writes on accounts: creation with a one-time secret, first-login password change."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unidecode import unidecode

from accounts.models import AuditEntry, User
from core.errors import ErrorKind, ServiceError
from core.profiles import current_profile

ONE_TIME_SECRET_BYTES = 12


class AccountError(ServiceError):
    """A refused account change: code, message, the field to blame, and its kind."""


@dataclass(frozen=True)
class IssuedAccount:
    user: User
    one_time_secret: str | None  # shown once, never stored in clear


def one_time_secret() -> str:
    return secrets.token_urlsafe(ONE_TIME_SECRET_BYTES)


def username_from_full_name(full_name: str, *, rule: str) -> str:
    """Huế Art. 11: initials of the family and middle names + the full given name, joined,
    without diacritics ("Nguyễn Văn An" → "nvan"). Rule "free" keeps the ASCII-folded name."""
    words = unidecode(unicodedata.normalize("NFC", full_name)).lower().split()
    words = ["".join(ch for ch in word if ch.isalnum()) for word in words]
    words = [word for word in words if word]
    if not words:
        raise AccountError("invalid_name", _("Họ tên không hợp lệ."), field="full_name")
    if rule == "initials_given":
        return "".join(word[0] for word in words[:-1]) + words[-1]
    return ".".join(words)


@transaction.atomic
def user_create_with_secret(
    *, username: str, full_name: str = "", email: str = "", is_superuser: bool = False
) -> IssuedAccount:
    """Create a staff account with a random one-time secret that must be changed at first login
    (Huế Art. 11: the fixed initial password of the text is deliberately not reproduced)."""
    secret = one_time_secret()
    user = _new_staff_user(
        username=username, full_name=full_name, email=email, is_superuser=is_superuser
    )
    # A secret someone else has seen is not a password: it is always changed at first use,
    # whatever the profile's accounts.force_first_password_change says (ADR 0013).
    user.must_change_password = True
    user.secret_issued_at = timezone.now()
    user.set_password(secret)
    user.save()
    return IssuedAccount(user=user, one_time_secret=secret)


def _new_staff_user(*, username: str, full_name: str, email: str, is_superuser: bool) -> User:
    username = unicodedata.normalize("NFC", username).strip()
    if not username or not username.isascii() or " " in username:
        raise AccountError(
            "invalid_username",
            _("Tên đăng nhập phải là chữ không dấu, không khoảng trắng."),
            field="username",
        )
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(
            "username_taken",
            _("Tên đăng nhập '%(username)s' đã tồn tại.") % {"username": username},
            field="username",
        )
    return User(
        username=username,
        full_name=unicodedata.normalize("NFC", full_name),
        email=email,
        is_staff=True,
        is_superuser=is_superuser,
    )


def first_password_change_required() -> bool:
    """The profile in force of the active province: must a new account change the password
    it was enrolled with at its first sign-in? (Huế Art. 11(2): "phải thay đổi mật khẩu khi
    truy cập vào hệ thống lần đầu tiên"; every shipped profile says yes.)"""
    return current_profile().accounts.force_first_password_change


@transaction.atomic
def user_create_with_password(
    *, username: str, password: str, full_name: str = "", email: str = ""
) -> User:
    """Enrol a staff member who types their own first password (at the operator's terminal,
    unseen by anyone else): nobody else knows it, so whether it must be changed at the first
    sign-in is the profile's rule (accounts.force_first_password_change), unlike a one-time
    secret, which always must be (ADR 0013)."""
    user = _new_staff_user(username=username, full_name=full_name, email=email, is_superuser=False)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise AccountError("weak_password", " ".join(error.messages), field="password") from None
    user.set_password(password)
    user.must_change_password = first_password_change_required()
    user.save()
    return user


@transaction.atomic
def user_change_password(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise AccountError(
            "wrong_password", _("Mật khẩu hiện tại không đúng."), field="old_password"
        )
    if old_password == new_password:
        raise AccountError(
            "same_password", _("Mật khẩu mới phải khác mật khẩu cũ."), field="new_password"
        )
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    return user


# --- the province administrator's pages (/staff/quan-tri/) ----------------------------------


def audit_record(
    *, actor, action: str, target: str, actor_name: str | None = None, **data
) -> AuditEntry:
    """One audit row in the active schema (and a log line); never pass a secret in `data`.
    An actor without an account here (`actor` None) is the server's command line, named by
    `command_line_name()` unless `actor_name` says otherwise, the row saying `via: command`:
    the management commands call the same services as the pages with `actor=None`."""
    import logging

    if actor is None:
        data.setdefault("via", "command")
    name = actor.get_username() if actor is not None else (actor_name or command_line_name())
    logging.getLogger("accounts.audit").info("%s: %s by %s %s", action, target, name, data)
    return AuditEntry.objects.create(
        actor=actor, actor_name=name, action=action, target=str(target)[:300], data=data
    )


def command_line_name() -> str:
    """How the audit names an actor with no account here: the server's command line, with the
    operating-system user who ran it when known."""
    import getpass

    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no login name in the environment (a container)
        who = ""
    return f"dòng lệnh máy chủ ({who})" if who else "dòng lệnh máy chủ"


def _audit(action: str, *, actor: User | None, user: User) -> None:
    audit_record(actor=actor, action=action, target=user.get_username())


def _require_administrator(actor: User | None) -> None:
    """The pages act for a signed-in administrator of this schema; the command line (actor
    None) acts for whoever may run commands on the server."""
    if actor is not None and not (actor.is_active and actor.is_superuser):
        raise AccountError(
            "not_allowed",
            _("Chỉ quản trị viên của cổng mới được làm việc này."),
            field="user",
            kind=ErrorKind.FORBIDDEN,
        )


@transaction.atomic
def user_set_active(*, user: User, active: bool, actor: User) -> User:
    """Deactivate (or reactivate) a staff account; a deactivated account can no longer sign in
    and its open sessions end. Refuses deactivating yourself and the province's last active
    administrator (a province without one could not be administered from its own pages)."""
    from django.db.models import Q

    _require_administrator(actor)
    if not active and user.pk == actor.pk:
        raise AccountError(
            "self_deactivation",
            _(
                "Bạn không thể tự khoá tài khoản của chính mình; hãy nhờ một quản trị "
                "viên khác nếu cần."
            ),
            field="user",
        )
    if user.is_superuser:
        # Lock every active administrator with the account, in pk order, so that two
        # administrators deactivating each other at the same moment cannot both succeed.
        rows = list(
            User.objects.select_for_update()
            .filter(Q(pk=user.pk) | Q(is_superuser=True, is_active=True))
            .order_by("pk")
        )
    else:
        rows = list(User.objects.select_for_update().filter(pk=user.pk))
    locked = next((row for row in rows if row.pk == user.pk), None)
    if locked is None:
        raise AccountError(
            "not_found", _("Tài khoản không còn tồn tại."), field="user", kind=ErrorKind.NOT_FOUND
        )
    if locked.is_active == active:
        return locked
    if not active and locked.is_superuser:
        others = [row for row in rows if row.pk != locked.pk and row.is_active]
        if not others:
            raise AccountError(
                "last_superuser",
                _(
                    "Không thể khoá '%(username)s': đây là tài khoản quản trị cuối cùng "
                    "còn hoạt động của cổng."
                )
                % {"username": locked.username},
                field="user",
            )
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    _audit("user_activated" if active else "user_deactivated", actor=actor, user=locked)
    return locked


@transaction.atomic
def operator_create(
    *, username: str, full_name: str = "", email: str = "", actor: User | None = None
) -> IssuedAccount:
    """A ministry operator (an account of the public schema) with a one-time secret, recorded
    in the public schema's audit, which the operator console shows."""
    _require_administrator(actor)
    issued = user_create_with_secret(username=username, full_name=full_name, email=email)
    _audit("staff_created", actor=actor, user=issued.user)
    return issued


@transaction.atomic
def user_issue_secret(*, user: User, actor: User | None) -> IssuedAccount:
    """An administrator (or the server's command line, actor None: `manage.py staff reset`,
    `manage.py operator reset`) issues a new one-time secret for someone who lost theirs: the
    old password stops working, the secret must be changed at the next sign-in (Huế Art.
    11(2)) and every API key issued before now is refused (ADR 0013). Not for one's own
    account: that is the password change page's job."""
    _require_administrator(actor)
    if actor is not None and user.pk == actor.pk:
        raise AccountError(
            "self_reset",
            _("Không cấp lại mật khẩu cho chính mình; hãy dùng trang Đổi mật khẩu."),
            field="user",
        )
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None:
        raise AccountError(
            "not_found", _("Tài khoản không còn tồn tại."), field="user", kind=ErrorKind.NOT_FOUND
        )
    if not locked.is_active:
        raise AccountError(
            "inactive",
            _("Tài khoản '%(username)s' đang bị khoá: hãy mở khoá trước khi cấp lại mật khẩu.")
            % {"username": locked.username},
            field="user",
        )
    secret = one_time_secret()
    locked.set_password(secret)
    locked.must_change_password = True
    locked.secret_issued_at = timezone.now()
    locked.save(update_fields=["password", "must_change_password", "secret_issued_at"])
    _audit("user_secret_issued", actor=actor, user=locked)
    return IssuedAccount(user=locked, one_time_secret=secret)


@transaction.atomic
def user_second_factor_reset(*, user: User, actor: User | None, address: str = "") -> int:
    """An administrator (or the server's command line, actor None: `manage.py staff otp-reset`,
    `manage.py operator otp-reset`) removes the authenticator and the recovery codes of someone
    who lost them: every session of theirs verified by it stops being so, and they enrol again
    at the next sign-in (ADR 0022). Not for one's own account. Returns how many authenticators
    were removed; audited `otp_reset` even when there was none (the request itself is news)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

    from accounts.models import RecoveryCode

    _require_administrator(actor)
    if actor is not None and user.pk == actor.pk:
        raise AccountError(
            "self_otp_reset",
            _("Không tự đặt lại xác thực hai lớp của chính mình; hãy nhờ quản trị viên khác."),
            field="user",
        )
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None:
        raise AccountError(
            "not_found", _("Tài khoản không còn tồn tại."), field="user", kind=ErrorKind.NOT_FOUND
        )
    removed, _by_model = TOTPDevice.objects.filter(user=locked).delete()
    RecoveryCode.objects.filter(user=locked).delete()
    data = {"address": address} if address else {}
    audit_record(actor=actor, action="otp_reset", target=locked.get_username(), **data)
    return removed
